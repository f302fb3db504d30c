import type { LineConfig } from '../lines/store';
import { callerIdentity } from '../phone/normalize';
import type { CallEvent } from '../schemas/edge';
import { callCostMicros, callDurationSeconds } from './cost';
import { callInsert, NEXT_SEQ } from './record';

export type EventStatus = 'applied' | 'duplicate' | 'unknown_call';

interface StoredEvent {
  kind: CallEvent['kind'];
  at: string;
  sip_code: number | null;
  reason: string | null;
}

const TERMINAL = new Set(['ended', 'failed', 'cancelled']);

/**
 * Applies one lifecycle event. Each (Call-ID, kind) is stored once; the record's timeline is then
 * recomputed from every stored event, so retries and out-of-order delivery give the same record.
 */
export async function applyCallEvent(
  db: D1Database,
  event: CallEvent,
  lineFor: (slug: string) => Promise<LineConfig | null>,
): Promise<{ status: EventStatus; summaryDue: boolean }> {
  const now = new Date().toISOString();
  const inserted = await db
    .prepare(
      `INSERT INTO call_events (call_id, kind, at, sip_code, reason, received_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (call_id, kind) DO NOTHING`,
    )
    .bind(event.call_id, event.kind, event.at, event.sip_code ?? null, event.reason ?? null, now)
    .run();
  if (inserted.meta.changes !== 1) return { status: 'duplicate', summaryDue: false };

  let call = await db
    .prepare(
      'SELECT c.line_slug, c.line_id, l.price_per_minute_micros AS price, l.call_summary FROM calls c LEFT JOIN lines l ON l.id = c.line_id WHERE c.call_id = ?',
    )
    .bind(event.call_id)
    .first<{
      line_slug: string;
      line_id: number | null;
      price: number | null;
      call_summary: string | null;
    }>();
  if (!call && event.call) {
    // The decision never reached us (the edge failed open): record the call from the event's facts.
    const line = await lineFor(event.call.line);
    const caller = callerIdentity(
      { from: event.call.sip.from, pAssertedIdentity: event.call.sip.p_asserted_identity },
      line?.defaultCountry ?? 'US',
    );
    const e164 = caller.kind === 'e164' ? caller.e164 : null;
    const ticketId = event.call.ticket_id ? Number(event.call.ticket_id) : null;
    const decision = {
      action: 'relay' as const,
      headers: [],
      targets: line?.sipTargets ?? [],
      call: {
        caller_e164: e164,
        match: caller.kind === 'withheld' ? ('withheld' as const) : ('unavailable' as const),
        ticket_id: ticketId,
        ticket_link: ticketId !== null ? ('passed_unverified' as const) : ('none' as const),
        degraded: ['decision:not_received'],
      },
    };
    await callInsert(db, event.call, {
      lineId: line?.id ?? null,
      callerKind: caller.kind,
      callerE164: e164,
      now,
      outcome: { decision, matchedUserId: null, candidates: [] },
    }).run();
    call = {
      line_slug: event.call.line,
      line_id: line?.id ?? null,
      price: line?.pricePerMinuteMicros ?? null,
      call_summary: line?.callSummary ?? null,
    };
  }
  if (!call) return { status: 'unknown_call', summaryDue: false };

  const events = (
    await db
      .prepare('SELECT kind, at, sip_code, reason FROM call_events WHERE call_id = ? ORDER BY at')
      .bind(event.call_id)
      .all<StoredEvent>()
  ).results;
  const t = timeline(events, event.ended_by, call.price ?? 10_000);
  const res = await db
    .prepare(
      `UPDATE calls SET status = CASE WHEN decision = 'reject' THEN 'rejected' ELSE ? END,
         answered_at = ?, ended_at = ?, duration_s = ?, final_code = ?, final_reason = ?,
         ended_by = COALESCE(?, ended_by), cost_micros = ?,
         summary_status = CASE WHEN summary_status = 'none' AND ? AND ticket_id IS NOT NULL AND ? != 'none'
           THEN 'pending' ELSE summary_status END,
         seq = ${NEXT_SEQ}, updated_at = ?
       WHERE call_id = ? RETURNING summary_status`,
    )
    .bind(
      t.status,
      t.answeredAt,
      t.endedAt,
      t.durationS,
      t.finalCode,
      t.finalReason,
      t.terminal ? (event.ended_by ?? null) : null,
      t.costMicros,
      t.terminal ? 1 : 0,
      call.call_summary ?? 'none',
      now,
      event.call_id,
    )
    .first<{ summary_status: string }>();
  return { status: 'applied', summaryDue: res?.summary_status === 'pending' };
}

/** Derives the record's timeline from its stored events. */
export function timeline(
  events: StoredEvent[],
  endedBy: string | undefined,
  pricePerMinuteMicros: number,
) {
  const answered = events.find((e) => e.kind === 'answered');
  const terminals = events.filter((e) => TERMINAL.has(e.kind));
  // A call that was answered ends with 'ended'; otherwise the first failure or cancel is final.
  const end =
    (answered && terminals.find((e) => e.kind === 'ended')) ??
    terminals.find((e) => e.kind !== 'ended') ??
    terminals[0];
  const durationS = answered && end ? callDurationSeconds(answered.at, end.at) : end ? 0 : null;
  const status = end
    ? end.kind === 'ended'
      ? 'completed'
      : end.kind === 'failed'
        ? 'failed'
        : 'cancelled'
    : answered
      ? 'answered'
      : 'ringing';
  const finalCode = end
    ? (end.sip_code ?? (end.kind === 'cancelled' ? 487 : end.kind === 'ended' ? 200 : null))
    : null;
  const finalReason = end
    ? (end.reason ??
      (end.kind === 'cancelled'
        ? 'Request Terminated'
        : end.kind === 'ended'
          ? `BYE${endedBy ? ` from ${endedBy}` : ''}`
          : null))
    : null;
  return {
    status,
    terminal: Boolean(end),
    answeredAt: answered?.at ?? null,
    endedAt: end?.at ?? null,
    durationS,
    finalCode,
    finalReason,
    costMicros: durationS === null ? null : callCostMicros(durationS, pricePerMinuteMicros),
  };
}
