import { displayNumber, displayStoredPhone } from '../phone/display';
import type { CallRecord } from '@sip-bridge/contract/calls';
import type { CallContext } from '@sip-bridge/contract/call-context';
import type { CallHandoff } from '@sip-bridge/contract/handoff';
import { loadCallHandoffs } from '../handoffs/store';
import type { CallFacts, Decision } from '@sip-bridge/contract/edge';
import type { MappedContext } from './context-headers';
import { formatUsd } from './cost';

/** A calls row as stored in D1. */
export interface CallRow {
  id: number;
  call_id: string;
  line_id: number | null;
  line_slug: string;
  source_ip: string;
  source_port: number | null;
  transport: string | null;
  acl_entry: string | null;
  from_uri: string;
  to_uri: string;
  request_uri: string;
  p_asserted_identity: string | null;
  user_agent: string | null;
  codecs: string;
  caller_e164: string | null;
  caller_kind: CallRecord['caller']['kind'];
  match_result: CallRecord['caller']['match'];
  matched_user_id: number | null;
  match_candidates: string;
  passed_ticket_id: string | null;
  ticket_id: number | null;
  ticket_link: CallRecord['ticket']['link'];
  ticket_requester_mismatch: number | null;
  decision: CallRecord['decision']['action'];
  reject_code: number | null;
  reject_reason: string | null;
  degraded: string;
  decision_json: string | null;
  status: CallRecord['status'];
  received_at: string;
  answered_at: string | null;
  ended_at: string | null;
  duration_s: number | null;
  final_code: number | null;
  final_reason: string | null;
  final_cause: string | null;
  /** The routing rule that routed the call (migration 0020), NULL: the line's targets. */
  route_rule_id: string | null;
  route_rule_name: string | null;
  ended_by: string | null;
  /** Who ended the call from the console or the admin API (`zendesk_user:<id>`, `admin_token`). */
  ended_by_admin: string | null;
  cost_micros: number | null;
  summary_status: string;
  summary_attempts: number;
  /** The AI-agent handoff the call was linked to. */
  handoff_id: string | null;
  /** The mapped context headers ({items, refused}), or null when the call carried none mapped. */
  context_json: string | null;
  context_status: 'none' | 'not_applied' | 'pending' | 'posting' | 'posted' | 'failed';
  context_attempts: number;
  /** The ticket's requester, set after the caller's user was made (caller-users.ts). */
  requester_status: 'none' | 'waiting' | 'pending' | 'posting' | 'posted' | 'failed';
  requester_attempts: number;
  seq: number;
  created_at: string;
  updated_at: string;
}

/** Next value of the change counter, computed inside the writing statement (SQLite serializes writes). */
export const NEXT_SEQ = '(SELECT COALESCE(MAX(seq), 0) + 1 FROM calls)';
/**
 * The same for an UPDATE of several calls at once, where NEXT_SEQ would give them all one value:
 * each row's id above the current maximum, so the values are new, distinct and increasing.
 */
export const NEXT_SEQ_EACH = '(SELECT COALESCE(MAX(seq), 0) FROM calls) + id';

/**
 * The stored call and these facts came from the same line and source address: a Call-ID is
 * global, so facts from elsewhere under a known Call-ID are another caller's, not this call's.
 */
export function sameCall(
  row: Pick<CallRow, 'line_slug' | 'source_ip'>,
  facts: Pick<CallFacts, 'line' | 'source'>,
): boolean {
  return row.line_slug === facts.line && row.source_ip === facts.source.ip;
}

export async function findCall(db: D1Database, callId: string): Promise<CallRow | null> {
  return db.prepare('SELECT * FROM calls WHERE call_id = ?').bind(callId).first<CallRow>();
}

export interface DecisionOutcome {
  decision: Decision;
  matchedUserId: number | null;
  candidates: { id: number; name: string; phone: string | null }[];
  /** The handoff whose ticket the call carried, when it was linked to it. */
  handoffId?: string | null;
  /** What the line's context mapping made of the call's headers. */
  context?: MappedContext | null;
}

/**
 * The context columns for a decided call: due for its ticket when the call is relayed with one
 * and something can be written; recorded, not applied, otherwise.
 */
function contextColumns(o: DecisionOutcome | undefined) {
  const ctx = o?.context;
  if (!o || !ctx || (ctx.items.length === 0 && ctx.refused.length === 0)) {
    return { context_json: null, context_status: 'none' as const };
  }
  const due =
    o.decision.action === 'relay' && o.decision.call.ticket_id !== null && ctx.items.length > 0;
  return {
    context_json: JSON.stringify(ctx),
    context_status: due ? ('pending' as const) : ('not_applied' as const),
  };
}

/** Whether the decided call has context on its way to its ticket. */
export const contextDue = (o: DecisionOutcome) => contextColumns(o).context_status === 'pending';

/** What is known about a call before it is decided: its line, its caller, and when. */
export interface CallInit {
  lineId: number | null;
  callerKind: CallRow['caller_kind'];
  callerE164: string | null;
  now: string;
}

/**
 * The INSERT for a new call row: 'pending' (a claim, completed later) or, with `outcome`, complete.
 * It never overwrites a row with the same Call-ID. With `unlessNonceSeen`, nothing is inserted
 * when that nonce was already spent, so a replayed request writes nothing.
 */
export function callInsert(
  db: D1Database,
  facts: CallFacts,
  init: CallInit & { outcome?: DecisionOutcome; unlessNonceSeen?: string },
): D1PreparedStatement {
  const o = init.outcome;
  const d = o?.decision;
  const values: Record<string, unknown> = {
    call_id: facts.call_id,
    line_id: init.lineId,
    line_slug: facts.line,
    source_ip: facts.source.ip,
    source_port: facts.source.port ?? null,
    transport: facts.source.transport ?? null,
    acl_entry: facts.acl_entry ?? null,
    from_uri: facts.sip.from,
    to_uri: facts.sip.to,
    request_uri: facts.sip.request_uri,
    p_asserted_identity: facts.sip.p_asserted_identity ?? null,
    user_agent: facts.sip.user_agent ?? null,
    codecs: JSON.stringify(facts.codecs),
    caller_e164: init.callerE164,
    caller_kind: init.callerKind,
    match_result: d?.call.match ?? 'unavailable',
    matched_user_id: o?.matchedUserId ?? null,
    match_candidates: JSON.stringify(o?.candidates ?? []),
    passed_ticket_id: facts.ticket_id ?? null,
    ticket_id: d?.call.ticket_id ?? null,
    ticket_link: d?.call.ticket_link ?? 'none',
    decision: d?.action ?? 'pending',
    reject_code: d?.code ?? null,
    reject_reason: d?.reason ?? null,
    degraded: JSON.stringify(d?.call.degraded ?? []),
    decision_json: d ? JSON.stringify(d) : null,
    route_rule_id: d?.route_rule?.id ?? null,
    route_rule_name: d?.route_rule?.name ?? null,
    status: d?.action === 'reject' ? 'rejected' : 'ringing',
    received_at: facts.received_at ?? init.now,
    ...contextColumns(o),
    created_at: init.now,
    updated_at: init.now,
  };
  const columns = Object.keys(values);
  const guard = init.unlessNonceSeen
    ? 'NOT EXISTS (SELECT 1 FROM edge_nonces WHERE nonce = ?)'
    : 'true';
  return db
    .prepare(
      `INSERT INTO calls (${columns.join(', ')}, seq)
       SELECT ${columns.map(() => '?').join(', ')}, ${NEXT_SEQ} WHERE ${guard}
       ON CONFLICT (call_id) DO NOTHING`,
    )
    .bind(...Object.values(values), ...(init.unlessNonceSeen ? [init.unlessNonceSeen] : []));
}

/**
 * Inserts the call as 'pending' unless a row with this Call-ID exists.
 * Only the request that inserted it goes on to decide, so a retried INVITE never decides twice.
 */
export async function claimCall(
  db: D1Database,
  facts: CallFacts,
  init: CallInit,
): Promise<boolean> {
  return (await callInsert(db, facts, init).run()).meta.changes === 1;
}

/** Takes over a decision left 'pending' by a request that died, so the call is not stuck. */
export async function reclaimStaleCall(
  db: D1Database,
  callId: string,
  staleBefore: string,
  now: string,
) {
  const res = await db
    .prepare(
      `UPDATE calls SET updated_at = ? WHERE call_id = ? AND decision = 'pending' AND updated_at < ?`,
    )
    .bind(now, callId, staleBefore)
    .run();
  return res.meta.changes === 1;
}

/** Records a ticket the bridge created as soon as it exists, so a takeover never creates a second one. */
export async function recordCreatedTicket(db: D1Database, callId: string, ticketId: number) {
  await db
    .prepare(`UPDATE calls SET ticket_id = ?, ticket_link = 'created' WHERE call_id = ?`)
    .bind(ticketId, callId)
    .run();
}

/**
 * Stores the decision and everything learnt while making it, with `alongside` (what it caused,
 * e.g. a webhook event) in the same batch; answers the batch's results.
 */
export async function completeDecision(
  db: D1Database,
  callId: string,
  o: DecisionOutcome,
  now: string,
  alongside: D1PreparedStatement[] = [],
): Promise<D1Result[]> {
  const d = o.decision;
  const context = contextColumns(o);
  const update = db
    .prepare(
      `UPDATE calls SET match_result = ?, matched_user_id = ?, match_candidates = ?, ticket_id = ?,
         ticket_link = ?, ticket_requester_mismatch = ?, decision = ?, reject_code = ?, reject_reason = ?,
         degraded = ?, decision_json = ?, status = ?, handoff_id = ?, context_json = ?,
         context_status = ?, route_rule_id = ?, route_rule_name = ?, seq = ${NEXT_SEQ}, updated_at = ?
       WHERE call_id = ?`,
    )
    .bind(
      d.call.match,
      o.matchedUserId,
      JSON.stringify(o.candidates),
      d.call.ticket_id,
      d.call.ticket_link,
      toFlag(d.call.ticket_requester_mismatch),
      d.action,
      d.code ?? null,
      d.reason ?? null,
      JSON.stringify(d.call.degraded),
      JSON.stringify(d),
      d.action === 'reject' ? 'rejected' : 'ringing',
      o.handoffId ?? null,
      context.context_json,
      context.context_status,
      d.route_rule?.id ?? null,
      d.route_rule?.name ?? null,
      now,
      callId,
    );
  return db.batch([update, ...alongside]);
}

/** A boolean column: 1, 0, or NULL when unknown. */
const toFlag = (v: boolean | null | undefined) =>
  v === undefined || v === null ? null : v ? 1 : 0;

/** The record in the shape the API serves, with its handoff (see toCallRecords). */
export function toCallRecord(row: CallRow, handoff: CallHandoff | null = null): CallRecord {
  return {
    call_id: row.call_id,
    line: row.line_slug,
    status: row.status,
    source: {
      ip: row.source_ip,
      port: row.source_port,
      transport: row.transport,
      acl_entry: row.acl_entry,
    },
    sip: {
      from: row.from_uri,
      to: row.to_uri,
      request_uri: row.request_uri,
      p_asserted_identity: row.p_asserted_identity,
      user_agent: row.user_agent,
    },
    codecs: JSON.parse(row.codecs) as string[],
    caller: {
      e164: row.caller_e164,
      display: displayNumber(row.caller_e164),
      kind: row.caller_kind,
      match: row.match_result,
      user_id: row.matched_user_id,
      candidates: (JSON.parse(row.match_candidates) as DecisionOutcome['candidates']).map((c) => ({
        ...c,
        phone_display: c.phone === null ? null : displayStoredPhone(c.phone, row.caller_e164),
      })),
    },
    ticket: {
      id: row.ticket_id,
      link: row.ticket_link,
      passed_id: row.passed_ticket_id,
      requester_mismatch:
        row.ticket_requester_mismatch === null ? null : row.ticket_requester_mismatch === 1,
    },
    decision: {
      action: row.decision,
      code: row.reject_code,
      reason: row.reject_reason,
      degraded: JSON.parse(row.degraded) as string[],
    },
    timeline: {
      received_at: row.received_at,
      answered_at: row.answered_at,
      ended_at: row.ended_at,
    },
    duration_s: row.duration_s,
    final: {
      code: row.final_code,
      reason: row.final_reason,
      ended_by: row.ended_by,
      cause: row.final_cause,
      ended_by_admin: row.ended_by_admin,
    },
    cost: {
      micros: row.cost_micros,
      usd: row.cost_micros === null ? null : formatUsd(row.cost_micros),
    },
    summary_status: row.summary_status,
    route_rule:
      row.route_rule_id === null
        ? null
        : { id: row.route_rule_id, name: row.route_rule_name ?? '' },
    handoff,
    context: callContext(row),
    updated_at: row.updated_at,
  };
}

function callContext(row: CallRow): CallContext | null {
  if (!row.context_json || row.context_status === 'none') return null;
  const { items, refused } = JSON.parse(row.context_json) as MappedContext;
  const status = row.context_status === 'posting' ? 'pending' : row.context_status;
  return { status, items, refused };
}

/** Records with their handoffs, read in one more query when any call has one. */
export async function toCallRecords(db: D1Database, rows: CallRow[]): Promise<CallRecord[]> {
  const ids = rows.flatMap((r) => (r.handoff_id ? [r.handoff_id] : []));
  const handoffs = ids.length ? await loadCallHandoffs(db, ids) : new Map<string, CallHandoff>();
  return rows.map((r) => toCallRecord(r, (r.handoff_id && handoffs.get(r.handoff_id)) || null));
}

/** Calls linked to a ticket, newest first. */
export async function listCallsForTicket(
  db: D1Database,
  ticketId: number,
  limit = 50,
): Promise<CallRow[]> {
  const res = await db
    .prepare('SELECT * FROM calls WHERE ticket_id = ? ORDER BY received_at DESC, id DESC LIMIT ?')
    .bind(ticketId, limit)
    .all<CallRow>();
  return res.results;
}
