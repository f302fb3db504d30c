-- The console's call log (GET /v1/console/calls, worker/src/reports/call-log.ts) filters by status
-- and pages newest first: this index serves a status filter and the order together. Number,
-- ticket and line filters use calls_caller, calls_ticket and calls_usage; no filter, calls_received.
CREATE INDEX calls_status ON calls (status, received_at);
