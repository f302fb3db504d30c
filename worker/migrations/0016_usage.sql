-- Usage reports and the heat map (worker/src/reports/usage.ts, heatmap.ts) read calls by time for
-- every line at once: a range on received_at, which calls_usage (line_slug first) cannot serve.
CREATE INDEX calls_received ON calls (received_at);
