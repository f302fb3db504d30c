-- A caller's earlier calls (GET /v1/tickets/{ticket_id}/calls/{call_id}/history) are found by
-- their E.164 number, newest first: this index serves the lookup and the order, reading only the
-- rows listed. Calls without a number (withheld, unreadable) have no history and are left out.
CREATE INDEX calls_caller ON calls (caller_e164, received_at) WHERE caller_e164 IS NOT NULL;
