// A line's routing rules in D1 (lines.routing_rules, migration 0020), for the admin API.
import { RoutingRulesSchema, type RoutingRules } from '../schemas/routing-rules';
import { SECURE_MEDIA_TRIGGER, SecureMediaTargetsError } from './store';

/** The line's rules and its media (for the secure-media check), or null when there is no line. */
export async function readRoutingRules(
  db: D1Database,
  slug: string,
): Promise<{ rules: RoutingRules; media: string } | null> {
  const row = await db
    .prepare('SELECT routing_rules, media FROM lines WHERE slug = ?')
    .bind(slug)
    .first<{ routing_rules: string; media: string }>();
  if (!row) return null;
  return { rules: RoutingRulesSchema.parse(JSON.parse(row.routing_rules)), media: row.media };
}

/**
 * Replaces the line's rules (the whole ordered list); false when there is no line. D1's triggers
 * refuse plain targets on a secure line (SecureMediaTargetsError) if a write raced the API's check.
 */
export async function writeRoutingRules(
  db: D1Database,
  slug: string,
  rules: RoutingRules,
): Promise<boolean> {
  try {
    const res = await db
      .prepare('UPDATE lines SET routing_rules = ?, updated_at = ? WHERE slug = ?')
      .bind(JSON.stringify(rules), new Date().toISOString(), slug)
      .run();
    return res.meta.changes === 1;
  } catch (err) {
    if (String(err).includes(SECURE_MEDIA_TRIGGER)) throw new SecureMediaTargetsError();
    throw err;
  }
}

/** Every line's routing rules by slug (the edge config's `rules`). */
export async function storedRoutingRules(db: D1Database): Promise<Map<string, RoutingRules>> {
  const rows = await db
    .prepare('SELECT slug, routing_rules FROM lines')
    .all<{ slug: string; routing_rules: string }>();
  return new Map(
    rows.results.map((r) => [r.slug, RoutingRulesSchema.parse(JSON.parse(r.routing_rules))]),
  );
}
