// Sends the due events of webhook_outbox: after the answer that queued them (waitUntil) and from
// the cron for retries. Each attempt is signed, has a short timeout, and is logged; a receiver that
// is slow or down only delays its own events, never a call.
import {
  WEBHOOK_EVENT_ID_HEADER,
  WEBHOOK_EVENT_TYPE_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
} from '@sip-bridge/contract/webhooks';
import type { WebhookDelivery } from '../schemas/webhooks';
import { signingSecrets, type WebhookRow } from './settings-store';
import { webhookSignature } from './signature';
import { webhookUrlProblem } from './url-policy';

/** Longest one attempt may take: a receiver that hangs costs this, then the next try is scheduled. */
export const WEBHOOK_ATTEMPT_TIMEOUT_MS = 5000;
/** Seconds to wait after attempt n (1-based) failed; after the last, the event is given up. */
export const WEBHOOK_RETRY_DELAYS_S = [
  10,
  30,
  120,
  600,
  3600,
  3 * 3600,
  6 * 3600,
  12 * 3600,
  24 * 3600,
];
/** Attempts an event gets in all (about 47 hours from the first to the last). */
export const WEBHOOK_MAX_ATTEMPTS = WEBHOOK_RETRY_DELAYS_S.length + 1;
/** Failed attempts to the primary URL after which the failover URL (when set) gets the event. */
export const PRIMARY_FAILURES_BEFORE_FAILOVER = 2;
/**
 * Events one pass sends at most, side by side. A Worker opens 6 connections at once, so a pass
 * to receivers that all hang takes about 2 × 5 s, inside the 30 s waitUntil allows.
 */
const PASS_LIMIT = 12;

/**
 * The clock and the per-attempt timer deliveries use. One object, so tests can replace either
 * (vi.spyOn) for the deliveries the Worker starts itself.
 */
export const webhookTiming = {
  now: (): number => Date.now(),
  attemptSignal: (ms: number): AbortSignal => AbortSignal.timeout(ms),
};

export interface DeliverDeps {
  db: D1Database;
  /** ZENDESK_ALLOW_LOCAL=1: loopback receivers may be used (local runs only). */
  allowLocal: boolean;
  now?: () => number;
  attemptSignal?: (ms: number) => AbortSignal;
  fetch?: typeof fetch;
}

interface OutboxRow {
  id: string;
  line_id: number;
  type: WebhookDelivery['type'];
  payload: string;
  attempts: number;
  primary_failures: number;
}

type AttemptResult = { statusCode: number | null; error: WebhookDelivery['error'] };

/**
 * Sends every event due now (at most PASS_LIMIT), each to its line's primary URL or, after two
 * failures there, its failover URL, and records each attempt. Never throws for a receiver.
 * @example ctx.waitUntil(deliverDueWebhooks({ db: env.DB, allowLocal: false }))
 */
export async function deliverDueWebhooks(deps: DeliverDeps): Promise<{ attempted: number }> {
  const now = deps.now ?? webhookTiming.now;
  const startMs = now();
  // Held past the whole pass, so a pass that died leaves the event to the next one.
  const leaseUntil = startMs + WEBHOOK_ATTEMPT_TIMEOUT_MS * 12;
  const claimed = await deps.db
    .prepare(
      `UPDATE webhook_outbox SET claimed_until = ?
       WHERE id IN (SELECT id FROM webhook_outbox
         WHERE state = 'pending' AND next_attempt_at <= ? AND claimed_until <= ?
         ORDER BY next_attempt_at LIMIT ?)
       RETURNING id, line_id, type, payload, attempts, primary_failures`,
    )
    .bind(leaseUntil, startMs, startMs, PASS_LIMIT)
    .all<OutboxRow>();
  if (!claimed.results.length) return { attempted: 0 };
  const lineIds = [...new Set(claimed.results.map((r) => r.line_id))];
  const hooks = new Map(
    (
      await deps.db
        .prepare(
          `SELECT * FROM line_webhooks WHERE line_id IN (${lineIds.map(() => '?').join(', ')})`,
        )
        .bind(...lineIds)
        .all<WebhookRow>()
    ).results.map((w) => [w.line_id, w]),
  );
  await Promise.all(
    claimed.results.map(async (row) => {
      const hook = hooks.get(row.line_id);
      if (!hook) return giveUpUnsendable(deps.db, row.id);
      return deliverOne(deps, now, row, hook);
    }),
  );
  return { attempted: claimed.results.length };
}

/** The line's webhook was removed since the event was queued: nothing to send it to. */
async function giveUpUnsendable(db: D1Database, id: string) {
  await db
    .prepare(`UPDATE webhook_outbox SET state = 'failed', claimed_until = 0 WHERE id = ?`)
    .bind(id)
    .run();
}

async function deliverOne(
  deps: DeliverDeps,
  now: () => number,
  row: OutboxRow,
  hook: WebhookRow,
): Promise<void> {
  const failover =
    row.primary_failures >= PRIMARY_FAILURES_BEFORE_FAILOVER && hook.failover_url !== null;
  const target = failover ? 'failover' : 'primary';
  const url = failover ? hook.failover_url! : hook.url;
  const result = await attempt(deps, now, url, row, hook);
  const attemptNo = row.attempts + 1;
  const doneMs = now();
  const delivered = result.error === null;
  const givingUp = !delivered && attemptNo >= WEBHOOK_MAX_ATTEMPTS;
  const nextMs =
    delivered || givingUp ? null : doneMs + WEBHOOK_RETRY_DELAYS_S[attemptNo - 1]! * 1000;
  const outcome = delivered ? 'delivered' : givingUp ? 'gave_up' : 'retry';
  await deps.db.batch([
    deps.db
      .prepare(
        `UPDATE webhook_outbox SET state = ?, attempts = ?, primary_failures = primary_failures + ?,
           next_attempt_at = COALESCE(?, next_attempt_at), claimed_until = 0
         WHERE id = ?`,
      )
      .bind(
        delivered ? 'delivered' : givingUp ? 'failed' : 'pending',
        attemptNo,
        !delivered && target === 'primary' ? 1 : 0,
        nextMs,
        row.id,
      ),
    deps.db
      .prepare(
        `INSERT INTO webhook_deliveries (line_id, event_id, type, target, url, attempt, status_code,
           error, outcome, at, next_attempt_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(
        row.line_id,
        row.id,
        row.type,
        target,
        url,
        attemptNo,
        result.statusCode,
        result.error,
        outcome,
        new Date(doneMs).toISOString(),
        nextMs === null ? null : new Date(nextMs).toISOString(),
      ),
  ]);
}

/** One signed POST of the event's stored body; 2xx is delivered, anything else a failure. */
async function attempt(
  deps: DeliverDeps,
  now: () => number,
  url: string,
  row: OutboxRow,
  hook: WebhookRow,
): Promise<AttemptResult> {
  // The setting may predate a change of ZENDESK_ALLOW_LOCAL: checked again before each send.
  if (webhookUrlProblem(url, deps.allowLocal)) return { statusCode: null, error: 'url_refused' };
  const nowMs = now();
  const signature = await webhookSignature(
    signingSecrets(hook, nowMs),
    Math.floor(nowMs / 1000),
    row.payload,
  );
  const send = deps.fetch ?? ((input, init) => fetch(input, init));
  try {
    const res = await send(url, {
      method: 'POST',
      body: row.payload,
      // A redirect is not a delivery: it could lead anywhere, plain http included.
      redirect: 'manual',
      signal: (deps.attemptSignal ?? webhookTiming.attemptSignal)(WEBHOOK_ATTEMPT_TIMEOUT_MS),
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'sip-bridge-webhooks/1',
        [WEBHOOK_EVENT_ID_HEADER]: row.id,
        [WEBHOOK_EVENT_TYPE_HEADER]: row.type,
        [WEBHOOK_SIGNATURE_HEADER]: signature,
      },
    });
    await res.body?.cancel();
    return res.status >= 200 && res.status < 300
      ? { statusCode: res.status, error: null }
      : { statusCode: res.status, error: 'http_status' };
  } catch (err) {
    const name = (err as { name?: string }).name;
    return {
      statusCode: null,
      error: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network',
    };
  }
}

/** Passes a cron run makes at most while events stay due (a backlog: 10 × 12 events a run). */
export const CRON_PASSES = 10;

/**
 * The deliveries the Worker runs itself, with its settings: one pass after an answer (inside
 * waitUntil's 30 s), up to CRON_PASSES from the cron while events stay due. Logs a failed pass,
 * never its payload or a secret.
 */
export async function deliverWebhooksFromEnv(
  env: { DB: D1Database; ZENDESK_ALLOW_LOCAL?: string },
  passes = 1,
): Promise<void> {
  try {
    for (let pass = 0; pass < passes; pass++) {
      const { attempted } = await deliverDueWebhooks({
        db: env.DB,
        allowLocal: env.ZENDESK_ALLOW_LOCAL === '1',
      });
      if (attempted < PASS_LIMIT) return;
    }
  } catch (err) {
    console.error('webhook delivery pass failed', String(err));
  }
}
