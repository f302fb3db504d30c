// A handoff's ticket, and the user it creates for an unknown caller, count in the line's cap on
// Zendesk users and tickets created per minute (max_creations_per_minute), the same cap as the
// calls' own: over it the handoff is refused with 429 and writes nothing.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ZendeskStandin } from '@sip-bridge/zendesk-standin/app';
import { OPEN_TICKET_ID } from '@sip-bridge/zendesk-standin/seed';
import {
  adminFetch,
  createTestKey,
  createTestLine,
  decide,
  handoff,
  installStandin,
  invite,
  loseZendeskAnswers,
} from './harness';

let standin: ZendeskStandin;
let key: string;
beforeEach(async () => {
  standin = installStandin();
  await env.DB.exec(
    'DELETE FROM calls; DELETE FROM handoffs; DELETE FROM api_key_minutes; DELETE FROM lines; ' +
      'DELETE FROM caller_matches; DELETE FROM zendesk_budget; DELETE FROM line_creations',
  );
  await createTestLine();
  key = (await createTestKey()).secret;
});

const setLine = (body: Record<string, unknown>) =>
  adminFetch('/v1/admin/lines/ai-agent', { method: 'PATCH', body });
/** Creations the line spent this minute, as the cap counts them. */
const spent = async () =>
  (await env.DB.prepare('SELECT COALESCE(SUM(count), 0) AS n FROM line_creations').first<{
    n: number;
  }>())!.n;
const zendeskWrites = () => standin.requests.filter((r) => r.method !== 'GET').length;
const handoffRows = async () =>
  (await env.DB.prepare('SELECT COUNT(*) AS n FROM handoffs').first<{ n: number }>())!.n;

const ada = { caller: { phone: '+14155550100' }, summary: 'Wants a refund.' };
const unknownCaller = { caller: { phone: '+12025550143', name: 'Grace Kim' } };

/** What a refused handoff must leave as it was. */
const written = async () => ({
  zendeskWrites: zendeskWrites(),
  tickets: standin.state.tickets.size,
  users: standin.state.users.size,
  handoffs: await handoffRows(),
  spent: await spent(),
});

/** The 429 over the cap: Retry-After to the next minute, the cap named, nothing written. */
async function expectCapRefusal(
  res: Awaited<ReturnType<typeof handoff>>,
  before: Awaited<ReturnType<typeof written>>,
) {
  expect(res.status).toBe(429);
  expect(res.body).toEqual({ error: 'creation_cap_reached', message: expect.any(String) });
  expect(res.body.message).toContain('max_creations_per_minute');
  expect(res.body.message).toContain('nothing was written');
  const retryAfter = Number(res.headers.get('Retry-After'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(await written()).toEqual(before);
}

describe("a handoff and the line's creation cap", () => {
  it('spends one creation for a ticket with a matched requester, and is refused past the cap', async () => {
    await setLine({ max_creations_per_minute: 1 });
    const first = await handoff(ada, { key });
    expect(first.status).toBe(201);
    expect(await spent()).toBe(1);
    const before = await written();
    await expectCapRefusal(await handoff(ada, { key }), before);
  });

  it('spends two for a ticket and the user it creates, both or neither', async () => {
    await setLine({ create_ticket: true, max_creations_per_minute: 2 });
    const made = await handoff(unknownCaller, { key });
    expect(made.status).toBe(201);
    expect(made.body.caller.requester).toBe('created');
    expect(await spent()).toBe(2);

    // One creation left is not enough for a user and its ticket: neither is made.
    await env.DB.exec('DELETE FROM line_creations; DELETE FROM handoffs');
    await setLine({ max_creations_per_minute: 1 });
    const before = await written();
    await expectCapRefusal(await handoff({ caller: { phone: '+12025550188' } }, { key }), before);
  });

  it('is refused with nothing written on a line whose cap is 0', async () => {
    await setLine({ create_ticket: true, max_creations_per_minute: 0 });
    const before = await written();
    await expectCapRefusal(await handoff(unknownCaller, { key, idempotencyKey: 'capped' }), before);
    // Nothing was kept for the key: once the cap allows, the retry makes the handoff.
    await setLine({ max_creations_per_minute: 30 });
    expect((await handoff(unknownCaller, { key, idempotencyKey: 'capped' })).status).toBe(201);
  });

  it('shares the cap with the calls: a call past it makes no ticket', async () => {
    await setLine({ create_ticket: true, max_creations_per_minute: 1 });
    expect((await handoff(ada, { key })).status).toBe(201);
    const decision = await decide(invite());
    expect(decision.body.action).toBe('relay');
    expect(decision.body.call.degraded).toContain('create_ticket:line_cap');
    expect(decision.body.call.ticket_link).toBe('none');
  });

  it('spends nothing to update a ticket', async () => {
    await setLine({ max_creations_per_minute: 0 });
    const res = await handoff({ ...ada, ticket_id: OPEN_TICKET_ID }, { key });
    expect(res.status).toBe(201);
    expect(res.body.ticket).toBe('updated');
    expect(await spent()).toBe(0);
  });

  it('spends nothing again when a retry finds the ticket an earlier attempt made', async () => {
    await setLine({ max_creations_per_minute: 1 });
    loseZendeskAnswers('POST', /^\/api\/v2\/tickets(\.json)?$/, 502);
    expect((await handoff(ada, { key, idempotencyKey: 'found' })).status).toBe(503);
    expect(await spent()).toBe(1);
    const retried = await handoff(ada, { key, idempotencyKey: 'found' });
    expect(retried.status).toBe(201);
    expect(await spent()).toBe(1);
  });
});
