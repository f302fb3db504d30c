// First-time callers: the call path makes one Zendesk request (the ticket); the caller's user is
// made after the answer, in Create Or Update Many Users jobs of up to 100, and then set as the
// ticket's requester in an Update Many job. One user per number, whatever is lost on the way.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ZendeskStandin } from '@sip-bridge/zendesk-standin/app';
import { flushAfterCalls } from '../src/calls/flush-after-calls';
import { callerExternalId, STALE_SENDING_MS } from '../src/calls/caller-users';
import { BACKGROUND_TIMEOUT_MS, zendeskFromEnv } from '../src/config';
import type { ZendeskClient } from '../src/zendesk/client';
import type { DecisionRequest } from '@sip-bridge/contract/edge';
import { decideCall } from '../src/calls/decide';
import {
  bringZendeskBack,
  callRow,
  createTestLine,
  decide as decideThroughRoute,
  installStandin,
  invite,
  loseZendeskAnswers,
  takeZendeskDown,
} from './harness';

let standin: ZendeskStandin;
beforeEach(async () => {
  standin = installStandin();
  await env.DB.exec(
    'DELETE FROM calls; DELETE FROM lines; DELETE FROM caller_matches; DELETE FROM phone_index; DELETE FROM caller_users; DELETE FROM user_jobs; DELETE FROM note_jobs; DELETE FROM zendesk_budget; DELETE FROM line_creations',
  );
  await createTestLine({ create_ticket: true });
});

const zendesk = () => zendeskFromEnv(env, { timeoutMs: BACKGROUND_TIMEOUT_MS });

/**
 * The decision alone, as the route makes it but without the flush it schedules after the answer,
 * so each test runs the flush itself (one test below goes through the route).
 */
async function decide(req: DecisionRequest) {
  const body = await decideCall(
    {
      db: env.DB,
      zendesk: zendeskFromEnv(env, { callPath: true }),
      budgetMs: 1500,
      nonce: { nonce: crypto.randomUUID(), expiresAt: Date.now() + 300_000 },
    },
    req,
  );
  if (body === 'replayed') throw new Error('replayed');
  return { body: body as Record<string, any> };
}
/** A flush as the linger or the cron runs it, polling the jobs it sends. */
const flush = (client: ZendeskClient = zendesk(), now?: () => number) =>
  flushAfterCalls(env.DB, client, { pollDelaysMs: [0, 0], ...(now ? { now } : {}) });

const number = (i: number) => `+1202555${String(1000 + i).slice(-4)}`;
const callFrom = (e164: string) => invite({ from: `sip:${e164}@carrier.example` });
const apiUserId = () =>
  [...standin.state.users.values()].find((u) => u.email === env.ZENDESK_EMAIL)!.id;
const usersWith = (e164: string) =>
  [...standin.state.users.values()].filter((u) => u.phone === e164);
/** Requests that create or change users, and those that create tickets. */
const userWrites = () =>
  standin.requests.filter((r) => r.method !== 'GET' && r.path.startsWith('/api/v2/users'));
const ticketCreates = () =>
  standin.requests.filter((r) => r.method === 'POST' && r.path === '/api/v2/tickets.json');

describe("first-time callers' users", () => {
  it('makes the ticket in the call path and the user after it, then sets it as the requester', async () => {
    const e164 = number(1);
    const req = callFrom(e164);
    const { body } = await decide(req);
    expect(body.call).toMatchObject({ match: 'no_match', ticket_link: 'created' });
    // The call path: the ticket only, made without a requester (the API user's for now).
    expect(userWrites()).toHaveLength(0);
    expect(ticketCreates()).toHaveLength(1);
    const ticket = standin.state.tickets.get(body.call.ticket_id)!;
    expect(ticket.requester_id).toBe(apiUserId());
    expect(await callRow(req.call_id)).toMatchObject({
      requester_status: 'waiting',
      matched_user_id: null,
    });

    const report = await flush();
    expect(report.users).toMatchObject({ jobsSent: 1, usersSent: 1, created: 1 });
    const [user] = usersWith(e164);
    expect(user).toMatchObject({ role: 'end-user', external_id: callerExternalId(e164) });
    expect(user!.name).toMatch(/^Caller \+1 202/);
    expect(userWrites().map((r) => r.path)).toEqual(['/api/v2/users/create_or_update_many.json']);
    expect(ticket.requester_id).toBe(user!.id);
    expect(await callRow(req.call_id)).toMatchObject({
      requester_status: 'posted',
      matched_user_id: user!.id,
    });

    // The next call matches the user, and its ticket is made with it, asking nothing else.
    standin.clearRequests();
    const next = await decide(callFrom(e164));
    expect(next.body.call).toMatchObject({ match: 'matched', ticket_link: 'created' });
    expect(standin.state.tickets.get(next.body.call.ticket_id)!.requester_id).toBe(user!.id);
    expect(standin.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v2/tickets.json',
    ]);
  });

  it('makes the user and sets the requester after the answer by itself (the route schedules it)', async () => {
    const e164 = number(9);
    const req = callFrom(e164);
    const { body } = await decideThroughRoute(req);
    const requester = async () => (await callRow(req.call_id))?.requester_status;
    await expect.poll(requester, { timeout: 5000 }).toBe('posted');
    const [user] = usersWith(e164);
    expect(standin.state.tickets.get(body.call.ticket_id)!.requester_id).toBe(user!.id);
  });

  it('gives two calls from a new number one user, and both tickets get it', async () => {
    const e164 = number(2);
    const first = await decide(callFrom(e164));
    const second = await decide(callFrom(e164));
    expect(second.body.call).toMatchObject({ match: 'no_match', ticket_link: 'created' });
    await flush();
    const users = usersWith(e164);
    expect(users).toHaveLength(1);
    for (const call of [first, second]) {
      expect(standin.state.tickets.get(call.body.call.ticket_id)!.requester_id).toBe(users[0]!.id);
    }
  });

  it('takes the user and the ticket from the line’s cap, and a call joining a queued user only the ticket', async () => {
    await env.DB.exec('DELETE FROM lines');
    await createTestLine({ create_ticket: true, max_creations_per_minute: 3 });
    const first = await decide(callFrom(number(3))); // user + ticket: 2
    const joining = await decide(callFrom(number(3))); // ticket: 3
    const over = await decide(callFrom(number(4))); // would be 5
    expect(first.body.call.ticket_link).toBe('created');
    expect(joining.body.call.ticket_link).toBe('created');
    expect(over.body.call).toMatchObject({
      ticket_link: 'none',
      degraded: ['create_ticket:line_cap'],
    });
    await flush();
    expect(usersWith(number(3))).toHaveLength(1);
    expect(usersWith(number(4))).toHaveLength(0);
  });

  it('sends the users of 30 first-time callers in one job, and their requesters in one more', async () => {
    await env.DB.exec('DELETE FROM lines');
    await createTestLine({ create_ticket: true, max_creations_per_minute: 100 });
    const calls = [];
    for (let i = 10; i < 40; i++) calls.push(await decide(callFrom(number(i))));
    standin.clearRequests();
    const report = await flush();
    expect(report.users).toMatchObject({ jobsSent: 1, usersSent: 30, created: 30 });
    const sent = standin.requests.filter((r) => r.method !== 'GET').map((r) => r.path);
    expect(sent).toEqual([
      '/api/v2/users/create_or_update_many.json',
      '/api/v2/tickets/update_many.json',
    ]);
    for (const [i, call] of calls.entries()) {
      const [user] = usersWith(number(i + 10));
      expect(standin.state.tickets.get(call.body.call.ticket_id)!.requester_id).toBe(user!.id);
    }
  });

  it('sends a job whose answer was lost again, and Zendesk keeps one user', async () => {
    const e164 = number(5);
    const { body } = await decide(callFrom(e164));
    loseZendeskAnswers('POST', /create_or_update_many/, 502);
    const lost = await flush();
    expect(lost.users).toMatchObject({ jobsSent: 0, created: 0 });
    // Zendesk queued the job and ran it, though the bridge never heard of it.
    const [job] = [...standin.state.jobs.values()];
    for (let i = 0; i < 2; i++) await zendesk().showJobStatus(job!.id);
    expect(usersWith(e164)).toHaveLength(1);

    const again = await flush();
    expect(again.users).toMatchObject({ jobsSent: 1, created: 1 });
    const users = usersWith(e164);
    expect(users).toHaveLength(1);
    expect(standin.state.tickets.get(body.call.ticket_id)!.requester_id).toBe(users[0]!.id);
  });

  it('sends again the users a flush claimed and never settled (it died), once stale', async () => {
    const e164 = number(6);
    const { body } = await decide(callFrom(e164));
    const old = new Date(Date.now() - STALE_SENDING_MS - 1000).toISOString();
    await env.DB.batch([
      env.DB.prepare(
        `INSERT INTO user_jobs (id, state, items, created_at, updated_at) VALUES (90, 'sending', 1, ?1, ?1)`,
      ).bind(old),
      env.DB.prepare(
        `UPDATE caller_users SET status = 'sending', job_id = 90, attempts = 1 WHERE e164 = ?`,
      ).bind(e164),
    ]);
    expect((await flush()).users).toMatchObject({ jobsSent: 1, created: 1 });
    const [user] = usersWith(e164);
    expect(standin.state.tickets.get(body.call.ticket_id)!.requester_id).toBe(user!.id);
  });

  it('keeps the users while Zendesk is down and sends them when it is back', async () => {
    const e164 = number(16);
    const { body } = await decide(callFrom(e164));
    takeZendeskDown();
    expect((await flush()).users).toMatchObject({ jobsSent: 0, created: 0 });
    bringZendeskBack();
    expect((await flush()).users).toMatchObject({ jobsSent: 1, created: 1 });
    const [user] = usersWith(e164);
    expect(standin.state.tickets.get(body.call.ticket_id)!.requester_id).toBe(user!.id);
  });

  it('retries a user Zendesk refused in a batch alone, then gives it up; its ticket keeps its requester', async () => {
    const refused = number(7);
    const good = number(8);
    const a = await decide(callFrom(refused));
    const b = await decide(callFrom(good));
    // Zendesk's documented per-item failure for one of the users.
    const real = zendesk();
    const refusing: ZendeskClient = {
      ...real,
      async showJobStatus(id, call) {
        const status = await real.showJobStatus(id, call);
        if (status?.status !== 'completed') return status;
        return {
          ...status,
          results: status.results?.map((r) =>
            r.external_id === callerExternalId(refused)
              ? {
                  index: r.index,
                  status: 'Failed',
                  error: 'UserCreateError',
                  details: 'Phone: is invalid',
                }
              : r,
          ),
        };
      },
    };
    await flush(refusing);
    const [user] = usersWith(good);
    expect(standin.state.tickets.get(b.body.call.ticket_id)!.requester_id).toBe(user!.id);
    const row = () =>
      env.DB.prepare('SELECT status, alone, attempts FROM caller_users WHERE e164 = ?')
        .bind(refused)
        .first();
    expect(await row()).toMatchObject({ status: 'pending', alone: 1 });
    standin.clearRequests();
    await flush(refusing);
    // Alone, in a job of its own, and refused again: given up.
    expect(
      standin.requests.filter((r) => r.path === '/api/v2/users/create_or_update_many.json'),
    ).toHaveLength(1);
    expect(await row()).toMatchObject({ status: 'failed' });
    const ticket = standin.state.tickets.get(a.body.call.ticket_id)!;
    expect(ticket.requester_id).toBe(apiUserId());
    const calls = await env.DB.prepare('SELECT requester_status FROM calls WHERE caller_e164 = ?')
      .bind(refused)
      .all();
    expect(calls.results).toEqual([{ requester_status: 'failed' }]);
  });
});
