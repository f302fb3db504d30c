-- The edge's reports that it applied a config (POST /v1/edge/config/applied, docs/edge-protocol.md)
-- and what the console's line API makes of them (worker/src/lines/edge-applied.ts).

-- Each edge config served with a 200, by its ETag: the digest of every line's part of it, so a
-- report naming the ETag says which version of each line the edge enforces.
CREATE TABLE edge_config_versions (
  etag TEXT PRIMARY KEY,
  line_digests TEXT NOT NULL, -- JSON object: slug -> hex digest of the line's entry
  created_at TEXT NOT NULL
);
CREATE INDEX edge_config_versions_created ON edge_config_versions (created_at);

-- The last config the edge reported applied (one row: the latest report wins).
CREATE TABLE edge_applied (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  etag TEXT NOT NULL,
  applied_at TEXT NOT NULL,
  reported_at TEXT NOT NULL
);

-- Per line in that config: the digest the edge enforces and since when (kept while it does not
-- change, so a line untouched by a later config keeps its first applied time).
CREATE TABLE edge_applied_lines (
  slug TEXT PRIMARY KEY,
  digest TEXT NOT NULL,
  applied_at TEXT NOT NULL
);
