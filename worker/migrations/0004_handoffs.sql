-- AI-agent handoffs: per-line API keys for AI vendors, the handoffs they make (a ticket prepared
-- before the call is transferred), and the call that follows with the ticket's header.

-- The SIP address the line's AI agents dial at the edge (answered by POST /v1/handoffs); NULL: unset.
ALTER TABLE lines ADD COLUMN edge_sip_uri TEXT;

-- An AI vendor's key: `sbk_<id>_<secret>`. Only the SHA-256 of the secret is kept.
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  line_id INTEGER NOT NULL REFERENCES lines (id) ON DELETE CASCADE,
  -- Who holds it (the AI vendor, its environment); shown on call records as the handoff's source.
  label TEXT NOT NULL,
  -- Hex SHA-256 of the secret part of the key.
  secret_sha256 TEXT NOT NULL,
  -- Handoffs this key may make per minute.
  handoffs_per_minute INTEGER NOT NULL DEFAULT 60 CHECK (handoffs_per_minute > 0),
  created_at TEXT NOT NULL,
  revoked_at TEXT,
  last_used_at TEXT
);
CREATE INDEX api_keys_line ON api_keys (line_id, created_at);

-- Handoff requests per key and UTC minute, shared by every isolate.
CREATE TABLE api_key_minutes (
  key_id TEXT NOT NULL,
  minute INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (key_id, minute)
);

CREATE TABLE handoffs (
  id TEXT PRIMARY KEY,
  line_id INTEGER REFERENCES lines (id) ON DELETE SET NULL,
  key_id TEXT REFERENCES api_keys (id) ON DELETE SET NULL,
  -- The key's label when the handoff was made (kept if the key goes with its line).
  key_label TEXT NOT NULL,
  -- The client's Idempotency-Key, unique per line; NULL when none was sent.
  idempotency_key TEXT,
  -- Hex SHA-256 of the validated request: a reused Idempotency-Key must come with the same request.
  request_sha256 TEXT NOT NULL,
  -- 'pending' while Zendesk is being written (a claim), 'completed' once answered.
  status TEXT NOT NULL CHECK (status IN ('pending', 'completed')),
  claimed_at TEXT NOT NULL,
  caller_e164 TEXT NOT NULL,
  ticket_id INTEGER,
  -- The ticket's requester as Zendesk answered it.
  requester_id INTEGER,
  summary TEXT,
  intent TEXT,
  language TEXT,
  -- JSON array of {role, text, at}.
  transcript TEXT NOT NULL DEFAULT '[]',
  -- The 201 body, replayed for a retry with the same Idempotency-Key.
  response_json TEXT,
  created_at TEXT NOT NULL,
  -- Until when a call carrying the ticket's header is linked to this handoff without asking Zendesk.
  expires_at TEXT
);
CREATE UNIQUE INDEX handoffs_idempotency ON handoffs (line_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX handoffs_ticket ON handoffs (ticket_id, line_id, expires_at);
-- The retention purge deletes the oldest first.
CREATE INDEX handoffs_created ON handoffs (created_at);

-- The handoff a call was linked to (its X-Zendesk-Ticket-Id was the handoff's ticket).
ALTER TABLE calls ADD COLUMN handoff_id TEXT REFERENCES handoffs (id) ON DELETE SET NULL;
