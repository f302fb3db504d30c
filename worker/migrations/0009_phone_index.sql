-- The phone index: every active end-user's phone numbers in E.164, fed by Zendesk's incremental
-- user export (the cron), so a caller is matched without asking Zendesk. One row per number and
-- user: several rows for one number are an ambiguous caller.
CREATE TABLE phone_index (
  e164 TEXT NOT NULL,
  user_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  -- The number as stored in Zendesk (the user's phone, or a phone_number identity's value).
  phone TEXT NOT NULL,
  PRIMARY KEY (e164, user_id)
) WITHOUT ROWID;
-- A changed or deleted user's rows are replaced by user id.
CREATE INDEX phone_index_user ON phone_index (user_id);

-- Where the export stands: one row. Times are epoch ms unless named otherwise.
CREATE TABLE phone_index_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  -- Country national-format phones are read in; a change restarts the backfill.
  country TEXT NOT NULL,
  -- Unix seconds the backfill asked the export from (0: every user).
  start_time INTEGER NOT NULL,
  -- The last page's after_cursor: the next run resumes from it. NULL before the first page.
  cursor TEXT,
  backfill_started_at INTEGER NOT NULL,
  -- When the export first answered end_of_stream: every user up to then is indexed.
  backfill_done_at INTEGER,
  users_seen INTEGER NOT NULL DEFAULT 0,
  pages INTEGER NOT NULL DEFAULT 0,
  last_run_at INTEGER,
  last_page_at INTEGER,
  -- When the request that last answered end_of_stream was sent: the index holds every change
  -- Zendesk made before this time less the export's excluded minute.
  caught_up_at INTEGER,
  last_error TEXT,
  last_error_at INTEGER,
  -- After a 429 from the export: no request before this time.
  retry_after_until INTEGER NOT NULL DEFAULT 0,
  -- A run holds the lease until this time, so two runs never page at once.
  lease_until INTEGER NOT NULL DEFAULT 0
);
