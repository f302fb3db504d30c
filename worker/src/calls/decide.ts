import type { CountryCode } from 'libphonenumber-js';
import { findBlock } from '../lines/blocklist';
import type { LineConfig } from '../lines/store';
import { callerIdentity, type CallerNumber } from '../phone/normalize';
import type { Decision, DecisionRequest } from '../schemas/edge';
import type { ZendeskClient } from '../zendesk/client';
import { verifyPassedTicket, type TicketCheck } from './link-ticket';
import { writeCachedMatch } from './match-cache';
import { matchCaller, type CallerMatch } from './match-caller';
import {
  claimCall,
  completeDecision,
  findCall,
  reclaimStaleCall,
  recordCreatedTicket,
  type CallRow,
} from './record';
import { callTicket, humanNumber } from './ticket-content';

export const TICKET_HEADER = 'X-Zendesk-Ticket-Id';
/** Default and ceiling for the time the API spends on one decision. */
export const DEFAULT_DECISION_BUDGET_MS = 1500;
/** Kept back from the budget for writing the record and answering. */
const ANSWER_MARGIN_MS = 60;

export interface DecideDeps {
  db: D1Database;
  zendesk: ZendeskClient;
  line: LineConfig | null;
  budgetMs: number;
  now?: () => number;
}

type Step<T> = { ok: true; value: T } | { ok: false; why: string };

async function step<T>(name: string, run: () => Promise<T>): Promise<Step<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (err) {
    const kind = (err as { kind?: string }).kind ?? 'error';
    if (!(err as { kind?: string }).kind) console.error(`decision step ${name} failed`, err);
    return { ok: false, why: `${name}:${kind}` };
  }
}

function reject(code: number, reason: string, call: Decision['call']): Decision {
  return { action: 'reject', code, reason, headers: [], targets: [], call };
}

/**
 * Decides one INVITE: normalize the caller, apply the block list, verify the passed ticket, match
 * the caller, create the ticket if the line asks for it, and record it all under the Call-ID.
 * Zendesk failures never fail the call: the step is skipped and listed in `degraded`.
 */
export async function decideCall(deps: DecideDeps, req: DecisionRequest): Promise<Decision> {
  const now = deps.now ?? Date.now;
  const started = now();
  const deadline =
    started + Math.min(req.budget_ms ?? deps.budgetMs, deps.budgetMs) - ANSWER_MARGIN_MS;
  const line = deps.line;
  const country: CountryCode = line?.defaultCountry ?? 'US';
  const caller = callerIdentity(
    { from: req.sip.from, pAssertedIdentity: req.sip.p_asserted_identity },
    country,
  );
  const e164 = caller.kind === 'e164' ? caller.e164 : null;
  const iso = new Date(started).toISOString();

  if (!(await claimCall(deps.db, req, line?.id ?? null, caller.kind, e164, iso))) {
    const existing = await awaitExistingDecision(deps.db, req.call_id, deadline, now);
    if (existing) return existing;
    // The first request died mid-way: take over unless it is still plausibly running.
    const staleBefore = new Date(started - deps.budgetMs * 2).toISOString();
    if (!(await reclaimStaleCall(deps.db, req.call_id, staleBefore, iso))) {
      return relayUnenriched(line, req, e164, ['decision:in_progress_elsewhere']);
    }
  }

  const decision = await makeDecision({ ...deps, line, now }, req, caller, deadline);
  await completeDecision(deps.db, req.call_id, decision, new Date(now()).toISOString());
  return decision.decision;
}

async function makeDecision(
  deps: DecideDeps & { now: () => number },
  req: DecisionRequest,
  caller: CallerNumber,
  deadline: number,
) {
  const { line, db, zendesk } = deps;
  const e164 = caller.kind === 'e164' ? caller.e164 : null;
  const base = {
    caller_e164: e164,
    match: (caller.kind === 'withheld' ? 'withheld' : 'unavailable') as Decision['call']['match'],
    ticket_id: null as number | null,
    ticket_link: 'none' as Decision['call']['ticket_link'],
    degraded: [] as string[],
  };
  const none = { matchedUserId: null, candidates: [] };

  if (!line) return { decision: reject(404, 'Line Not Found', base), ...none };
  if (!line.enabled) return { decision: reject(403, 'Line Disabled', base), ...none };
  if (e164 && (await findBlock(db, e164, line.id))) {
    return { decision: reject(603, 'Decline', base), ...none };
  }

  // Ticket check and caller match are independent: run them side by side within the deadline.
  const [ticketStep, matchStep] = await Promise.all([
    req.ticket_id
      ? step('ticket', () => verifyPassedTicket(zendesk, req.ticket_id!, deadline))
      : null,
    caller.kind === 'e164'
      ? step('match', () =>
          matchCaller({ db, zendesk, now: deps.now }, caller, line.defaultCountry, deadline),
        )
      : null,
  ]);
  const degraded = [ticketStep, matchStep].flatMap((s) => (s && !s.ok ? [s.why] : []));
  let match: CallerMatch | null = matchStep?.ok ? matchStep.value : null;
  const call: Decision['call'] = {
    ...base,
    match: match ? match.result : base.match,
    degraded,
  };

  const ticket: TicketCheck | null = ticketStep?.ok ? ticketStep.value : null;
  if (req.ticket_id && !ticketStep?.ok) {
    // Zendesk did not answer: keep the caller's (edge-validated) id rather than lose the link.
    call.ticket_id = Number(req.ticket_id);
    call.ticket_link = 'passed_unverified';
  } else if (ticket?.status === 'valid') {
    call.ticket_id = ticket.ticketId;
    call.ticket_link = 'passed';
  } else if (ticket) {
    if (line.invalidTicket === 'reject') {
      const decision =
        ticket.status === 'closed'
          ? reject(410, 'Ticket Closed', call)
          : reject(404, 'Ticket Not Found', call);
      return {
        decision,
        matchedUserId: match?.userId ?? null,
        candidates: match?.candidates ?? [],
      };
    }
    call.ticket_link = 'dropped';
  }

  if (
    line.createTicket &&
    call.ticket_id === null &&
    (!req.ticket_id || call.ticket_link === 'dropped')
  ) {
    const created = await step('create_ticket', async () => {
      let requesterId = match?.result === 'matched' ? match.userId : null;
      if (match?.result === 'no_match' && e164) {
        // A user with an E.164 phone: the next call matches it instead of making a duplicate.
        const user = await zendesk.createUser(
          { name: `Caller ${humanNumber(e164)}`, phone: e164 },
          { deadline },
        );
        requesterId = user.id;
        match = { result: 'matched', userId: user.id, candidates: [] };
        await writeCachedMatch(db, e164, match, deps.now());
      }
      const content = callTicket({
        line,
        facts: req,
        callerE164: e164,
        match,
        withheld: caller.kind === 'withheld',
      });
      const t = await zendesk.createTicket(
        { ...content, ...(requesterId ? { requester_id: requesterId } : {}) },
        { deadline },
      );
      await recordCreatedTicket(db, req.call_id, t.id);
      return t.id;
    });
    if (created.ok) {
      call.ticket_id = created.value;
      call.ticket_link = 'created';
    } else {
      call.degraded.push(created.why);
    }
  }

  const headers =
    call.ticket_id !== null ? [{ name: TICKET_HEADER, value: String(call.ticket_id) }] : [];
  const decision: Decision = { action: 'relay', headers, targets: line.sipTargets, call };
  return { decision, matchedUserId: match?.userId ?? null, candidates: match?.candidates ?? [] };
}

/** Waits (briefly) for the request that claimed this Call-ID to finish, then replays its answer. */
async function awaitExistingDecision(
  db: D1Database,
  callId: string,
  deadline: number,
  now: () => number,
): Promise<Decision | null> {
  let row: CallRow | null = await findCall(db, callId);
  while (row && !row.decision_json && now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    row = await findCall(db, callId);
  }
  return row?.decision_json ? (JSON.parse(row.decision_json) as Decision) : null;
}

/** Relay with only what the edge already validated, when the decision cannot be made here. */
function relayUnenriched(
  line: LineConfig | null,
  req: DecisionRequest,
  e164: string | null,
  degraded: string[],
): Decision {
  const ticketId = req.ticket_id ? Number(req.ticket_id) : null;
  return {
    action: 'relay',
    headers: ticketId !== null ? [{ name: TICKET_HEADER, value: req.ticket_id! }] : [],
    targets: line?.sipTargets ?? [],
    call: {
      caller_e164: e164,
      match: 'unavailable',
      ticket_id: ticketId,
      ticket_link: ticketId !== null ? 'passed_unverified' : 'none',
      degraded,
    },
  };
}
