-- Per-line cap on Zendesk users and tickets created per minute (spoofed caller ids cannot flood
-- Zendesk), and what to do with a passed ticket whose requester is not the caller.
ALTER TABLE lines ADD COLUMN max_creations_per_minute INTEGER NOT NULL DEFAULT 30
  CHECK (max_creations_per_minute >= 0);
-- 'keep' the header and flag the call, or 'drop' the header (the call is flagged either way).
ALTER TABLE lines ADD COLUMN requester_mismatch TEXT NOT NULL DEFAULT 'keep'
  CHECK (requester_mismatch IN ('keep', 'drop'));
-- 1 when the passed ticket's requester is not the matched caller, 0 when it is, NULL when unknown.
ALTER TABLE calls ADD COLUMN ticket_requester_mismatch INTEGER;

-- Creations per line and UTC minute, shared by every isolate.
CREATE TABLE line_creations (
  line_id INTEGER NOT NULL,
  minute INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (line_id, minute)
);
