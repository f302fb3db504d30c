import { findLinkableHandoff, type LinkableHandoff } from '../handoffs/store';
import type { LineConfig } from '../lines/store';
import { callerIdentity } from '../phone/normalize';
import type { CallEvent, Decision } from '@sip-bridge/contract/edge';
import { callInsert, NEXT_SEQ, sameCall } from './record';
import { parseTicketId } from '@sip-bridge/contract/ticket-id';
import { timeline, type StoredEvent } from './timeline';
import { decisionWebhook, lifecycleWebhooks } from '../webhooks/call-events';

export type EventStatus = 'applied' | 'duplicate' | 'unknown_call';

interface CallInfo {
  price: number | null;
  call_summary: string | null;
  /** What a webhook event tells of the call. */
  line_slug: string;
  decision: string;
  ticket_id: number | null;
  caller_e164: string | null;
  caller_kind: 'e164' | 'withheld' | 'invalid';
  received_at: string;
  /** 1 when the call's line has a webhook: only then are its events queued (D1 counts statements). */
  has_webhook: number;
}

/** D1 allows 100 bound parameters per statement: look calls up in chunks well under that. */
const IN_CHUNK = 50;

async function selectIn<T>(
  db: D1Database,
  sql: (marks: string) => string,
  ids: string[],
): Promise<T[]> {
  const rows: T[] = [];
  for (let i = 0; i < ids.length; i += IN_CHUNK) {
    const chunk = ids.slice(i, i + IN_CHUNK);
    const res = await db
      .prepare(sql(chunk.map(() => '?').join(', ')))
      .bind(...chunk)
      .all<T>();
    rows.push(...res.results);
  }
  return rows;
}

/**
 * The record of a call whose decision never reached the API (the edge failed open). Its ticket
 * header is kept unverified, unless it names the ticket of a handoff the call is linked to: that
 * ticket is known, as a decision would have found it.
 */
function unreachedDecision(
  e164: string | null,
  withheld: boolean,
  line: LineConfig | null,
  ticket: ReturnType<typeof parseTicketId> | null,
  handoff: LinkableHandoff | null,
): Decision {
  const ticketId = ticket?.ok ? ticket.id : null;
  return {
    action: 'relay',
    headers: [],
    targets: line?.sipTargets ?? [],
    call: {
      caller_e164: e164,
      match: withheld ? 'withheld' : 'unavailable',
      ticket_id: ticketId,
      ticket_link: ticketId === null ? 'none' : handoff ? 'passed' : 'passed_unverified',
      // As a decision tells it: the caller when the call comes from the handoff's number, else
      // unknown (AI platforms often call from their own); never a mismatch.
      ...(handoff ? { ticket_requester_mismatch: e164 === handoff.callerE164 ? false : null } : {}),
      degraded: [
        'decision:not_received',
        ...(ticket && !ticket.ok ? [`ticket:${ticket.reason}`] : []),
      ],
    },
  };
}

/**
 * The handoff a call recorded from its events belongs to: one of its line, for the ticket its
 * header names (the edge-validated X-Zendesk-Ticket-Id in the facts), made by `cameBy` and not
 * expired then. `cameBy` is when the INVITE came (`received_at`) or, as the edge agent leaves that
 * out, the call's first event: the INVITE came earlier still, so a call whose first event comes
 * after the handoff expired is not linked even if it rang in time.
 */
async function eventOnlyHandoff(
  db: D1Database,
  line: LineConfig | null,
  ticket: ReturnType<typeof parseTicketId> | null,
  cameBy: string,
): Promise<LinkableHandoff | null> {
  if (!line || !ticket?.ok) return null;
  return findLinkableHandoff(db, line.id, ticket.id, cameBy, { madeBefore: cameBy });
}

/**
 * The events (by index) of INVITEs that reused the Call-ID of a call from another line or source
 * address: they are not that call's events, and must not end or change its record.
 */
async function foreignEvents(db: D1Database, events: CallEvent[]): Promise<Set<number>> {
  const withFacts = [...new Set(events.filter((e) => e.call).map((e) => e.call_id))];
  if (!withFacts.length) return new Set();
  const rows = new Map(
    (
      await selectIn<{ call_id: string; line_slug: string; source_ip: string }>(
        db,
        (marks) => `SELECT call_id, line_slug, source_ip FROM calls WHERE call_id IN (${marks})`,
        withFacts,
      )
    ).map((r) => [r.call_id, r]),
  );
  const foreign = new Set<number>();
  events.forEach((e, i) => {
    const row = rows.get(e.call_id);
    if (row && e.call && !sameCall(row, e.call)) {
      foreign.add(i);
    }
  });
  return foreign;
}

/**
 * Applies a batch of lifecycle events in a constant number of D1 round trips. Each (Call-ID,
 * kind) is stored once; every touched record's timeline is then recomputed from all its stored
 * events, so retries and out-of-order delivery give the same record.
 * Returns one status per event, in order, the Call-IDs whose summary became due, and how many
 * webhook events were queued (call.received for a call recorded here, call.answered, call.ended).
 */
export async function applyCallEvents(
  db: D1Database,
  events: CallEvent[],
  lineFor: (slug: string) => Promise<LineConfig | null>,
  nowMs = Date.now(),
): Promise<{ statuses: EventStatus[]; summariesDue: string[]; webhooksQueued: number }> {
  const now = new Date(nowMs).toISOString();
  const foreign = await foreignEvents(db, events);
  const own = events.filter((_, i) => !foreign.has(i));
  const inserted = own.length
    ? await db.batch(
        own.map((e) =>
          db
            .prepare(
              `INSERT INTO call_events (call_id, kind, at, sip_code, reason, cause, received_at)
               VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call_id, kind) DO NOTHING`,
            )
            .bind(
              e.call_id,
              e.kind,
              e.at,
              e.sip_code ?? null,
              e.reason ?? null,
              e.cause ?? null,
              now,
            ),
        ),
      )
    : [];
  let next = 0;
  const statuses: EventStatus[] = events.map((_, i) =>
    foreign.has(i)
      ? 'unknown_call'
      : inserted[next++]?.meta.changes === 1
        ? 'applied'
        : 'duplicate',
  );
  // Every call the batch names is brought up to date, duplicates included: a delivery whose
  // events were stored but whose record update never ran (the isolate died in between) is sent
  // again by the edge, and must then finish the record rather than be skipped as a duplicate.
  const callIds = [...new Set(own.map((e) => e.call_id))];
  if (!callIds.length) return { statuses, summariesDue: [], webhooksQueued: 0 };

  const infos = new Map<string, CallInfo>(
    (
      await selectIn<CallInfo & { call_id: string }>(
        db,
        (marks) => `SELECT c.call_id, l.price_per_minute_micros AS price, l.call_summary,
            c.line_slug, c.decision, c.ticket_id, c.caller_e164, c.caller_kind, c.received_at,
            EXISTS (SELECT 1 FROM line_webhooks w WHERE w.line_id = c.line_id) AS has_webhook
          FROM calls c LEFT JOIN lines l ON l.id = c.line_id WHERE c.call_id IN (${marks})`,
        callIds,
      )
    ).map(({ call_id, ...info }) => [call_id, info]),
  );

  // Calls the decision never reached: record them from the facts the edge attached.
  const missing = callIds.filter((id) => !infos.has(id));
  const inserts: D1PreparedStatement[] = [];
  const receivedHooks: number[] = [];
  for (const id of missing) {
    const facts = own.find((e) => e.call_id === id && e.call)?.call;
    if (!facts) continue;
    const line = await lineFor(facts.line);
    const caller = callerIdentity(
      { from: facts.sip.from, pAssertedIdentity: facts.sip.p_asserted_identity },
      line?.defaultCountry ?? 'US',
    );
    const e164 = caller.kind === 'e164' ? caller.e164 : null;
    const ticket = facts.ticket_id ? parseTicketId(facts.ticket_id) : null;
    const firstEventMs = Math.min(
      Date.parse(now),
      ...own.filter((e) => e.call_id === id).map((e) => Date.parse(e.at)),
    );
    const cameMs = facts.received_at ? Date.parse(facts.received_at) : firstEventMs;
    const handoff = await eventOnlyHandoff(db, line, ticket, new Date(cameMs).toISOString());
    const decision = unreachedDecision(e164, caller.kind === 'withheld', line, ticket, handoff);
    inserts.push(
      callInsert(db, facts, {
        lineId: line?.id ?? null,
        callerKind: caller.kind,
        callerE164: e164,
        now,
        outcome: { decision, matchedUserId: null, candidates: [] },
      }),
    );
    receivedHooks.push(inserts.length);
    inserts.push(decisionWebhook(db, facts, decision, caller.kind, nowMs));
    if (handoff) {
      // callInsert keeps neither the handoff nor the requester check: set them on the row just
      // inserted (its decision is this one), in the same batch.
      inserts.push(
        db
          .prepare(
            `UPDATE calls SET handoff_id = ?, ticket_requester_mismatch = ?
             WHERE call_id = ? AND handoff_id IS NULL AND decision_json = ?`,
          )
          .bind(
            handoff.id,
            decision.call.ticket_requester_mismatch === false ? 0 : null,
            id,
            JSON.stringify(decision),
          ),
      );
    }
    infos.set(id, {
      price: line?.pricePerMinuteMicros ?? null,
      call_summary: line?.callSummary ?? null,
      line_slug: facts.line,
      decision: decision.action,
      ticket_id: decision.call.ticket_id,
      caller_e164: e164,
      caller_kind: caller.kind,
      received_at: facts.received_at ?? now,
      // Rare (the decision never came): the statements below find out themselves.
      has_webhook: 1,
    });
  }
  const insertResults = inserts.length ? await db.batch(inserts) : [];
  let webhooksQueued = receivedHooks.filter((i) => insertResults[i]?.meta.changes === 1).length;
  events.forEach((e, i) => {
    if (statuses[i] === 'applied' && !infos.has(e.call_id)) statuses[i] = 'unknown_call';
  });

  const known = callIds.filter((id) => infos.has(id));
  if (!known.length) return { statuses, summariesDue: [], webhooksQueued };
  const stored = await selectIn<StoredEvent & { call_id: string }>(
    db,
    (marks) =>
      `SELECT call_id, kind, at, sip_code, reason, cause FROM call_events WHERE call_id IN (${marks}) ORDER BY at`,
    known,
  );
  // Each record's update, then the webhook events it caused, in one batch.
  const webhookStatements = new Set<D1PreparedStatement>();
  const updates = known.flatMap((id) => {
    const info = infos.get(id)!;
    const endedBy = own.filter((e) => e.call_id === id && e.ended_by).at(-1)?.ended_by;
    const t = timeline(
      stored.filter((s) => s.call_id === id),
      endedBy,
      info.price ?? 10_000,
    );
    const update = db
      .prepare(
        `UPDATE calls SET status = CASE WHEN decision = 'reject' THEN 'rejected' ELSE ? END,
           answered_at = ?, ended_at = ?, duration_s = ?, final_code = ?, final_reason = ?,
           final_cause = CASE WHEN ended_by_admin IS NOT NULL AND ? = 'completed'
             THEN 'admin_hangup' ELSE ? END,
           ended_by = CASE WHEN ended_by_admin IS NOT NULL AND ? = 'completed'
             THEN 'admin' ELSE COALESCE(?, ended_by) END,
           cost_micros = ?,
           summary_status = CASE WHEN summary_status = 'none' AND ? AND ticket_id IS NOT NULL AND ? != 'none'
             THEN 'pending' ELSE summary_status END,
           seq = ${NEXT_SEQ}, updated_at = ?
         WHERE call_id = ? RETURNING call_id, summary_status`,
      )
      .bind(
        t.status,
        t.answeredAt,
        t.endedAt,
        t.durationS,
        t.finalCode,
        t.finalReason,
        // An admin's hang-up that Kamailio carried out (edge_commands) names the admin as the end.
        t.status,
        t.finalCause,
        t.status,
        t.terminal ? (endedBy ?? null) : null,
        t.costMicros,
        t.terminal ? 1 : 0,
        info.call_summary ?? 'none',
        now,
        id,
      );
    const webhooks =
      info.decision === 'relay' && info.has_webhook
        ? lifecycleWebhooks(
            db,
            {
              callId: id,
              line: info.line_slug,
              callerE164: info.caller_e164,
              callerKind: info.caller_kind,
              ticketId: info.ticket_id,
              receivedAt: info.received_at,
              timeline: t,
            },
            nowMs,
          )
        : [];
    webhooks.forEach((w) => webhookStatements.add(w));
    return [update, ...webhooks];
  });
  const updated = await db.batch<{ call_id: string; summary_status: string }>(updates);
  webhooksQueued += updated.filter(
    (r, i) => webhookStatements.has(updates[i]!) && r.meta.changes === 1,
  ).length;
  const summariesDue = updated.flatMap((r) =>
    r.results.filter((row) => row.summary_status === 'pending').map((row) => row.call_id),
  );
  return { statuses, summariesDue, webhooksQueued };
}
