-- A handoff's ticket create whose answer was lost (a timeout or a 5xx after Zendesk made it, or the
-- Worker stopped) must not become a second ticket when the AI agent retries with the same
-- Idempotency-Key. The ticket is created with external_id `sipbridge-handoff:<handoff id>`; the
-- claim is kept with its handoff id, and the retry looks the ticket up before creating one.

-- Set just before the ticket create is sent (NULL: never sent): the answer's `caller` part (JSON),
-- answered again when a retry finds the ticket. A request that takes over a claim with it set
-- looks the ticket up by its external_id first.
ALTER TABLE handoffs ADD COLUMN ticket_create_caller TEXT;
-- When the request holding the 'pending' claim failed after its create may have reached Zendesk:
-- the claim is free, and a retry with the same Idempotency-Key takes it over at once.
ALTER TABLE handoffs ADD COLUMN released_at TEXT;
