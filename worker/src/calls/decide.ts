import type { CountryCode } from 'libphonenumber-js';
import { nonceInsert, spendNonce, type EdgeNonce } from '../auth/edge-signature';
import { spendCreation } from '../lines/creation-cap';
import { lineSnapshot, type LineSnapshot } from '../lines/line-cache';
import type { LineConfig } from '../lines/store';
import { callerIdentity, type CallerNumber } from '../phone/normalize';
import type { Decision, DecisionRequest } from '@sip-bridge/contract/edge';
import type { ZendeskClient } from '../zendesk/client';
import { findLinkableHandoff, type LinkableHandoff } from '../handoffs/store';
import { verifyPassedTicket, type TicketCheck } from './link-ticket';
import { parseTicketId } from '@sip-bridge/contract/ticket-id';
import { callerUserPlan, findCallerUser, waitForCallerUser } from './caller-users';
import { displayNumber } from '../phone/display';
import { peekCachedMatch } from './match-cache';
import { matchCaller, type CallerMatch } from './match-caller';
import {
  callInsert,
  claimCall,
  completeDecision,
  contextDue,
  findCall,
  reclaimStaleCall,
  recordCreatedTicket,
  sameCall,
  type CallRow,
  type DecisionOutcome,
} from './record';
import { callTicket } from './ticket-content';
import { mapContext } from './context-headers';
import { decisionWebhook } from '../webhooks/call-events';
import { indexedUser } from '../phone-index/store';
import { chooseRule, rulesReadUser, type RuleChoice, type RuleFacts } from './routing-rules';

const TICKET_HEADER = 'X-Zendesk-Ticket-Id';
/** Default and ceiling for the time the API spends on one decision. */
export const DEFAULT_DECISION_BUDGET_MS = 1500;
/** Kept back from the budget for writing the record and answering. */
const ANSWER_MARGIN_MS = 60;

export interface DecideDeps {
  db: D1Database;
  zendesk: ZendeskClient;
  budgetMs: number;
  /** The request's nonce, spent here in the same transaction as the first write. */
  nonce: EdgeNonce;
  now?: () => number;
  /**
   * Called when the decided call has work due after the answer: mapped context headers for its
   * ticket, or a first-time caller's user to make (and the ticket's requester to set).
   */
  onContextDue?: (callId: string) => void;
  /** Called when the decision queued an event for the line's webhook (sent after the answer). */
  onWebhookQueued?: () => void;
}

/** What decideCall answers: the decision, or 'replayed' when the nonce was already spent. */
export type DecideResult = Decision | 'replayed';

type Caller = CallerNumber & { source: 'pai' | 'from' };
type Step<T> = { ok: true; value: T } | { ok: false; why: string };

async function step<T>(name: string, run: () => Promise<T>): Promise<Step<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (err) {
    const kind = (err as { kind?: string }).kind;
    if (!kind) console.error(`decision step ${name} failed`, err);
    return { ok: false, why: `${name}:${kind ?? 'error'}` };
  }
}

function reject(code: number, reason: string, call: Decision['call']): Decision {
  return { action: 'reject', code, reason, headers: [], targets: [], call };
}

function relay(line: LineConfig, call: Decision['call'], rule: RuleChoice = null): Decision {
  const headers =
    call.ticket_id !== null ? [{ name: TICKET_HEADER, value: String(call.ticket_id) }] : [];
  // Present the caller in E.164 where the line asks for it and the number could be read.
  const callerUser = line.callerPresentation === 'e164' ? call.caller_e164 : null;
  return {
    action: 'relay',
    headers,
    targets: rule?.sip_targets ?? line.sipTargets,
    ...(callerUser ? { caller_user: callerUser } : {}),
    // Only a rule that took the call is named: the edge relays to that rule's targets.
    ...(rule ? { route_rule: { id: rule.id, name: rule.name } } : {}),
    call,
  };
}

/** What a routing rule reads of the caller: returning, first-time, withheld, or not known. */
function ruleCaller(caller: Caller, match: Decision['call']['match']): RuleFacts['caller'] {
  if (caller.kind === 'withheld') return 'withheld';
  if (caller.kind !== 'e164') return null;
  if (match === 'matched' || match === 'ambiguous') return 'returning';
  return match === 'no_match' ? 'first_time' : null;
}

/**
 * The line's rule for this call, if any: the matched user's tags and organization come from the
 * phone index (one D1 read, only when a rule reads them), never from Zendesk.
 */
async function ruleFor(
  db: D1Database,
  line: LineConfig,
  caller: Caller,
  match: CallerMatch | null,
  result: Decision['call']['match'],
  nowMs: number,
): Promise<RuleChoice> {
  if (line.routingRules.rules.length === 0) return null;
  const userId = result === 'matched' ? (match?.userId ?? null) : null;
  const user =
    userId !== null && rulesReadUser(line.routingRules)
      ? await indexedUser(db, userId).catch((err: unknown) => {
          console.error('phone index unreadable; rules see no user', err);
          return null;
        })
      : null;
  return chooseRule(line.routingRules, { caller: ruleCaller(caller, result), user, nowMs });
}

function baseCall(caller: Caller): Decision['call'] {
  return {
    caller_e164: caller.kind === 'e164' ? caller.e164 : null,
    match:
      caller.kind === 'withheld'
        ? 'withheld'
        : caller.kind === 'invalid'
          ? 'no_match'
          : 'unavailable',
    ticket_id: null,
    ticket_link: 'none',
    degraded: [],
  };
}

const outcome = (
  decision: Decision,
  match?: CallerMatch | null,
  handoffId: string | null = null,
): DecisionOutcome => ({
  decision,
  matchedUserId: match?.userId ?? null,
  candidates: match?.candidates ?? [],
  handoffId,
});

/**
 * Decides one INVITE: normalize the caller, apply the block list, verify the passed ticket, match
 * the caller, create the ticket if the line asks for it, and record it all under the Call-ID.
 * Zendesk failures never fail the call: the step is skipped and listed in `degraded`.
 * A decision that needs nothing from Zendesk is written in a single D1 round trip.
 */
export async function decideCall(deps: DecideDeps, req: DecisionRequest): Promise<DecideResult> {
  const now = deps.now ?? Date.now;
  const started = now();
  const deadline =
    started + Math.min(req.budget_ms ?? deps.budgetMs, deps.budgetMs) - ANSWER_MARGIN_MS;
  const snapshot = await lineSnapshot(deps.db, req.line, started);
  const caller = callerIdentity(
    { from: req.sip.from, pAssertedIdentity: req.sip.p_asserted_identity },
    snapshot.line?.defaultCountry ?? ('US' as CountryCode),
  );
  const e164 = caller.kind === 'e164' ? caller.e164 : null;
  const iso = new Date(started).toISOString();
  const init = {
    lineId: snapshot.line?.id ?? null,
    callerKind: caller.kind,
    callerE164: e164,
    now: iso,
  };

  // The line's context mapping needs nothing from Zendesk: it is part of every decision.
  const context = snapshot.line
    ? mapContext(snapshot.line.contextHeaders, req.sip.context ?? [])
    : null;
  const quick = decideWithoutZendesk(snapshot, req, caller, started);
  if (quick) {
    quick.context = context;
    const [inserted, nonce, queued] = await deps.db.batch([
      callInsert(deps.db, req, { ...init, outcome: quick, unlessNonceSeen: deps.nonce.nonce }),
      nonceInsert(deps.db, deps.nonce),
      // No line, no webhook: a line-not-found reject queues nothing.
      ...(snapshot.line
        ? [decisionWebhook(deps.db, req, quick.decision, caller.kind, started)]
        : []),
    ]);
    if (nonce?.meta.changes !== 1) return 'replayed';
    if (queued?.meta.changes === 1) deps.onWebhookQueued?.();
    if (inserted?.meta.changes === 1) return quick.decision;
    return (await awaitExistingDecision(deps.db, req, deadline, now)) ?? quick.decision;
  }

  if (!(await spendNonce(deps.db, deps.nonce))) return 'replayed';
  if (!(await claimCall(deps.db, req, init))) {
    const existing = await awaitExistingDecision(deps.db, req, deadline, now);
    if (existing) return existing;
    // The first request died mid-way: take over unless it is still plausibly running.
    const staleBefore = new Date(started - deps.budgetMs * 2).toISOString();
    if (!(await reclaimStaleCall(deps.db, req.call_id, staleBefore, iso))) {
      return relayUnenriched(snapshot.line, req, e164, ['decision:in_progress_elsewhere']);
    }
  }
  const decided = await decideWithZendesk({ ...deps, now }, snapshot.line!, req, caller, deadline);
  decided.context = context;
  const doneMs = now();
  const doneAt = new Date(doneMs).toISOString();
  const { newCaller } = decided;
  const [, queued] = await completeDecision(deps.db, req.call_id, decided, doneAt, [
    decisionWebhook(deps.db, req, decided.decision, caller.kind, doneMs),
    ...(newCaller ? waitForCallerUser(deps.db, req.call_id, newCaller, doneAt) : []),
  ]);
  if (contextDue(decided) || newCaller) deps.onContextDue?.(req.call_id);
  if (queued?.meta.changes === 1) deps.onWebhookQueued?.();
  return decided.decision;
}

/** The decision when nothing needs Zendesk: rejects, withheld callers, cached matches. */
function decideWithoutZendesk(
  { line, blocked }: LineSnapshot,
  req: DecisionRequest,
  caller: Caller,
  nowMs: number,
): DecisionOutcome | null {
  const call = baseCall(caller);
  if (!line) return outcome(reject(404, 'Line Not Found', call));
  if (!line.enabled) return outcome(reject(403, 'Line Disabled', call));
  if (caller.kind === 'e164' && blocked.has(caller.e164)) {
    return outcome(reject(603, 'Decline', call));
  }
  if (req.ticket_id || line.createTicket) return null;
  const match = caller.kind === 'e164' ? peekCachedMatch(caller.e164, nowMs) : null;
  if (caller.kind === 'e164' && !match) return null;
  const result = match?.result ?? call.match;
  // A rule on the user's tags or organization needs a phone index read: not this path.
  if (result === 'matched' && rulesReadUser(line.routingRules)) return null;
  const rule =
    line.routingRules.rules.length === 0
      ? null
      : chooseRule(line.routingRules, { caller: ruleCaller(caller, result), user: null, nowMs });
  return outcome(relay(line, { ...call, match: result }, rule), match);
}

/** A first-time caller whose user the decision queued (made after the answer, caller-users.ts). */
type NewCallerUser = { e164: string; name: string };

async function decideWithZendesk(
  deps: DecideDeps & { now: () => number },
  line: LineConfig,
  req: DecisionRequest,
  caller: Caller,
  deadline: number,
): Promise<DecisionOutcome & { newCaller: NewCallerUser | null }> {
  const { db, zendesk } = deps;
  const e164 = caller.kind === 'e164' ? caller.e164 : null;
  // An id no Zendesk ticket can have is treated as not found, without asking and never rounded.
  const passed = req.ticket_id ? parseTicketId(req.ticket_id) : null;
  // A ticket an AI agent prepared on this line moments ago (POST /v1/handoffs) is known: no
  // need to ask Zendesk about it.
  const handoff = passed?.ok
    ? await findLinkableHandoff(db, line.id, passed.id, new Date(deps.now()).toISOString())
    : null;
  const verify = passed?.ok && !handoff;

  // Ticket check and caller match are independent: run them side by side within the deadline.
  const [ticketStep, matchStep] = await Promise.all([
    verify ? step('ticket', () => verifyPassedTicket(deps, req.ticket_id!, deadline)) : null,
    caller.kind === 'e164'
      ? step('match', () =>
          matchCaller({ db, zendesk, now: deps.now }, caller, line.defaultCountry, deadline),
        )
      : null,
  ]);
  const match: CallerMatch | null = matchStep?.ok ? matchStep.value : null;
  const base = baseCall(caller);
  const call: Decision['call'] = {
    ...base,
    match: match ? match.result : base.match,
    degraded: [ticketStep, matchStep].flatMap((s) => (s && !s.ok ? [s.why] : [])),
  };
  // Decided on the caller as the call found them: a user created below is still a first-timer.
  const rule = await ruleFor(db, line, caller, match, call.match, deps.now());

  const ticket: TicketCheck | null =
    passed && !passed.ok
      ? { status: 'not_found' }
      : handoff && passed?.ok
        ? { status: 'valid', ticketId: passed.id, requesterId: handoff.requesterId }
        : ticketStep?.ok
          ? ticketStep.value
          : null;
  if (passed && !passed.ok) call.degraded.push(`ticket:${passed.reason}`);
  if (verify && !ticketStep?.ok) {
    // Zendesk did not answer: keep the caller's (edge-validated) id rather than lose the link.
    call.ticket_id = passed.id;
    call.ticket_link = 'passed_unverified';
  } else if (ticket?.status === 'valid') {
    const mismatch = handoff
      ? handoffCallerMismatch(handoff, caller)
      : requesterMismatch(ticket.requesterId, caller, matchStep?.ok ? match : null);
    call.ticket_requester_mismatch = mismatch;
    if (mismatch && line.requesterMismatch === 'drop') {
      call.ticket_link = 'dropped';
    } else {
      call.ticket_id = ticket.ticketId;
      call.ticket_link = 'passed';
    }
  } else if (ticket) {
    if (line.invalidTicket === 'reject') {
      const decision =
        ticket.status === 'closed'
          ? reject(410, 'Ticket Closed', call)
          : reject(404, 'Ticket Not Found', call);
      return { ...outcome(decision, match), newCaller: null };
    }
    call.ticket_link = 'dropped';
  }

  let newCaller: NewCallerUser | null = null;
  if (line.createTicket && call.ticket_id === null) {
    const created = await step('create_ticket', async () => {
      let requesterId = match?.result === 'matched' ? match.userId : null;
      // A first-time caller's user is made after the answer (caller-users.ts): the ticket is the
      // call path's one request, made without a requester (Zendesk makes it the API user's until
      // the caller's user is set). A user made since the number was last looked up is used.
      let waitFor: NewCallerUser | null = null;
      let creations = 1;
      if (match?.result === 'no_match' && e164) {
        const plan = callerUserPlan(await findCallerUser(db, e164), deps.now());
        if ('use' in plan) requesterId = plan.use;
        else {
          waitFor = { e164, name: `Caller ${displayNumber(e164)}` };
          // The user counts in the line's cap when it is queued, not when a call joins it.
          if (plan.queue === 'new') creations = 2;
        }
      }
      const content = callTicket({
        line,
        facts: req,
        callerE164: e164,
        match,
        withheld: caller.kind === 'withheld',
      });
      await spendCreation(db, line, deps.now(), creations);
      const t = await zendesk.createTicket(
        { ...content, ...(requesterId ? { requester_id: requesterId } : {}) },
        { deadline },
      );
      await recordCreatedTicket(db, req.call_id, t.id);
      newCaller = waitFor;
      return t.id;
    });
    if (created.ok) {
      call.ticket_id = created.value;
      call.ticket_link = 'created';
    } else {
      call.degraded.push(created.why);
    }
  }
  const linked = handoff && call.ticket_link === 'passed' ? handoff.id : null;
  return { ...outcome(relay(line, call, rule), match, linked), newCaller };
}

/**
 * A handoff's ticket came from the line's own authenticated AI agent, not from the caller's side,
 * so it is not the injected header `requesterMismatch` guards against: the call is the caller's
 * when it comes from the handoff's number; from another (AI platforms often call from their own
 * number) it cannot be told, never flagged.
 */
function handoffCallerMismatch(handoff: LinkableHandoff, caller: Caller): false | null {
  return caller.kind === 'e164' && caller.e164 === handoff.callerE164 ? false : null;
}

/**
 * Whether a passed ticket's requester is someone other than the caller: the header came from the
 * caller's side, so it may name another customer's ticket. null when it cannot be told (caller
 * withheld, lookup failed, ticket without requester).
 */
function requesterMismatch(
  requesterId: number | null,
  caller: Caller,
  match: CallerMatch | null,
): boolean | null {
  if (requesterId === null || caller.kind !== 'e164' || !match) return null;
  if (match.result === 'matched') return match.userId !== requesterId;
  if (match.result === 'ambiguous') return !match.candidates.some((u) => u.id === requesterId);
  return true; // no user has the caller's number, so the requester is not the caller
}

/** The reject for an INVITE that reuses the Call-ID of another line's or source's call. */
const CALL_ID_IN_USE = { code: 400, reason: 'Call-ID already in use' } as const;

/**
 * Waits (briefly) for the request that claimed this Call-ID to finish, then replays its answer:
 * a retransmission of the same INVITE gets the same decision. A Call-ID is global, so an INVITE
 * from another line or source address that reuses it is not that call: it is refused, and never
 * gets that call's decision or ticket header.
 */
async function awaitExistingDecision(
  db: D1Database,
  req: DecisionRequest,
  deadline: number,
  now: () => number,
): Promise<Decision | null> {
  let row: CallRow | null = await findCall(db, req.call_id);
  if (row && !sameCall(row, req)) return callIdInUse();
  while (row && !row.decision_json && now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    row = await findCall(db, req.call_id);
  }
  return row?.decision_json ? (JSON.parse(row.decision_json) as Decision) : null;
}

function callIdInUse(): Decision {
  return reject(CALL_ID_IN_USE.code, CALL_ID_IN_USE.reason, {
    caller_e164: null,
    match: 'unavailable',
    ticket_id: null,
    ticket_link: 'none',
    degraded: ['call_id:in_use'],
  });
}

/** Relay with only what the edge already validated, when the decision cannot be made here. */
function relayUnenriched(
  line: LineConfig | null,
  req: DecisionRequest,
  e164: string | null,
  degraded: string[],
): Decision {
  const passed = req.ticket_id ? parseTicketId(req.ticket_id) : null;
  const ticketId = passed?.ok ? passed.id : null;
  return {
    action: 'relay',
    headers: ticketId !== null ? [{ name: TICKET_HEADER, value: String(ticketId) }] : [],
    targets: line?.sipTargets ?? [],
    // Presenting the caller needs nothing from Zendesk: it holds without the enrichment.
    ...(line?.callerPresentation === 'e164' && e164 ? { caller_user: e164 } : {}),
    call: {
      caller_e164: e164,
      match: 'unavailable',
      ticket_id: ticketId,
      ticket_link: ticketId !== null ? 'passed_unverified' : passed ? 'dropped' : 'none',
      degraded: passed && !passed.ok ? [...degraded, `ticket:${passed.reason}`] : degraded,
    },
  };
}
