// Which version of each line the edge enforces (docs/edge-protocol.md, "Applied report"): the
// configs served to the edge by ETag, the edge's reports that it applied one, and per line whether
// that is the line as it stands now. Tables from migration 0019.
import type { LineEdgeStatus } from '@sip-bridge/contract/edge-applied';
import { buildEdgeConfig } from './edge-config';

/** Served configs older than this are forgotten (an edge reports within seconds of a poll). */
const VERSION_KEEP_MS = 7 * 24 * 3600 * 1000;

/**
 * Remembers a config served with a 200: its ETag and each line's digest. Idempotent; forgets
 * versions older than a week, except the one the edge last reported.
 */
export async function rememberServedConfig(
  db: D1Database,
  served: { etag: string; lineDigests: Record<string, string> },
  now = Date.now(),
): Promise<void> {
  await db.batch([
    db
      .prepare(
        `INSERT INTO edge_config_versions (etag, line_digests, created_at) VALUES (?, ?, ?)
         ON CONFLICT (etag) DO NOTHING`,
      )
      .bind(served.etag, JSON.stringify(served.lineDigests), new Date(now).toISOString()),
    db
      .prepare(
        `DELETE FROM edge_config_versions WHERE created_at < ?
           AND etag NOT IN (SELECT etag FROM edge_applied)`,
      )
      .bind(new Date(now - VERSION_KEEP_MS).toISOString()),
  ]);
}

export type AppliedOutcome = 'recorded' | 'stale' | 'unknown_config';

/**
 * Records that the edge applied the config with this ETag at `appliedAt` (its clock, never later
 * than the Worker's `now`). `unknown_config`: no config with this ETag was served (or it is more
 * than a week old); `stale`: a later application is already recorded, and this one changes nothing.
 */
export async function recordApplied(
  db: D1Database,
  report: { etag: string; appliedAt: string },
  now = Date.now(),
): Promise<AppliedOutcome> {
  const version = await db
    .prepare('SELECT line_digests FROM edge_config_versions WHERE etag = ?')
    .bind(report.etag)
    .first<{ line_digests: string }>();
  if (!version) return 'unknown_config';
  const appliedAt = new Date(Math.min(Date.parse(report.appliedAt), now)).toISOString();
  const last = await db
    .prepare('SELECT applied_at FROM edge_applied WHERE id = 1')
    .first<{ applied_at: string }>();
  if (last && last.applied_at > appliedAt) return 'stale';
  const slugs = Object.keys(JSON.parse(version.line_digests) as Record<string, string>);
  await db.batch([
    db
      .prepare(
        `INSERT INTO edge_applied (id, etag, applied_at, reported_at) VALUES (1, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET etag = excluded.etag, applied_at = excluded.applied_at,
           reported_at = excluded.reported_at`,
      )
      .bind(report.etag, appliedAt, new Date(now).toISOString()),
    // Lines the applied config does not hold are off at the edge.
    db
      .prepare(`DELETE FROM edge_applied_lines WHERE slug NOT IN (SELECT value FROM json_each(?))`)
      .bind(JSON.stringify(slugs)),
    // A line whose entry did not change keeps the time the edge first applied it. (`WHERE true`
    // lets SQLite read ON CONFLICT after a SELECT.)
    db
      .prepare(
        `INSERT INTO edge_applied_lines (slug, digest, applied_at)
           SELECT key, value, ? FROM json_each(?) WHERE true
         ON CONFLICT (slug) DO UPDATE SET digest = excluded.digest, applied_at = excluded.applied_at
           WHERE edge_applied_lines.digest <> excluded.digest`,
      )
      .bind(appliedAt, version.line_digests),
  ]);
  return 'recorded';
}

/**
 * Each line's state at the edge, by slug (every line of D1, enabled or not): `applied` when the
 * edge's last applied config holds the line's entry exactly as the config would now (an enabled
 * line) or does not hold it (a disabled one), `waiting` otherwise, `no_edge` before any report.
 */
export async function lineEdgeStatuses(db: D1Database): Promise<Map<string, LineEdgeStatus>> {
  const [current, edge, applied, all] = await Promise.all([
    buildEdgeConfig(db),
    db.prepare('SELECT applied_at FROM edge_applied WHERE id = 1').first<{ applied_at: string }>(),
    db
      .prepare('SELECT slug, digest, applied_at FROM edge_applied_lines')
      .all<{ slug: string; digest: string; applied_at: string }>(),
    db.prepare('SELECT slug FROM lines').all<{ slug: string }>(),
  ]);
  const statuses = new Map<string, LineEdgeStatus>();
  const held = new Map(applied.results.map((r) => [r.slug, r]));
  for (const { slug } of all.results) {
    if (!edge) {
      statuses.set(slug, { state: 'no_edge' });
      continue;
    }
    const wanted = current.lineDigests[slug];
    const row = held.get(slug);
    if (wanted !== undefined && row?.digest === wanted) {
      statuses.set(slug, { state: 'applied', applied_at: row.applied_at });
    } else if (wanted === undefined && !row) {
      statuses.set(slug, { state: 'applied', applied_at: edge.applied_at });
    } else {
      statuses.set(slug, { state: 'waiting', edge_applied_at: edge.applied_at });
    }
  }
  return statuses;
}
