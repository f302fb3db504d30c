-- Commands from the console (or the admin API) to the edge, which polls for them over the signed
-- channel (GET /v1/edge/commands, docs/edge-protocol.md). The only kind so far is `hangup`.
-- A command is handed to the edge at most once: it goes from queued to sent in one statement.
CREATE TABLE edge_commands (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('hangup')),
  call_id TEXT NOT NULL,
  -- Who asked: 'zendesk_user:<id>' (an admin in the console) or 'admin_token' (a script).
  requested_by TEXT NOT NULL,
  -- queued (waiting for the edge), sent (the edge has it), done (Kamailio ended the dialog),
  -- failed (the edge could not; see failure), expired (no edge picked it up in time).
  status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'done', 'failed', 'expired')),
  failure TEXT,
  created_at TEXT NOT NULL,
  -- A queued command not picked up by then expires; a sent one without a result by then fails.
  expires_at TEXT NOT NULL,
  sent_at TEXT,
  finished_at TEXT
);
-- One hang-up in flight (or done) per call: a second request is answered 409, never queued twice.
CREATE UNIQUE INDEX edge_commands_one_hangup ON edge_commands (call_id)
  WHERE kind = 'hangup' AND status IN ('queued', 'sent', 'done');
CREATE INDEX edge_commands_status ON edge_commands (status, expires_at);

-- Who ended the call from the console or the admin API (requested_by of its done hang-up).
ALTER TABLE calls ADD COLUMN ended_by_admin TEXT;
-- The live list reads calls in progress only.
CREATE INDEX calls_live ON calls (status, received_at) WHERE status IN ('ringing', 'answered');
