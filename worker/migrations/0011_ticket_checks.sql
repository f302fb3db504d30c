-- What Zendesk last said about a ticket id passed in X-Zendesk-Ticket-Id, shared by every isolate
-- so a ticket is asked about at most once per TTL. Failures are never stored.
CREATE TABLE ticket_checks (
  ticket_id INTEGER PRIMARY KEY,
  -- 'valid' (exists, not closed), 'closed', or 'not_found' (absent from show_many: no such
  -- ticket, or one the API user cannot see).
  status TEXT NOT NULL CHECK (status IN ('valid', 'closed', 'not_found')),
  -- The ticket's requester when valid.
  requester_id INTEGER,
  -- Epoch ms after which Zendesk is asked again.
  expires_at INTEGER NOT NULL
);
CREATE INDEX ticket_checks_expiry ON ticket_checks (expires_at);
