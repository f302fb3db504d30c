-- The retention purge (worker/src/calls/retention.ts) finds its rows by these times, so each cron
-- run reads only the rows it deletes instead of scanning the tables.
-- Calls by when the Worker last wrote them (ISO 8601 UTC, the Worker's own clock).
CREATE INDEX calls_updated ON calls (updated_at);
-- Events by when the Worker stored them, for events whose call has no record (left behind).
CREATE INDEX call_events_received ON call_events (received_at);
-- Cached caller matches by expiry (epoch ms): expired ones are deleted.
CREATE INDEX caller_matches_expiry ON caller_matches (expires_at);
