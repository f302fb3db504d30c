import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ZendeskStandin } from '@sip-bridge/zendesk-standin/app';
import { OPEN_TICKET_ID } from '@sip-bridge/zendesk-standin/seed';
import {
  callRow,
  createTestLine,
  decide,
  hangZendesk,
  installStandin,
  invite,
  takeZendeskDown,
} from './harness';

// Zendesk trouble must never cost a call: the decision answers within its budget, relays
// unenriched, records what was skipped, and writes nothing twice.
let standin: ZendeskStandin;
beforeEach(async () => {
  standin = installStandin();
  await env.DB.exec(
    'DELETE FROM calls; DELETE FROM lines; DELETE FROM caller_matches; DELETE FROM zendesk_budget; DELETE FROM ticket_checks',
  );
  await createTestLine({ create_ticket: true });
});

describe('when Zendesk misbehaves', () => {
  // Zendesk never answers at all: the decision can only come back because its budget ran out.
  it('answers within the budget when Zendesk hangs, relaying with the passed ticket', async () => {
    const held = hangZendesk();
    const req = { ...invite({ ticket_id: String(OPEN_TICKET_ID) }), budget_ms: 400 };
    const { status, body } = await decide(req);
    expect(status).toBe(200);
    // Zendesk was asked, and every request was given up when the budget ran out.
    expect(held.asked).toBeGreaterThan(0);
    expect(held.givenUp).toBe(held.asked);
    expect(body).toMatchObject({
      action: 'relay',
      headers: [{ name: 'X-Zendesk-Ticket-Id', value: String(OPEN_TICKET_ID) }],
      call: { match: 'unavailable', ticket_link: 'passed_unverified' },
    });
    expect(body.call.degraded).toEqual(expect.arrayContaining(['ticket:timeout', 'match:timeout']));
    expect(await callRow(req.call_id)).toMatchObject({
      decision: 'relay',
      match_result: 'unavailable',
    });
  });

  it.each([
    [
      'rate limited (429)',
      () => standin.setFaults({ rateLimit: { count: 50, retryAfter: 30 } }),
      'match:rate_limited',
    ],
    [
      'failing (503)',
      () => standin.setFaults({ serverError: { count: 50, status: 503 } }),
      'match:server',
    ],
    ['unreachable', () => takeZendeskDown(), 'match:unreachable'],
  ])('relays without enrichment when Zendesk is %s', async (_label, breakIt, why) => {
    breakIt();
    const req = { ...invite(), budget_ms: 800 };
    const { body } = await decide(req);
    expect(body.action).toBe('relay');
    expect(body.targets).toEqual(['sip:mongoose@mongoose.sip.twilio.com']);
    expect(body.call.match).toBe('unavailable');
    expect(body.call.degraded).toContain(why);
    // Answered on the failure itself, not by waiting out the budget (no Retry-After sleep).
    expect(body.call.degraded).not.toContain('match:timeout');
    expect(body.call.ticket_link).toBe('none');
  });

  it('does not cache a failed lookup: the next call asks Zendesk again and matches', async () => {
    takeZendeskDown();
    await decide({ ...invite(), budget_ms: 300 });
    standin = installStandin();
    const { body } = await decide(invite());
    expect(body.call.match).toBe('matched');
  });

  it('never sleeps out a Retry-After the budget could afford: the step is skipped at once', async () => {
    // A 1 s Retry-After fits in the 1.5 s budget, but the caller would hear that second of silence.
    standin.setFaults({ rateLimit: { count: 1, retryAfter: 1 } });
    const { body } = await decide(invite());
    // The pause is known in this isolate: creating the ticket is skipped too, without sending.
    expect(body.call.degraded).toEqual(['match:rate_limited', 'create_ticket:budget_exhausted']);
    expect(body.call.match).toBe('unavailable');
    // Asked once and not again after the pause (a retry would have been a second request).
    expect(standin.requests).toHaveLength(1);
  });

  it('stops asking Zendesk while a Retry-After is in force (shared budget)', async () => {
    standin.setFaults({ rateLimit: { count: 1, retryAfter: 60 } });
    await decide({ ...invite(), budget_ms: 300 });
    const seen = standin.requests.length;
    const { body } = await decide({
      ...invite({ from: 'sip:+12025550143@carrier.example' }),
      budget_ms: 300,
    });
    expect(body.call.degraded).toContain('match:budget_exhausted');
    expect(standin.requests.length).toBe(seen);
  });

  it('a retried INVITE after a failed ticket creation gets the same answer and no second ticket', async () => {
    standin.setFaults({ serverError: { count: 1, status: 500 }, failPaths: '^/api/v2/tickets' });
    const req = invite();
    const first = await decide(req);
    expect(first.body.call.degraded).toContain('create_ticket:server');
    const tickets = standin.state.tickets.size;
    const again = await decide(req);
    expect(again.body).toEqual(first.body);
    expect(standin.state.tickets.size).toBe(tickets);
  });
});
