// Verifying a passed ticket id without a Zendesk request per call: tickets the bridge created are
// known, verdicts are cached in D1 (shared by isolates) and in memory, and the tickets that still
// need asking are coalesced, per isolate, into one `show_many` request.
import { SHOW_MANY_MAX_IDS, type ZendeskClient } from '../zendesk/client';
import { ZendeskError } from '../zendesk/errors';
import type { ZendeskTicket } from '../zendesk/schemas';
import type { TicketCheck } from './link-ticket';

/**
 * How long Zendesk's verdict on a ticket is trusted. `valid` and `not_found` for 60 s: a ticket
 * that closes (or is deleted, or merged into another) is seen within a minute, while a ticket
 * passed again and again (an IVR's retries, transfers, a burst of calls about one incident) costs
 * one request a minute at most. `closed` is final in Zendesk (a closed ticket cannot be reopened),
 * so it is kept for an hour.
 */
export const TICKET_CHECK_TTL_MS = {
  valid: 60_000,
  not_found: 60_000,
  closed: 3_600_000,
} as const;

/**
 * How long after the bridge created a ticket (for a call on any line) it is known without asking:
 * as long as a handoff is (its `expires_at`), the time in which a call about it is passed on. Past
 * that it may have been closed, so it is verified like any other.
 */
export const CREATED_TICKET_KNOWN_MS = 10 * 60_000;

/**
 * A `show_many` that is sent anyway also refreshes, in the same request, the tickets this isolate
 * was asked about within the last TTL whose verdict runs out within this time. Tickets passed by
 * the same stream of calls then come due together instead of one batch each (their first checks
 * were spread over seconds), and a ticket nobody passes any more stops being refreshed after one
 * TTL. Refreshing early only shortens how stale a verdict can be.
 */
export const REFRESH_AHEAD_MS = 20_000;

/**
 * How verifications are coalesced into one `show_many`: the batch is sent once no other check has
 * joined for {@link COALESCE_QUIET_MS}, and at the latest about {@link COALESCE_MAX_MS} after it
 * opened (a few ms against a decision budget of 1.5 s). A check with less time left than that is
 * sent on its own at once, so no check waits past its deadline.
 */
export const COALESCE_QUIET_MS = 5;
export const COALESCE_MAX_MS = 20;

let coalesce = { quietMs: COALESCE_QUIET_MS, maxMs: COALESCE_MAX_MS };
/**
 * Widens the window (tests whose machine serializes the decisions' own D1 lookups over far longer
 * than a few ms); null restores the defaults.
 */
export function setCoalesceWindow(window: { quietMs: number; maxMs: number } | null) {
  coalesce = window ?? { quietMs: COALESCE_QUIET_MS, maxMs: COALESCE_MAX_MS };
}

/** What the ticket checks did, for tests and operators' debugging. */
export type TicketCheckEvent =
  | { kind: 'known'; ticketId: number; source: 'created' | 'cache' }
  | { kind: 'window'; ms: number }
  /** `ids`: the checks waiting, then the tickets refreshed ahead (`ahead` of them). */
  | { kind: 'asked'; ids: number[]; waitedMs: number; ahead: number }
  | { kind: 'refused'; ticketId: number };

let listener: ((e: TicketCheckEvent) => void) | null = null;
/** Observes the checks (one listener; null to stop). */
export function onTicketCheckEvent(fn: ((e: TicketCheckEvent) => void) | null) {
  listener = fn;
}
const emit = (e: TicketCheckEvent) => listener?.(e);

interface Entry {
  check: TicketCheck;
  expiresAt: number;
  /** When a call last needed this verdict (the injected clock). */
  usedAt: number;
}
const MEMORY_LIMIT = 10_000;
// Per-isolate copy in front of D1, so a repeat costs neither Zendesk nor a D1 read.
const memory = new Map<number, Entry>();

function remember(ticketId: number, check: TicketCheck, expiresAt: number, usedAt: number) {
  if (memory.size >= MEMORY_LIMIT) memory.delete(memory.keys().next().value!);
  memory.set(ticketId, { check, expiresAt, usedAt });
}

/** Up to `room` tickets worth refreshing in a request that goes anyway (REFRESH_AHEAD_MS). */
function dueSoon(at: number, asked: Set<number>, room: number): number[] {
  const due: number[] = [];
  for (const [id, entry] of memory) {
    if (due.length >= room) break;
    if (asked.has(id) || entry.check.status === 'closed') continue;
    const recentlyUsed = entry.usedAt > at - TICKET_CHECK_TTL_MS[entry.check.status];
    if (recentlyUsed && entry.expiresAt - at <= REFRESH_AHEAD_MS) due.push(id);
  }
  return due;
}

/** Forgets every in-memory verdict (tests). */
export function clearTicketCheckMemory() {
  memory.clear();
}

function checkFromRow(
  ticketId: number,
  row: { status: 'valid' | 'closed' | 'not_found'; requester_id: number | null },
): TicketCheck {
  if (row.status === 'valid') return { status: 'valid', ticketId, requesterId: row.requester_id };
  if (row.status === 'closed') return { status: 'closed', ticketId };
  return { status: 'not_found' };
}

function checkFromTicket(ticketId: number, ticket: ZendeskTicket | undefined): TicketCheck {
  if (!ticket) return { status: 'not_found' };
  if (ticket.status === 'closed') return { status: 'closed', ticketId };
  return { status: 'valid', ticketId, requesterId: ticket.requester_id ?? null };
}

export interface TicketCheckDeps {
  db: D1Database;
  zendesk: ZendeskClient;
  now: () => number;
}

/**
 * Whether a passed ticket exists and is not closed, asking Zendesk only when nothing here knows:
 * a ticket the bridge created within {@link CREATED_TICKET_KNOWN_MS} (requester: the caller it was
 * made for), then a cached verdict, then a `show_many` shared with the isolate's other checks.
 * Zendesk failures propagate (never cached), so the decision can fail open; while the budget is
 * known to refuse, it fails at once with `budget_exhausted`, never waiting to batch.
 */
export async function checkPassedTicket(
  deps: TicketCheckDeps,
  ticketId: number,
  deadline: number,
): Promise<TicketCheck> {
  const at = deps.now();
  const hit = memory.get(ticketId);
  if (hit && hit.expiresAt > at) {
    hit.usedAt = at;
    emit({ kind: 'known', ticketId, source: 'cache' });
    return hit.check;
  }
  const [created, cached] = await deps.db.batch([
    deps.db
      .prepare(
        `SELECT matched_user_id FROM calls
         WHERE ticket_id = ?1 AND ticket_link = 'created' AND received_at > ?2
         ORDER BY received_at DESC LIMIT 1`,
      )
      .bind(ticketId, new Date(at - CREATED_TICKET_KNOWN_MS).toISOString()),
    deps.db
      .prepare(
        'SELECT status, requester_id, expires_at FROM ticket_checks WHERE ticket_id = ?1 AND expires_at > ?2',
      )
      .bind(ticketId, at),
  ]);
  const made = created?.results[0] as { matched_user_id: number | null } | undefined;
  if (made) {
    emit({ kind: 'known', ticketId, source: 'created' });
    // The ticket was made with the matched (or newly created) user as requester, if any.
    return { status: 'valid', ticketId, requesterId: made.matched_user_id };
  }
  const row = cached?.results[0] as
    | { status: 'valid' | 'closed' | 'not_found'; requester_id: number | null; expires_at: number }
    | undefined;
  if (row) {
    const check = checkFromRow(ticketId, row);
    remember(ticketId, check, row.expires_at, at);
    emit({ kind: 'known', ticketId, source: 'cache' });
    return check;
  }
  if (deps.zendesk.refusesRequests()) {
    emit({ kind: 'refused', ticketId });
    throw new ZendeskError(
      'budget_exhausted',
      'Zendesk GET /api/v2/tickets/show_many.json: request budget spent or blocked after a 429; not sent',
      { path: '/api/v2/tickets/show_many.json', method: 'GET' },
    );
  }
  return askZendesk(deps, ticketId, deadline);
}

/** One check waiting on a batch: plain data, written by the request that sends the batch. */
interface Slot {
  ticketId: number;
  done: boolean;
  check?: TicketCheck;
  error?: unknown;
}

interface Batch {
  ids: Set<number>;
  slots: Slot[];
  /** Checks that joined since the sender last looked (clocks are not comparable across requests). */
  joinedSinceLook: number;
}

/** How often a check waiting on a batch looks at its slot. */
const POLL_MS = 5;
/**
 * The request that sends a batch waits for it a little past its deadline (the request itself
 * never outlives the deadline): the others' answers come from its context, which must not end first.
 */
const SENDER_GRACE_MS = 100;

// The batch still taking tickets in this isolate (one Worker serves one Zendesk account).
let open: Batch | null = null;

/**
 * Joins the isolate's open batch, or opens one and sends it after the window. Workers run each
 * request in its own context, and a request must never await, resolve or touch another request's
 * promises: so the sender writes each answer into the waiter's plain slot, and every waiter polls
 * its own slot on timers it created itself, until its own deadline.
 */
function askZendesk(deps: TicketCheckDeps, ticketId: number, deadline: number) {
  const slot: Slot = { ticketId, done: false };
  const remainingMs = Math.max(0, deadline - deps.now());
  const batch = open;
  // A check with less time left than a batch may take is sent on its own, at once.
  const { quietMs, maxMs: windowMs } = coalesce;
  const canWait = remainingMs > windowMs;
  if (batch && canWait && (batch.ids.has(ticketId) || batch.ids.size < SHOW_MANY_MAX_IDS)) {
    batch.ids.add(ticketId);
    batch.slots.push(slot);
    batch.joinedSinceLook++;
    return awaitSlot(slot, remainingMs);
  }
  const mine: Batch = { ids: new Set([ticketId]), slots: [slot], joinedSinceLook: 0 };
  if (canWait) open = mine;
  const maxMs = canWait ? windowMs : 0;
  emit({ kind: 'window', ms: Math.min(quietMs, maxMs) });
  // The timers are the sender's own, and so is its clock: each request's Date.now() is its own
  // (workerd advances it at I/O), so the batch counts joins rather than comparing times.
  const started = Date.now();
  const look = (ms: number) =>
    setTimeout(() => {
      const waited = Date.now() - started;
      const joined = mine.joinedSinceLook;
      mine.joinedSinceLook = 0;
      const full = mine.ids.size >= SHOW_MANY_MAX_IDS;
      if (joined > 0 && !full && waited + quietMs <= maxMs) return look(quietMs);
      if (open === mine) open = null;
      void sendBatch(deps, mine, deadline, waited);
    }, ms);
  look(Math.min(quietMs, maxMs));
  return awaitSlot(slot, remainingMs + SENDER_GRACE_MS);
}

async function awaitSlot(slot: Slot, remainingMs: number): Promise<TicketCheck> {
  // Date.now() here, not the injected clock: this measures real waiting.
  const giveUpAt = Date.now() + Math.max(0, remainingMs);
  while (!slot.done) {
    if (Date.now() >= giveUpAt) {
      throw new ZendeskError(
        'timeout',
        'Zendesk GET /api/v2/tickets/show_many.json: no answer in time',
        { path: '/api/v2/tickets/show_many.json', method: 'GET' },
      );
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  if (slot.error !== undefined) throw slot.error;
  return slot.check!;
}

async function sendBatch(deps: TicketCheckDeps, batch: Batch, deadline: number, waitedMs: number) {
  const asked = deps.now();
  const ahead = dueSoon(asked, batch.ids, SHOW_MANY_MAX_IDS - batch.ids.size);
  const ids = [...batch.ids, ...ahead];
  emit({ kind: 'asked', ids, waitedMs, ahead: ahead.length });
  let tickets: ZendeskTicket[];
  try {
    tickets = await deps.zendesk.showManyTickets(ids, { deadline });
  } catch (e) {
    for (const slot of batch.slots) Object.assign(slot, { done: true, error: e });
    return;
  }
  const byId = new Map(tickets.map((t) => [t.id, t]));
  const at = deps.now();
  const checks = new Map(ids.map((id) => [id, checkFromTicket(id, byId.get(id))]));
  try {
    await storeChecks(deps.db, checks, at, new Set(batch.ids));
  } catch (e) {
    // The verdicts still hold for these calls; the next ones ask again.
    console.error('ticket checks not cached', e);
  }
  for (const slot of batch.slots) {
    Object.assign(slot, { done: true, check: checks.get(slot.ticketId) });
  }
}

/**
 * Caches the verdicts in D1 and memory; expired rows are pruned in the same round trip. A ticket
 * refreshed ahead keeps when it was last used, so it is refreshed at most one TTL past that.
 */
async function storeChecks(
  db: D1Database,
  checks: Map<number, TicketCheck>,
  at: number,
  usedNow: Set<number>,
) {
  const statements = [...checks].map(([id, check]) => {
    const expiresAt = at + TICKET_CHECK_TTL_MS[check.status];
    remember(id, check, expiresAt, usedNow.has(id) ? at : (memory.get(id)?.usedAt ?? at));
    return db
      .prepare(
        `INSERT INTO ticket_checks (ticket_id, status, requester_id, expires_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (ticket_id) DO UPDATE SET status = excluded.status,
           requester_id = excluded.requester_id, expires_at = excluded.expires_at`,
      )
      .bind(id, check.status, check.status === 'valid' ? check.requesterId : null, expiresAt);
  });
  statements.push(
    db
      .prepare(
        'DELETE FROM ticket_checks WHERE ticket_id IN (SELECT ticket_id FROM ticket_checks WHERE expires_at <= ?1 LIMIT 100)',
      )
      .bind(at),
  );
  await db.batch(statements);
}
