// A line's delivery log (webhook_deliveries), newest first, paged by the row id.
import type { WebhookDelivery } from '../schemas/webhooks';

interface DeliveryRow extends WebhookDelivery {
  id: number;
}

/**
 * Up to `limit` attempts of the line's webhook older than `before` (a cursor from the previous
 * page), newest first; `next_before` is null on the last page. Null when the line does not exist.
 */
export async function listDeliveries(
  db: D1Database,
  slug: string,
  page: { limit: number; before?: number | undefined },
): Promise<{ deliveries: WebhookDelivery[]; next_before: number | null } | null> {
  const line = await db
    .prepare('SELECT id FROM lines WHERE slug = ?')
    .bind(slug)
    .first<{ id: number }>();
  if (!line) return null;
  const rows = await db
    .prepare(
      `SELECT id, event_id, type, target, url, attempt, status_code, error, outcome, at, next_attempt_at
       FROM webhook_deliveries WHERE line_id = ? AND id < ? ORDER BY id DESC LIMIT ?`,
    )
    .bind(line.id, page.before ?? Number.MAX_SAFE_INTEGER, page.limit + 1)
    .all<DeliveryRow>();
  const more = rows.results.length > page.limit;
  const shown = rows.results.slice(0, page.limit);
  return {
    deliveries: shown.map(({ id: _id, ...d }) => d),
    next_before: more ? shown.at(-1)!.id : null,
  };
}
