// Zendesk writes are bounded per line, and a passed ticket that is not the caller's is flagged.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ZendeskStandin } from '@sip-bridge/zendesk-standin/app';
import { OPEN_TICKET_ID, PENDING_TICKET_ID } from '@sip-bridge/zendesk-standin/seed';
import {
  adminFetch,
  appFetch,
  callRow,
  createTestLine,
  decide,
  installStandin,
  invite,
} from './harness';
import { flushAfterCalls } from '../src/calls/flush-after-calls';
import { zendeskFromEnv } from '../src/config';

let standin: ZendeskStandin;
beforeEach(async () => {
  standin = installStandin();
  await env.DB.exec(
    'DELETE FROM calls; DELETE FROM lines; DELETE FROM line_creations; DELETE FROM caller_users',
  );
});

const creations = () =>
  standin.requests.filter((r) => r.method === 'POST' && /\/(users|tickets)(\.json)?$/.test(r.path))
    .length;
/** Creations taken from the line's cap this minute (users and tickets). */
const capTaken = async () =>
  (await env.DB.prepare('SELECT COALESCE(SUM(count), 0) AS n FROM line_creations').first<{
    n: number;
  }>())!.n;
const unknownCaller = (n: number) =>
  `"Caller" <sip:+1415555${String(120 + n).padStart(4, '0')}@carrier.example>;tag=1`;

describe('per-line cap on Zendesk users and tickets created per minute', () => {
  it('defaults to 30 a minute and can be changed per line', async () => {
    await createTestLine();
    const shown = (await (await adminFetch('/v1/admin/lines/ai-agent')).json()) as {
      line: { max_creations_per_minute: number };
    };
    expect(shown.line.max_creations_per_minute).toBe(30);
    const patched = await adminFetch('/v1/admin/lines/ai-agent', {
      method: 'PATCH',
      body: { max_creations_per_minute: 5 },
    });
    expect(((await patched.json()) as typeof shown).line.max_creations_per_minute).toBe(5);
  });

  it('over the cap a call is relayed and recorded, without creating anything, with the reason', async () => {
    await createTestLine({ create_ticket: true, max_creations_per_minute: 3 });
    // Each unknown caller costs two creations, taken together: the ticket now, its user after.
    const first = await decide(invite({ from: unknownCaller(1) }));
    expect(first.body.call.ticket_link).toBe('created');
    expect(await capTaken()).toBe(2);
    // One creation left: neither the ticket nor a user without its ticket is made.
    const second = await decide(invite({ from: unknownCaller(2) }));
    const thirdReq = invite({ from: unknownCaller(3) });
    const third = await decide(thirdReq);
    expect(await capTaken()).toBe(2);
    for (const { status, body } of [second, third]) {
      expect(status).toBe(200);
      expect(body).toMatchObject({
        action: 'relay',
        call: { ticket_id: null, ticket_link: 'none' },
      });
      expect(body.call.degraded).toContain('create_ticket:line_cap');
    }
    const row = await callRow(thirdReq.call_id);
    expect(row).toMatchObject({ decision: 'relay', ticket_id: null });
    expect(JSON.parse(row!.degraded)).toContain('create_ticket:line_cap');
    await flushAfterCalls(env.DB, zendeskFromEnv(env), { pollDelaysMs: [0, 0] });
    expect(creations()).toBe(1);
    const made = [...standin.state.users.values()].filter((u) => u.phone?.startsWith('+1415555'));
    expect(made.map((u) => u.phone)).toEqual(['+14155550121']);
  });

  it('a cap of 0 creates nothing', async () => {
    await createTestLine({ create_ticket: true, max_creations_per_minute: 0 });
    const { body } = await decide(invite({ from: unknownCaller(4) }));
    expect(body.call.degraded).toContain('create_ticket:line_cap');
    expect(creations()).toBe(0);
  });
});

describe('a passed ticket whose requester is not the caller', () => {
  it("is flagged on the call record and relayed on a 'keep' line (the default)", async () => {
    await createTestLine();
    const req = invite({ ticket_id: String(PENDING_TICKET_ID) }); // Marie's ticket, Ada calling
    const { body } = await decide(req);
    expect(body).toMatchObject({
      headers: [{ name: 'X-Zendesk-Ticket-Id', value: String(PENDING_TICKET_ID) }],
      call: { ticket_link: 'passed', ticket_requester_mismatch: true },
    });
    const res = await appFetch(`/v1/tickets/${PENDING_TICKET_ID}/calls`);
    const { calls } = (await res.json()) as { calls: { ticket: Record<string, unknown> }[] };
    expect(calls[0]?.ticket).toMatchObject({ requester_mismatch: true, passed_id: '1002' });
    expect((await callRow(req.call_id))?.ticket_requester_mismatch).toBe(1);
  });

  it('is not flagged when the requester is the caller', async () => {
    await createTestLine();
    const { body } = await decide(invite({ ticket_id: String(OPEN_TICKET_ID) })); // Ada's own
    expect(body.call).toMatchObject({ ticket_link: 'passed', ticket_requester_mismatch: false });
  });

  it("loses its header on a 'drop' line, still flagged", async () => {
    await createTestLine({ requester_mismatch: 'drop' });
    const req = invite({ ticket_id: String(PENDING_TICKET_ID) });
    const { body } = await decide(req);
    expect(body).toMatchObject({
      action: 'relay',
      headers: [],
      call: { ticket_id: null, ticket_link: 'dropped', ticket_requester_mismatch: true },
    });
    expect(await callRow(req.call_id)).toMatchObject({
      ticket_requester_mismatch: 1,
      passed_ticket_id: '1002',
    });
  });
});
