// A line's webhook settings and signing secret in D1 (line_webhooks). The secret is read only to
// sign deliveries and answered only when it is made (create, first set, rotate).
import type { WebhookEventType } from '@sip-bridge/contract/webhooks';
import type { Webhook, WebhookSettings } from '../schemas/webhooks';
import { newWebhookSecret } from './signature';

/** How long deliveries are still signed with the secret a rotation replaced. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

export interface WebhookRow {
  line_id: number;
  url: string;
  failover_url: string | null;
  events: string;
  secret: string;
  previous_secret: string | null;
  previous_until: number | null;
  secret_created_at: string;
  created_at: string;
  updated_at: string;
}

/** The settings as the admin API shows them: never a secret. */
export function toWebhook(row: WebhookRow, nowMs = Date.now()): Webhook {
  const overlap = row.previous_secret && row.previous_until && row.previous_until > nowMs;
  return {
    url: row.url,
    failover_url: row.failover_url,
    events: JSON.parse(row.events) as WebhookEventType[],
    secret_created_at: row.secret_created_at,
    previous_secret_valid_until: overlap ? new Date(row.previous_until!).toISOString() : null,
  };
}

/** The secrets a delivery is signed with now: the current one, and the replaced one while it overlaps. */
export function signingSecrets(row: WebhookRow, nowMs: number): string[] {
  return row.previous_secret && (row.previous_until ?? 0) > nowMs
    ? [row.secret, row.previous_secret]
    : [row.secret];
}

/**
 * Sets the webhook of the line `slug`: a line without one gets `candidate` as its secret, one
 * that had a webhook keeps its secret. RETURNING tells which (see madeSecret).
 */
export function upsertWebhook(
  db: D1Database,
  slug: string,
  settings: WebhookSettings,
  candidate: string,
  now: string,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO line_webhooks (line_id, url, failover_url, events, secret, secret_created_at,
         created_at, updated_at)
       SELECT id, ?, ?, ?, ?, ?, ?, ? FROM lines WHERE slug = ?
       ON CONFLICT (line_id) DO UPDATE SET url = excluded.url, failover_url = excluded.failover_url,
         events = excluded.events, updated_at = excluded.updated_at
       RETURNING secret`,
    )
    .bind(
      settings.url,
      settings.failover_url,
      JSON.stringify(settings.events),
      candidate,
      now,
      now,
      now,
      slug,
    );
}

export function deleteWebhook(db: D1Database, slug: string): D1PreparedStatement {
  return db
    .prepare('DELETE FROM line_webhooks WHERE line_id = (SELECT id FROM lines WHERE slug = ?)')
    .bind(slug);
}

/** The secret a batch with upsertWebhook made, or undefined when the line kept its own. */
export function madeSecret(
  result: D1Result<{ secret: string }> | undefined,
  candidate: string,
): string | undefined {
  return result?.results[0]?.secret === candidate ? candidate : undefined;
}

export async function webhookRowsByLine(db: D1Database): Promise<Map<number, WebhookRow>> {
  const rows = await db.prepare('SELECT * FROM line_webhooks').all<WebhookRow>();
  return new Map(rows.results.map((r) => [r.line_id, r]));
}

export async function webhookRowForLine(
  db: D1Database,
  lineId: number,
): Promise<WebhookRow | null> {
  return db
    .prepare('SELECT * FROM line_webhooks WHERE line_id = ?')
    .bind(lineId)
    .first<WebhookRow>();
}

/**
 * Replaces the line's signing secret; the replaced one still signs (a second v1) for
 * ROTATION_OVERLAP_MS, so receivers can switch without losing an event. A rotation within the
 * overlap drops the oldest. Null when the line has no webhook.
 */
export async function rotateWebhookSecret(
  db: D1Database,
  slug: string,
  nowMs: number,
): Promise<{ secret: string; webhook: Webhook } | null> {
  const secret = newWebhookSecret();
  const now = new Date(nowMs).toISOString();
  const row = await db
    .prepare(
      `UPDATE line_webhooks SET previous_secret = secret, previous_until = ?, secret = ?,
         secret_created_at = ?, updated_at = ?
       WHERE line_id = (SELECT id FROM lines WHERE slug = ?) RETURNING *`,
    )
    .bind(nowMs + ROTATION_OVERLAP_MS, secret, now, now, slug)
    .first<WebhookRow>();
  return row ? { secret, webhook: toWebhook(row, nowMs) } : null;
}
