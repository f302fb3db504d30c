-- Lines, their ACL entries, blocked callers, call records and the Zendesk-side caches.
-- Times are ISO 8601 UTC strings; money is integer micro-dollars (10000 = $0.01).

CREATE TABLE lines (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  -- JSON array of SIP URIs, tried in order (failover on timeout, 408 and 5xx).
  sip_targets TEXT NOT NULL,
  -- ISO 3166-1 alpha-2 country used to read national caller numbers.
  default_country TEXT NOT NULL,
  -- What to do with a passed ticket id that is unknown or closed: 'drop' or 'reject'.
  invalid_ticket TEXT NOT NULL DEFAULT 'drop' CHECK (invalid_ticket IN ('drop', 'reject')),
  -- Create a ticket (via_id 34) when the caller passed no valid ticket.
  create_ticket INTEGER NOT NULL DEFAULT 0 CHECK (create_ticket IN (0, 1)),
  -- How the call is summarised on the ticket afterwards: 'private_note', 'voice_comment' or 'none'.
  call_summary TEXT NOT NULL DEFAULT 'private_note'
    CHECK (call_summary IN ('private_note', 'voice_comment', 'none')),
  price_per_minute_micros INTEGER NOT NULL DEFAULT 10000 CHECK (price_per_minute_micros >= 0),
  -- Calls per second the edge admits on this line (0 = edge default).
  max_cps INTEGER NOT NULL DEFAULT 0 CHECK (max_cps >= 0),
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE acl_entries (
  id INTEGER PRIMARY KEY,
  line_id INTEGER NOT NULL REFERENCES lines (id) ON DELETE CASCADE,
  -- Canonical CIDR (network address, explicit prefix), IPv4 or IPv6.
  cidr TEXT NOT NULL,
  -- Who sends from there: carrier, AI agent platform, IVR.
  label TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  UNIQUE (line_id, cidr)
);

CREATE TABLE blocked_numbers (
  id INTEGER PRIMARY KEY,
  e164 TEXT NOT NULL,
  -- NULL blocks the number on every line.
  line_id INTEGER REFERENCES lines (id) ON DELETE CASCADE,
  reason TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX blocked_numbers_scope ON blocked_numbers (e164, COALESCE(line_id, 0));

CREATE TABLE calls (
  id INTEGER PRIMARY KEY,
  call_id TEXT NOT NULL UNIQUE,
  line_id INTEGER REFERENCES lines (id) ON DELETE SET NULL,
  line_slug TEXT NOT NULL,
  source_ip TEXT NOT NULL,
  source_port INTEGER,
  transport TEXT,
  acl_entry TEXT,
  from_uri TEXT NOT NULL,
  to_uri TEXT NOT NULL,
  request_uri TEXT NOT NULL,
  p_asserted_identity TEXT,
  user_agent TEXT,
  -- JSON array of codec names offered in the SDP.
  codecs TEXT NOT NULL DEFAULT '[]',
  caller_e164 TEXT,
  -- 'e164' (normalized), 'withheld', 'invalid' (could not be read as a number).
  caller_kind TEXT NOT NULL,
  -- 'matched', 'no_match', 'ambiguous', 'withheld', 'unavailable' (Zendesk did not answer in time).
  match_result TEXT NOT NULL,
  matched_user_id INTEGER,
  -- JSON array of {id, name, phone} when ambiguous.
  match_candidates TEXT NOT NULL DEFAULT '[]',
  passed_ticket_id TEXT,
  ticket_id INTEGER,
  -- 'passed', 'passed_unverified', 'created', 'dropped', 'none'.
  ticket_link TEXT NOT NULL,
  decision TEXT NOT NULL CHECK (decision IN ('relay', 'reject', 'pending')),
  reject_code INTEGER,
  reject_reason TEXT,
  -- JSON array of enrichment steps skipped because Zendesk did not answer (fail open).
  degraded TEXT NOT NULL DEFAULT '[]',
  -- The full decision as answered to the edge, replayed for retransmitted INVITEs.
  decision_json TEXT,
  -- 'ringing', 'answered', 'completed', 'failed', 'cancelled', 'rejected'.
  status TEXT NOT NULL,
  received_at TEXT NOT NULL,
  answered_at TEXT,
  ended_at TEXT,
  duration_s INTEGER,
  final_code INTEGER,
  final_reason TEXT,
  -- 'caller', 'callee', 'proxy' (timeout or reconciliation).
  ended_by TEXT,
  cost_micros INTEGER,
  -- 'none', 'pending', 'posting', 'posted', 'failed'.
  summary_status TEXT NOT NULL DEFAULT 'none',
  summary_attempts INTEGER NOT NULL DEFAULT 0,
  -- Monotonic change counter for the incremental export.
  seq INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX calls_ticket ON calls (ticket_id, received_at);
CREATE UNIQUE INDEX calls_seq ON calls (seq);
CREATE INDEX calls_usage ON calls (line_slug, received_at);
CREATE INDEX calls_summary ON calls (summary_status) WHERE summary_status IN ('pending', 'posting');

-- One row per (Call-ID, event kind): retried events are acknowledged, never applied twice.
CREATE TABLE call_events (
  call_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  at TEXT NOT NULL,
  sip_code INTEGER,
  reason TEXT,
  received_at TEXT NOT NULL,
  PRIMARY KEY (call_id, kind)
);

-- Caller → Zendesk user matches, positive and negative, shared by every isolate.
CREATE TABLE caller_matches (
  e164 TEXT PRIMARY KEY,
  result TEXT NOT NULL CHECK (result IN ('matched', 'no_match', 'ambiguous')),
  user_id INTEGER,
  candidates TEXT NOT NULL DEFAULT '[]',
  expires_at INTEGER NOT NULL
);

-- Edge request nonces seen inside the signature window (replay protection).
CREATE TABLE edge_nonces (
  nonce TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);

-- Zendesk requests spent per account and minute, so every isolate shares one budget.
CREATE TABLE zendesk_budget (
  window_start INTEGER PRIMARY KEY,
  used INTEGER NOT NULL,
  blocked_until INTEGER NOT NULL DEFAULT 0
);
