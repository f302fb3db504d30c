-- Call notes (summaries and context) go to Zendesk in batches: one Update Many Tickets job carries
-- up to 100 of them (worker/src/calls/note-batches.ts). A job row is written before the request is
-- sent, so a crash between sending and recording Zendesk's job id leaves a trace to check.
CREATE TABLE note_jobs (
  id INTEGER PRIMARY KEY,
  -- Zendesk's job id, once Update Many has answered.
  zendesk_job_id TEXT,
  -- 'sending' (request not answered yet, or its outcome unknown), 'following' (queued at Zendesk,
  -- polled until it ran), 'done' (every item settled).
  state TEXT NOT NULL CHECK (state IN ('sending', 'following', 'done')),
  items INTEGER NOT NULL,
  polls INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX note_jobs_open ON note_jobs (state, updated_at) WHERE state != 'done';
CREATE INDEX note_jobs_done ON note_jobs (updated_at) WHERE state = 'done';

-- The job a summary or context is (or was last) in, and whether it must go in a job of its own:
-- an item Zendesk refused inside a batch is retried alone, so one ticket never fails another.
ALTER TABLE calls ADD COLUMN summary_job INTEGER;
ALTER TABLE calls ADD COLUMN summary_alone INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN context_job INTEGER;
ALTER TABLE calls ADD COLUMN context_alone INTEGER NOT NULL DEFAULT 0;
CREATE INDEX calls_summary_job ON calls (summary_job) WHERE summary_status = 'posting';
CREATE INDEX calls_context_job ON calls (context_job) WHERE context_status = 'posting';
