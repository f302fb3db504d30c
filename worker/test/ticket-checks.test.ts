import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ZendeskStandin } from '@sip-bridge/zendesk-standin/app';
import { ADA_LOVELACE_ID, CLOSED_TICKET_ID } from '@sip-bridge/zendesk-standin/seed';
import { zendeskFromEnv } from '../src/config';
import { decideCall } from '../src/calls/decide';
import type { ZendeskClient } from '../src/zendesk/client';
import {
  checkPassedTicket,
  clearTicketCheckMemory,
  onTicketCheckEvent,
  setCoalesceWindow,
  type TicketCheckEvent,
} from '../src/calls/ticket-checks';
import type { DecisionRequest } from '@sip-bridge/contract/edge';
import { createTestLine, decide, installStandin, invite } from './harness';

// A passed ticket costs Zendesk as little as possible: known tickets nothing, a repeat nothing
// within the TTL, concurrent calls one show_many between them, and a spent budget no wait.
let standin: ZendeskStandin;
let events: TicketCheckEvent[];
beforeEach(async () => {
  standin = installStandin();
  events = [];
  onTicketCheckEvent((e) => events.push(e));
  await env.DB.exec(
    'DELETE FROM calls; DELETE FROM lines; DELETE FROM caller_matches; DELETE FROM ticket_checks; DELETE FROM zendesk_budget; DELETE FROM line_creations',
  );
});
afterEach(() => {
  onTicketCheckEvent(null);
  setCoalesceWindow(null);
});

const showMany = () => standin.requests.filter((r) => r.path.startsWith('/api/v2/tickets/show_'));
const ticketRequests = () => standin.requests.filter((r) => r.path.startsWith('/api/v2/tickets'));

/** Ada's open tickets, made at the stand-in. */
function openTickets(n: number): number[] {
  return Array.from(
    { length: n },
    (_, i) =>
      standin.addTicket({
        description: `Ticket ${i}`,
        requester_id: ADA_LOVELACE_ID,
        status: 'open',
      }).id,
  );
}

/** The caller's match cached, so only the ticket needs Zendesk. */
async function primeCaller() {
  await decide(invite());
  standin.clearRequests();
}

/** decideCall as the route calls it, with an injected clock. */
function decideAt(clock: { at: number }, req: DecisionRequest) {
  return decideCall(
    {
      db: env.DB,
      zendesk: zendeskFromEnv(env, { callPath: true }),
      budgetMs: 1500,
      nonce: { nonce: crypto.randomUUID(), expiresAt: clock.at + 300_000 },
      now: () => clock.at,
    },
    req,
  );
}

describe('verifying passed tickets', () => {
  it('20 concurrent decisions passing 20 different tickets share one show_many request', async () => {
    await createTestLine();
    await primeCaller();
    // Here the local D1 serializes the 20 decisions' own lookups (nonce, claim, handoff) over a few
    // hundred ms, so they would not start within production's few ms: the window is widened to
    // test the coalescing, not this machine's speed.
    setCoalesceWindow({ quietMs: 100, maxMs: 500 });
    const ids = [...openTickets(18), CLOSED_TICKET_ID, 999_999];
    const answers = await Promise.all(ids.map((id) => decide(invite({ ticket_id: String(id) }))));
    expect(showMany()).toHaveLength(1);
    expect(standin.requests).toHaveLength(1);
    expect(showMany()[0]?.query.ids?.split(',').map(Number).sort()).toEqual([...ids].sort());
    const links = answers.map((a) => [a.body.call.ticket_id, a.body.call.ticket_link]);
    expect(links).toEqual([
      ...ids.slice(0, 18).map((id) => [id, 'passed']),
      // Closed, and absent from the answer (unknown or not visible): dropped on a drop line.
      [null, 'dropped'],
      [null, 'dropped'],
    ]);
    expect(answers.every((a) => a.body.call.degraded.length === 0)).toBe(true);
    expect(answers.every((a) => a.body.call.ticket_requester_mismatch !== true)).toBe(true);
  });

  it('asks nothing for a ticket passed again within the TTL, in this isolate or another', async () => {
    await createTestLine();
    await primeCaller();
    const [id] = openTickets(1);
    await decide(invite({ ticket_id: String(id) }));
    expect(ticketRequests()).toHaveLength(1);
    const again = await decide(invite({ ticket_id: String(id) }));
    expect(again.body.call).toMatchObject({ ticket_id: id, ticket_link: 'passed' });
    // Another isolate has an empty memory but shares D1.
    clearTicketCheckMemory();
    const elsewhere = await decide(invite({ ticket_id: String(id) }));
    expect(elsewhere.body.call).toMatchObject({ ticket_id: id, ticket_link: 'passed' });
    expect(ticketRequests()).toHaveLength(1);
  });

  it('asks again after the TTL, and a ticket closed meanwhile is seen as closed', async () => {
    await createTestLine({ invalid_ticket: 'reject' });
    const clock = { at: Date.now() };
    await decideAt(clock, invite());
    standin.clearRequests();
    const [id] = openTickets(1);
    const first = await decideAt(clock, invite({ ticket_id: String(id) }));
    expect(first).toMatchObject({ action: 'relay', call: { ticket_link: 'passed' } });
    standin.state.tickets.get(id!)!.status = 'closed';
    clock.at += 59_000;
    const within = await decideAt(clock, invite({ ticket_id: String(id) }));
    expect(within).toMatchObject({ action: 'relay', call: { ticket_link: 'passed' } });
    expect(ticketRequests()).toHaveLength(1);
    clock.at += 2_000;
    const after = await decideAt(clock, invite({ ticket_id: String(id) }));
    expect(after).toMatchObject({ action: 'reject', code: 410, reason: 'Ticket Closed' });
    expect(ticketRequests()).toHaveLength(2);
    // Closed is final in Zendesk: kept for an hour.
    clock.at += 30 * 60_000;
    await decideAt(clock, invite());
    standin.clearRequests();
    expect(await decideAt(clock, invite({ ticket_id: String(id) }))).toMatchObject({ code: 410 });
    expect(ticketRequests()).toHaveLength(0);
  });

  it('refreshes tickets due soon in a request sent anyway, only while calls still pass them', async () => {
    await createTestLine();
    const clock = { at: Date.now() };
    await decideAt(clock, invite());
    standin.clearRequests();
    const [a, b, c, d] = openTickets(4);
    const asked = () => showMany().map((r) => r.query.ids?.split(',').map(Number));
    const pass = async (id: number | undefined, atS: number) => {
      clock.at += atS * 1000 - (clock.at - start);
      const answer = await decideAt(clock, invite({ ticket_id: String(id) }));
      expect(answer).toMatchObject({
        action: 'relay',
        call: { ticket_id: id, ticket_link: 'passed' },
      });
    };
    const start = clock.at;
    await pass(a, 0);
    await pass(b, 30); // a has 30 s left: not due soon
    expect(asked()).toEqual([[a], [b]]);
    await pass(c, 45); // a has 15 s left and was passed within the TTL: refreshed with c
    expect(asked()).toEqual([[a], [b], [c, a]]);
    await pass(a, 70); // refreshed at 45 s: known without asking
    expect(asked()).toHaveLength(3);
    // At 100 s b (last passed at 30 s) no longer rides; a (70 s) and c (45 s) still do.
    await pass(d, 100);
    expect(asked()[3]?.sort()).toEqual([a, c, d].sort());
    // A ticket closed meanwhile is seen closed after a refresh ahead, sooner than its TTL.
    standin.state.tickets.get(c!)!.status = 'closed';
    await pass(d, 110); // known (asked at 100 s)
    expect(asked()).toHaveLength(4);
  });

  it('asks nothing for a ticket the bridge created, and knows its requester', async () => {
    await createTestLine({ create_ticket: true });
    const made = await decide(invite());
    expect(made.body.call.ticket_link).toBe('created');
    standin.clearRequests();
    const passed = await decide(invite({ ticket_id: String(made.body.call.ticket_id) }));
    expect(passed.body.call).toMatchObject({
      ticket_id: made.body.call.ticket_id,
      ticket_link: 'passed',
      ticket_requester_mismatch: false,
      degraded: [],
    });
    expect(standin.requests).toHaveLength(0);
    expect(events).toContainEqual({
      kind: 'known',
      ticketId: made.body.call.ticket_id,
      source: 'created',
    });
    // Another caller passing it is flagged, as with any passed ticket.
    const other = await decide(
      invite({
        from: 'sip:+12025550143@carrier.example',
        ticket_id: String(made.body.call.ticket_id),
      }),
    );
    expect(other.body.call.ticket_requester_mismatch).toBe(true);
    expect(ticketRequests()).toHaveLength(0);
  });
});

describe('coalescing', () => {
  /** A client whose show_many answers every id as an open ticket and records what it was asked. */
  function recordingClient() {
    const asked: number[][] = [];
    const client = {
      showManyTickets: async (ids: readonly number[]) => {
        asked.push([...ids]);
        return ids.map((id) => ({
          id,
          status: 'open' as const,
          requester_id: 7,
          subject: null,
          tags: [],
        }));
      },
      refusesRequests: () => false,
    } as unknown as ZendeskClient;
    return { client, asked };
  }

  it('sends at most 100 ids in one show_many', async () => {
    setCoalesceWindow({ quietMs: 100, maxMs: 500 });
    const { client, asked } = recordingClient();
    const deps = { db: env.DB, zendesk: client, now: Date.now };
    const ids = Array.from({ length: 101 }, (_, i) => 50_000 + i);
    const checks = await Promise.all(
      ids.map((id) => checkPassedTicket(deps, id, Date.now() + 1500)),
    );
    expect(checks.every((c) => c.status === 'valid')).toBe(true);
    expect(asked.map((a) => a.length).sort((x, y) => y - x)).toEqual([100, 1]);
  });

  it('sends a check with less time left than the window on its own, at once', async () => {
    const { client, asked } = recordingClient();
    const deps = { db: env.DB, zendesk: client, now: Date.now };
    await checkPassedTicket(deps, 60_001, Date.now() + 10);
    expect(events).toContainEqual({ kind: 'window', ms: 0 });
    expect(asked).toEqual([[60_001]]);
  });

  it('never caches a failed show_many: the next call asks again', async () => {
    await createTestLine();
    await primeCaller();
    const [id] = openTickets(1);
    standin.setFaults({ serverError: { count: 3, status: 503 }, failPaths: '^/api/v2/tickets' });
    const failed = await decide(invite({ ticket_id: String(id) }));
    expect(failed.body.call).toMatchObject({
      ticket_link: 'passed_unverified',
      degraded: ['ticket:server'],
    });
    const asked = showMany().length;
    const next = await decide(invite({ ticket_id: String(id) }));
    expect(next.body.call).toMatchObject({ ticket_link: 'passed', degraded: [] });
    expect(showMany().length).toBe(asked + 1);
  });
});

describe('when the budget will not allow a request', () => {
  it('a 429 fails the check at once; the next check is refused without a request or a wait', async () => {
    await createTestLine();
    await primeCaller();
    const [a, b] = openTickets(2);
    standin.setFaults({ rateLimit: { count: 1, retryAfter: 1 }, failPaths: '^/api/v2/tickets' });
    const first = await decide(invite({ ticket_id: String(a) }));
    expect(first.body.call).toMatchObject({
      ticket_id: a,
      ticket_link: 'passed_unverified',
      degraded: ['ticket:rate_limited'],
    });
    // Not asked again once the 1 s pause was over: the decision did not sleep it out.
    expect(showMany()).toHaveLength(1);
    events.length = 0;
    const second = await decide(invite({ ticket_id: String(b) }));
    expect(second.body.call).toMatchObject({
      ticket_id: b,
      ticket_link: 'passed_unverified',
      degraded: ['ticket:budget_exhausted'],
    });
    expect(showMany()).toHaveLength(1);
    // Refused before opening a window: no wait at all.
    expect(events).toEqual([{ kind: 'refused', ticketId: b }]);
  });

  it('a budget spent by other isolates is skipped and named in degraded, never waited for', async () => {
    await createTestLine();
    await primeCaller();
    const [a, b] = openTickets(2);
    const window = Math.floor(Date.now() / 60_000) * 60_000;
    await env.DB.prepare(
      `INSERT INTO zendesk_budget (window_start, used) VALUES (?, 100000)
       ON CONFLICT (window_start) DO UPDATE SET used = excluded.used`,
    )
      .bind(window)
      .run();
    const first = await decide(invite({ ticket_id: String(a) }));
    expect(first.body.call).toMatchObject({
      ticket_link: 'passed_unverified',
      degraded: ['ticket:budget_exhausted'],
    });
    // This isolate learns it from D1 once (its batch window, a few ms); then it knows.
    expect(events.filter((e) => e.kind === 'window')).toHaveLength(1);
    events.length = 0;
    const second = await decide(invite({ ticket_id: String(b) }));
    expect(second.body.call.degraded).toEqual(['ticket:budget_exhausted']);
    expect(events).toEqual([{ kind: 'refused', ticketId: b }]);
    expect(standin.requests).toHaveLength(0);
  });
});
