import { findLineConfig, type LineConfig } from './store';

/** A line and the numbers blocked on it (line blocks and global blocks), as one snapshot. */
export interface LineSnapshot {
  line: LineConfig | null;
  blocked: ReadonlySet<string>;
}

/**
 * How long an isolate trusts its copy. Admin changes made through another isolate reach this one
 * within this time (the edge's own ACL sync is slower); changes made here apply at once.
 */
const LINE_CACHE_TTL_MS = 2000;

const cache = new Map<string, { snapshot: LineSnapshot; loadedAt: number }>();

/** The line and its block list, from this isolate's cache or in one D1 round trip. */
export async function lineSnapshot(
  db: D1Database,
  slug: string,
  now = Date.now(),
): Promise<LineSnapshot> {
  const hit = cache.get(slug);
  if (hit && now - hit.loadedAt < LINE_CACHE_TTL_MS) return hit.snapshot;
  const [line, blocked] = await Promise.all([
    findLineConfig(db, slug),
    db
      .prepare(
        `SELECT e164 FROM blocked_numbers
         WHERE line_id IS NULL OR line_id = (SELECT id FROM lines WHERE slug = ?)`,
      )
      .bind(slug)
      .all<{ e164: string }>(),
  ]);
  const snapshot = { line, blocked: new Set(blocked.results.map((r) => r.e164)) };
  cache.set(slug, { snapshot, loadedAt: now });
  return snapshot;
}

/** Drops every cached line: called after any admin write to lines, ACL or blocks. */
export function invalidateLineCache() {
  cache.clear();
}
