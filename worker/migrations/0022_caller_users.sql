-- A first-time caller's Zendesk user is made after the call's decision, not in its path: the call
-- path makes one Zendesk request (the ticket, created without a requester), and the users of up to
-- 100 first-time callers go in one Create Or Update Many Users job (worker/src/calls/caller-users.ts).
-- Once the user exists, the ticket's requester is set in an Update Many job with the call notes.

-- One row per number waiting for (or given) its user. `external_id` sipbridge-caller:<E.164> makes
-- the job idempotent: sending it again after a lost answer updates the same user, never a second.
CREATE TABLE caller_users (
  e164 TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  -- 'pending' (to send), 'sending' (in a job not finished), 'created', 'failed' (given up).
  status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'created', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  -- The user_jobs row it is (or was last) in; refused inside a batch, it is retried alone.
  job_id INTEGER,
  alone INTEGER NOT NULL DEFAULT 0,
  user_id INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX caller_users_due ON caller_users (status, created_at)
  WHERE status IN ('pending', 'sending');
CREATE INDEX caller_users_job ON caller_users (job_id) WHERE status = 'sending';

-- Create Or Update Many Users jobs, written before the request is sent (as note_jobs are).
CREATE TABLE user_jobs (
  id INTEGER PRIMARY KEY,
  zendesk_job_id TEXT,
  state TEXT NOT NULL CHECK (state IN ('sending', 'following', 'done')),
  items INTEGER NOT NULL,
  polls INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX user_jobs_open ON user_jobs (state, updated_at) WHERE state != 'done';

-- The ticket's requester, for a ticket made before its caller's user: 'waiting' (for the user),
-- then as a note: 'pending', 'posting', 'posted', 'failed' (note-batches.ts, kind 'requester').
ALTER TABLE calls ADD COLUMN requester_status TEXT NOT NULL DEFAULT 'none'
  CHECK (requester_status IN ('none', 'waiting', 'pending', 'posting', 'posted', 'failed'));
ALTER TABLE calls ADD COLUMN requester_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN requester_job INTEGER;
ALTER TABLE calls ADD COLUMN requester_alone INTEGER NOT NULL DEFAULT 0;
CREATE INDEX calls_requester ON calls (requester_status)
  WHERE requester_status IN ('waiting', 'pending', 'posting');
CREATE INDEX calls_requester_waiting ON calls (caller_e164) WHERE requester_status = 'waiting';
CREATE INDEX calls_requester_job ON calls (requester_job) WHERE requester_status = 'posting';
