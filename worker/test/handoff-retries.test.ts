// A handoff's ticket create whose answer is lost (Zendesk made the ticket, then timed out or
// answered 5xx) and the AI agent's retry with the same Idempotency-Key: the ticket carries the
// external_id `sipbridge-handoff:<handoff id>`, the claim keeps that id, and the retry finds the
// ticket with List Tickets instead of making a second one. A first attempt looks nothing up.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ZendeskStandin } from '@sip-bridge/zendesk-standin/app';
import { ADA_LOVELACE_ID, FIRST_NEW_TICKET_ID } from '@sip-bridge/zendesk-standin/seed';
import {
  adminFetch,
  createTestKey,
  createTestLine,
  handoff,
  installStandin,
  loseZendeskAnswers,
} from './harness';

let standin: ZendeskStandin;
let key: string;
beforeEach(async () => {
  standin = installStandin();
  await env.DB.exec(
    'DELETE FROM handoffs; DELETE FROM api_key_minutes; DELETE FROM lines; DELETE FROM caller_matches; ' +
      'DELETE FROM zendesk_budget; DELETE FROM line_creations',
  );
  await createTestLine();
  key = (await createTestKey()).secret;
});

const ada = {
  caller: { phone: '+14155550100' },
  summary: 'Charged twice in December; wants a refund.',
  intent: 'billing_dispute',
};
const TICKET_CREATE = /^\/api\/v2\/tickets(\.json)?$/;

/** The Zendesk requests the stand-in saw, as `METHOD path?external_id=`. */
const asked = () =>
  standin.requests.map(
    (r) =>
      `${r.method} ${r.path}${r.query.external_id === undefined ? '' : `?external_id=${r.query.external_id}`}`,
  );
const ticketCreates = () => asked().filter((r) => r === 'POST /api/v2/tickets.json').length;
const lookups = () => asked().filter((r) => r.startsWith('GET /api/v2/tickets.json?'));
const handoffRow = (id: string | null = null) =>
  env.DB.prepare(id === null ? 'SELECT * FROM handoffs' : 'SELECT * FROM handoffs WHERE id = ?')
    .bind(...(id === null ? [] : [id]))
    .first<Record<string, any>>();

describe('a first attempt', () => {
  it('sets the handoff external_id on the ticket and looks nothing up', async () => {
    const res = await handoff(ada, { key, idempotencyKey: 'first-try' });
    expect(res.status).toBe(201);
    expect(standin.state.tickets.get(res.body.ticket_id)?.external_id).toBe(
      `sipbridge-handoff:${res.body.handoff_id}`,
    );
    expect(lookups()).toEqual([]);
    expect(ticketCreates()).toBe(1);
  });
});

describe('a retry after the ticket create lost its answer', () => {
  it.each([
    ['a 502', 502 as const, 503, 'zendesk_unavailable'],
    ['no answer (timeout)', 'none' as const, 504, 'zendesk_timeout'],
  ])(
    'after %s, finds the ticket Zendesk made and answers it: one ticket',
    async (_label, lost, status, error) => {
      loseZendeskAnswers('POST', TICKET_CREATE, lost);
      const failed = await handoff(ada, { key, idempotencyKey: 'lost-answer' });
      expect(failed.status).toBe(status);
      expect(failed.body.error).toBe(error);
      expect(failed.body.message).toContain('retry with the same Idempotency-Key');
      // Zendesk did make it; the bridge kept the claim (released) with its handoff id.
      expect(standin.state.tickets.get(FIRST_NEW_TICKET_ID)).toBeDefined();
      const kept = await handoffRow();
      expect(kept).toMatchObject({ status: 'pending', ticket_id: null });
      expect(kept!.released_at).not.toBeNull();
      const externalId = standin.state.tickets.get(FIRST_NEW_TICKET_ID)!.external_id;
      expect(externalId).toBe(`sipbridge-handoff:${kept!.id}`);

      const retried = await handoff(ada, { key, idempotencyKey: 'lost-answer' });
      expect(retried.status).toBe(201);
      expect(retried.headers.get('Idempotent-Replayed')).toBeNull();
      expect(retried.body).toMatchObject({
        handoff_id: kept!.id,
        ticket_id: FIRST_NEW_TICKET_ID,
        ticket: 'created',
        header: `X-Zendesk-Ticket-Id: ${FIRST_NEW_TICKET_ID}`,
        caller: { match: 'matched', user_id: ADA_LOVELACE_ID, requester: 'matched' },
      });
      expect(ticketCreates()).toBe(1);
      expect(standin.state.tickets.size).toBe(5);
      expect(standin.state.comments.get(FIRST_NEW_TICKET_ID)).toHaveLength(1);
      expect(lookups()).toEqual([`GET /api/v2/tickets.json?external_id=${externalId}`]);
      expect(await handoffRow(kept!.id)).toMatchObject({
        status: 'completed',
        ticket_id: FIRST_NEW_TICKET_ID,
        requester_id: ADA_LOVELACE_ID,
        released_at: null,
      });

      // And from then on it is an ordinary replay: nothing asked, nothing written.
      const requests = standin.requests.length;
      const replay = await handoff(ada, { key, idempotencyKey: 'lost-answer' });
      expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
      expect(replay.body).toEqual(retried.body);
      expect(standin.requests.length).toBe(requests);
    },
    15_000,
  );

  it("answers the first attempt's requester: a user it created for an unknown caller", async () => {
    await adminFetch('/v1/admin/lines/ai-agent', {
      method: 'PATCH',
      body: { create_ticket: true },
    });
    const body = { caller: { phone: '+12025550143', name: 'Grace Kim' } };
    const users = standin.state.users.size;
    loseZendeskAnswers('POST', TICKET_CREATE, 502);
    expect((await handoff(body, { key, idempotencyKey: 'new-caller' })).status).toBe(503);
    const retried = await handoff(body, { key, idempotencyKey: 'new-caller' });
    expect(retried.status).toBe(201);
    const user = [...standin.state.users.values()].at(-1)!;
    expect(standin.state.users.size).toBe(users + 1);
    expect(retried.body.caller).toMatchObject({
      match: 'no_match',
      user_id: user.id,
      requester: 'created',
    });
    expect(standin.state.tickets.get(retried.body.ticket_id)?.requester_id).toBe(user.id);
    expect(ticketCreates()).toBe(1);
  });

  it('makes the ticket when the failed create did not reach Zendesk after all', async () => {
    // A 503 from in front of Zendesk: nothing was made, which only the lookup can tell.
    standin.setFaults({ serverError: { count: 1, status: 503 }, failPaths: '^/api/v2/tickets' });
    expect((await handoff(ada, { key, idempotencyKey: 'never-made' })).status).toBe(503);
    expect(standin.state.tickets.size).toBe(4);
    const retried = await handoff(ada, { key, idempotencyKey: 'never-made' });
    expect(retried.status).toBe(201);
    expect(retried.body.ticket_id).toBe(FIRST_NEW_TICKET_ID);
    expect(lookups()).toHaveLength(1);
    expect(standin.state.tickets.size).toBe(5);
    expect(standin.state.tickets.get(FIRST_NEW_TICKET_ID)?.external_id).toBe(
      `sipbridge-handoff:${retried.body.handoff_id}`,
    );
  });

  it('keeps the claim when the lookup fails too, so a later retry still finds the ticket', async () => {
    loseZendeskAnswers('POST', TICKET_CREATE, 502);
    expect((await handoff(ada, { key, idempotencyKey: 'twice' })).status).toBe(503);
    standin.setFaults({ serverError: { count: 3, status: 503 }, failPaths: '^/api/v2/tickets' });
    const second = await handoff(ada, { key, idempotencyKey: 'twice' });
    expect(second.status).toBe(503);
    expect((await handoffRow())!.released_at).not.toBeNull();
    const third = await handoff(ada, { key, idempotencyKey: 'twice' });
    expect(third.status).toBe(201);
    expect(third.body.ticket_id).toBe(FIRST_NEW_TICKET_ID);
    expect(ticketCreates()).toBe(1);
  });

  it('makes one ticket for concurrent retries', async () => {
    loseZendeskAnswers('POST', TICKET_CREATE, 502);
    expect((await handoff(ada, { key, idempotencyKey: 'busy-retry' })).status).toBe(503);
    const copies = await Promise.all(
      [1, 2, 3].map(() => handoff(ada, { key, idempotencyKey: 'busy-retry' })),
    );
    for (const copy of copies) expect(copy.status, JSON.stringify(copy.body)).toBe(201);
    expect(new Set(copies.map((c) => c.body.ticket_id))).toEqual(new Set([FIRST_NEW_TICKET_ID]));
    expect(ticketCreates()).toBe(1);
    expect(lookups()).toHaveLength(1);
  });

  it('finds the ticket after a request that died once its create was sent (a stale claim)', async () => {
    loseZendeskAnswers('POST', TICKET_CREATE, 502);
    await handoff(ada, { key, idempotencyKey: 'died' });
    // As a request that died leaves it: held, never released, claimed long ago.
    await env.DB.prepare('UPDATE handoffs SET released_at = NULL, claimed_at = ?')
      .bind(new Date(Date.now() - 60_000).toISOString())
      .run();
    const retried = await handoff(ada, { key, idempotencyKey: 'died' });
    expect(retried.status).toBe(201);
    expect(retried.body.ticket_id).toBe(FIRST_NEW_TICKET_ID);
    expect(ticketCreates()).toBe(1);
  });
});

describe('HANDOFF_BUDGET_MS', () => {
  it('sets the budget the route gives a handoff: a claim stale after 3 budgets is taken over', async () => {
    loseZendeskAnswers('POST', TICKET_CREATE, 502);
    await handoff(ada, { key, idempotencyKey: 'short-budget' });
    // Held by a request that died 5 s ago: stale under a 1 s budget, not under the default 4 s
    // (a copy would wait for it, then answer 409 handoff_in_progress).
    await env.DB.prepare('UPDATE handoffs SET released_at = NULL, claimed_at = ?')
      .bind(new Date(Date.now() - 5000).toISOString())
      .run();
    const vars = env as unknown as Record<string, unknown>;
    vars.HANDOFF_BUDGET_MS = '1000';
    try {
      const retried = await handoff(ada, { key, idempotencyKey: 'short-budget' });
      expect(retried.status, JSON.stringify(retried.body)).toBe(201);
      expect(retried.body.ticket_id).toBe(FIRST_NEW_TICKET_ID);
    } finally {
      delete vars.HANDOFF_BUDGET_MS;
    }
  }, 15_000);
});

describe('a failed attempt whose create cannot have made the ticket', () => {
  it('leaves nothing, and its retry creates without looking anything up', async () => {
    // Zendesk's 429 means the create was not carried out.
    standin.setFaults({ rateLimit: { count: 1, retryAfter: 0 }, failPaths: '^/api/v2/tickets' });
    const failed = await handoff(ada, { key, idempotencyKey: 'refused' });
    expect(failed.status).toBe(503);
    expect(failed.body.message).toContain('Nothing was saved');
    expect(await handoffRow()).toBeNull();
    const retried = await handoff(ada, { key, idempotencyKey: 'refused' });
    expect(retried.status).toBe(201);
    expect(lookups()).toEqual([]);
  });

  it('without an Idempotency-Key keeps nothing: no retry could name it', async () => {
    loseZendeskAnswers('POST', TICKET_CREATE, 502);
    const failed = await handoff(ada, { key });
    expect(failed.status).toBe(503);
    expect(failed.body.message).toContain('Nothing was saved');
    expect(await handoffRow()).toBeNull();
  });
});
