// The retention purge: call records, handoffs, webhook events, and everything holding a caller's number or call data,
// deleted once older than RETENTION_DAYS, a bounded batch per cron run.
import { retentionDays } from '../config';
import type { Env } from '../env';

/**
 * Most rows of each kind one run deletes: calls (with their events, at most 4 each), events left
 * without a call, expired caller matches, and AI-agent handoffs. At one run every 5 minutes that is up to 144,000
 * calls a day; a backlog (a first deploy, a shorter retention) drains over several runs.
 */
export const PURGE_BATCH_ROWS = 500;

const DAY_MS = 86_400_000;

/** What one run deleted. */
export interface PurgeCounts {
  calls: number;
  /** Events of the purged calls. */
  events: number;
  /** Events whose call has no record (an event for an unknown or already purged call). */
  strayEvents: number;
  /** Cached caller → Zendesk user matches past their expiry. */
  callerMatches: number;
  /** AI-agent handoffs (caller details, summary, transcript) made before the cutoff. */
  handoffs: number;
  /** Webhook events (they carry the caller's number) queued before the cutoff, and their attempts. */
  webhookEvents: number;
  webhookDeliveries: number;
  /** Edge commands (an admin's hang-up names the call) asked before the cutoff. */
  edgeCommands: number;
}

/**
 * A column of the calls nothing has written since ?1, oldest first, at most ?2. The statements
 * run in one transaction, so the events and the calls they delete are of the same calls.
 */
const oldCalls = (column: 'id' | 'call_id') =>
  `SELECT ${column} FROM calls WHERE updated_at < ?1 ORDER BY updated_at, id LIMIT ?2`;

/**
 * Deletes, in one D1 transaction, at most `limit` calls whose record was last written before
 * `now - retentionDays` (by the Worker's clock: the decision, each event, the summary, an agent
 * choosing the caller) with their events; at most `limit` events older than that whose call has
 * no record; and at most `limit` caller matches already expired. Nothing younger is touched: a
 * call in progress is written at each event, and one whose end never came (lost while ringing
 * or answered) goes by its last event, its start or its answer.
 * @example await purgeExpiredCallData(env.DB, { nowMs: controller.scheduledTime, retentionDays: 90 })
 */
export async function purgeExpiredCallData(
  db: D1Database,
  opts: { nowMs: number; retentionDays: number; limit?: number },
): Promise<PurgeCounts> {
  const cutoff = new Date(opts.nowMs - opts.retentionDays * DAY_MS).toISOString();
  const limit = opts.limit ?? PURGE_BATCH_ROWS;
  const [
    events,
    calls,
    strayEvents,
    callerMatches,
    handoffs,
    webhookEvents,
    webhookDeliveries,
    edgeCommands,
  ] = await db.batch([
    db
      .prepare(`DELETE FROM call_events WHERE call_id IN (${oldCalls('call_id')})`)
      .bind(cutoff, limit),
    db.prepare(`DELETE FROM calls WHERE id IN (${oldCalls('id')})`).bind(cutoff, limit),
    db
      .prepare(
        `DELETE FROM call_events WHERE rowid IN (
           SELECT e.rowid FROM call_events e
           WHERE e.received_at < ?1 AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.call_id = e.call_id)
           LIMIT ?2)`,
      )
      .bind(cutoff, limit),
    db
      .prepare(
        'DELETE FROM caller_matches WHERE e164 IN (SELECT e164 FROM caller_matches WHERE expires_at <= ?1 LIMIT ?2)',
      )
      .bind(opts.nowMs, limit),
    // A handoff's calls follow it within minutes, so they go in about the same run.
    db
      .prepare(
        'DELETE FROM handoffs WHERE id IN (SELECT id FROM handoffs WHERE created_at < ?1 ORDER BY created_at LIMIT ?2)',
      )
      .bind(cutoff, limit),
    // Given up or delivered long before: an event is retried for about two days at most.
    db
      .prepare(
        'DELETE FROM webhook_outbox WHERE id IN (SELECT id FROM webhook_outbox WHERE created_at < ?1 ORDER BY created_at LIMIT ?2)',
      )
      .bind(cutoff, limit),
    db
      .prepare(
        'DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries WHERE at < ?1 ORDER BY id LIMIT ?2)',
      )
      .bind(cutoff, limit),
    // Finished within a minute of being asked; kept as long as the calls they name.
    db
      .prepare(
        'DELETE FROM edge_commands WHERE id IN (SELECT id FROM edge_commands WHERE created_at < ?1 ORDER BY created_at LIMIT ?2)',
      )
      .bind(cutoff, limit),
  ]);
  return {
    calls: calls?.meta.changes ?? 0,
    events: events?.meta.changes ?? 0,
    strayEvents: strayEvents?.meta.changes ?? 0,
    callerMatches: callerMatches?.meta.changes ?? 0,
    handoffs: handoffs?.meta.changes ?? 0,
    webhookEvents: webhookEvents?.meta.changes ?? 0,
    webhookDeliveries: webhookDeliveries?.meta.changes ?? 0,
    edgeCommands: edgeCommands?.meta.changes ?? 0,
  };
}

/**
 * The cron's purge, as of the run's scheduled time. Skipped (null) when RETENTION_DAYS is not
 * valid; what was deleted is logged as counts only.
 * @example ctx.waitUntil(purgeOnSchedule(env, controller.scheduledTime));
 */
export async function purgeOnSchedule(env: Env, nowMs: number): Promise<PurgeCounts | null> {
  const days = retentionDays(env);
  if (days === null) return null;
  try {
    const counts = await purgeExpiredCallData(env.DB, { nowMs, retentionDays: days });
    if (Object.values(counts).some((n) => n > 0)) {
      console.info(
        `retention purge (RETENTION_DAYS=${days}): deleted ${counts.calls} calls with ${counts.events} events, ` +
          `${counts.strayEvents} events without a call, ${counts.callerMatches} expired caller matches, ` +
          `${counts.handoffs} handoffs, ${counts.webhookEvents} webhook events with ${counts.webhookDeliveries} delivery attempts`,
      );
    }
    return counts;
  } catch (err) {
    console.error('retention purge failed; the next cron run tries again:', err);
    return null;
  }
}
