-- Signed call webhooks per line (docs/webhooks.md): the line's settings with its signing secret,
-- an outbox of events written in the same batch as the call change that caused them, and a
-- log of every delivery attempt.

CREATE TABLE line_webhooks (
  line_id INTEGER PRIMARY KEY REFERENCES lines (id) ON DELETE CASCADE,
  -- https URL (http on loopback only with ZENDESK_ALLOW_LOCAL=1, for local runs).
  url TEXT NOT NULL,
  -- Gets an event after two failed deliveries to url.
  failover_url TEXT,
  -- JSON array of the event types sent, e.g. ["call.received","call.ended"].
  events TEXT NOT NULL,
  -- The signing secret (whsec_...): kept so it can sign, never answered again after it is made.
  secret TEXT NOT NULL,
  -- The secret a rotation replaced: deliveries carry a signature with it too until previous_until (ms).
  previous_secret TEXT,
  previous_until INTEGER,
  secret_created_at TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- One row per (call, event type): a retried decision or event batch never queues it twice.
CREATE TABLE webhook_outbox (
  -- The event id receivers dedupe by (evt_...), the same on every attempt.
  id TEXT PRIMARY KEY,
  line_id INTEGER NOT NULL REFERENCES lines (id) ON DELETE CASCADE,
  call_id TEXT NOT NULL,
  type TEXT NOT NULL,
  -- The exact JSON body every attempt sends.
  payload TEXT NOT NULL,
  -- 'pending' (due at next_attempt_at), 'delivered' (a 2xx), 'failed' (gave up).
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  primary_failures INTEGER NOT NULL DEFAULT 0,
  -- Milliseconds since the epoch.
  next_attempt_at INTEGER NOT NULL,
  -- A sender holds the event until then, so two senders do not send one attempt twice.
  claimed_until INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  UNIQUE (call_id, type)
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at) WHERE state = 'pending';
-- The retention purge, oldest first.
CREATE INDEX webhook_outbox_created ON webhook_outbox (created_at);

-- Every delivery attempt, for GET /v1/admin/lines/{slug}/webhook-deliveries (the purge goes by
-- id, which follows `at`).
CREATE TABLE webhook_deliveries (
  id INTEGER PRIMARY KEY,
  line_id INTEGER NOT NULL REFERENCES lines (id) ON DELETE CASCADE,
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  target TEXT NOT NULL CHECK (target IN ('primary', 'failover')),
  url TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  -- The receiver's HTTP status, or NULL when none came.
  status_code INTEGER,
  -- NULL when delivered; else 'http_status', 'timeout', 'network' or 'url_refused'.
  error TEXT,
  -- 'delivered', 'retry' (again at next_attempt_at) or 'gave_up'.
  outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'retry', 'gave_up')),
  at TEXT NOT NULL,
  next_attempt_at TEXT
);
CREATE INDEX webhook_deliveries_line ON webhook_deliveries (line_id, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
