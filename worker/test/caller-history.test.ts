// GET /v1/tickets/{ticket_id}/calls/{call_id}/history: a caller's previous calls for the sidebar,
// through the real router, D1 and the Zendesk stand-in, each ticket shown only to who may see it.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ZendeskStandin } from '@sip-bridge/zendesk-standin/app';
import {
  DEMO_OAUTH_TOKENS,
  OPEN_TICKET_ID,
  PENDING_TICKET_ID,
  SOLVED_TICKET_ID,
} from '@sip-bridge/zendesk-standin/seed';
import {
  adminFetch,
  appFetch,
  createTestLine,
  decide,
  edgeFetch,
  installStandin,
  invite,
} from './harness';
import { CALLER_HISTORY_SQL } from '../src/calls/caller-history';

const ADA = 'sip:+14155550100@carrier.example';
const MARIE = 'sip:+33612345678@carrier.example';
const t0 = Date.parse('2026-11-01T09:00:00.000Z');
const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();

let standin: ZendeskStandin;

beforeEach(async () => {
  standin = installStandin();
  await env.DB.exec('DELETE FROM calls; DELETE FROM call_events; DELETE FROM lines');
  await createTestLine({ call_summary: 'none' });
});

/** A decided call from `from` at minute `minute`, linked to `ticket` when given. */
async function callAt(minute: number, from: string, ticket?: number, line = 'ai-agent') {
  const req = invite({
    from,
    line,
    received_at: at(minute),
    ...(ticket === undefined ? {} : { ticket_id: String(ticket) }),
  });
  const { status, body } = await decide(req);
  expect(status).toBe(200);
  if (ticket !== undefined) expect(body.call.ticket_id).toBe(ticket);
  return req.call_id;
}

const history = (ticket: number, callId: string, agentToken?: string | null) =>
  appFetch(`/v1/tickets/${ticket}/calls/${encodeURIComponent(callId)}/history`, undefined, {
    agentToken,
  });

interface Entry {
  received_at: string;
  line: { slug: string; name: string | null };
  status: string;
  duration_s: number | null;
  ticket_id: number | null;
}
async function historyOf(ticket: number, callId: string, agentToken?: string) {
  const res = await history(ticket, callId, agentToken);
  expect(res.status).toBe(200);
  return (await res.json()) as { calls: Entry[]; has_more: boolean; call_id: string };
}

const zendeskAsked = () => standin.requests.map((r) => `${r.method} ${r.path} ${r.status}`);

describe("a caller's previous calls", () => {
  it('lists the last 10 other calls from the number, newest first, the current one left out', async () => {
    // Twelve earlier calls, one a minute; the current call sits among them (minute 5).
    const earlier: Record<number, string> = {};
    for (let m = 0; m < 12; m += 1) {
      if (m !== 5) earlier[m] = await callAt(m, ADA, m % 2 ? OPEN_TICKET_ID : undefined);
    }
    const current = await callAt(5, ADA, OPEN_TICKET_ID);
    const body = await historyOf(OPEN_TICKET_ID, current);
    expect(body.call_id).toBe(current);
    expect(body.calls.map((c) => c.received_at)).toEqual([11, 10, 9, 8, 7, 6, 4, 3, 2, 1].map(at));
    expect(body.has_more).toBe(true);
    expect(body.calls[0]).toEqual({
      received_at: at(11),
      line: { slug: 'ai-agent', name: 'AI agent hand-off' },
      status: 'ringing',
      duration_s: null,
      ticket_id: OPEN_TICKET_ID,
    });
    expect(body.calls[1]?.ticket_id).toBeNull(); // minute 10: linked to no ticket

    // One fewer call: everything fits, nothing more to show.
    await env.DB.prepare('DELETE FROM calls WHERE call_id = ?').bind(earlier[0]).run();
    const all = await historyOf(OPEN_TICKET_ID, current);
    expect(all.calls).toHaveLength(10);
    expect(all.has_more).toBe(false);
  });

  it('carries the outcome and duration as the record has them, and the line on each', async () => {
    const res = await adminFetch('/v1/admin/lines', {
      body: {
        slug: 'billing',
        name: 'Billing IVR',
        sip_targets: ['sip:billing@mongoose.sip.twilio.com'],
        default_country: 'US',
        acl: [{ cidr: '192.0.2.0/24', label: 'IVR' }],
        call_summary: 'none',
      },
    });
    expect(res.status).toBe(201);
    const answered = await callAt(0, ADA, SOLVED_TICKET_ID, 'billing');
    const missed = await callAt(1, ADA);
    const events = await edgeFetch('/v1/edge/events', {
      events: [
        { call_id: answered, kind: 'answered', at: at(0.1), sip_code: 200 },
        { call_id: answered, kind: 'ended', at: at(1.1), ended_by: 'caller' },
        { call_id: missed, kind: 'cancelled', at: at(1.5), sip_code: 487, ended_by: 'caller' },
      ],
    });
    expect(events.status).toBe(200);
    const current = await callAt(2, ADA, OPEN_TICKET_ID);
    const { calls } = await historyOf(OPEN_TICKET_ID, current);
    expect(calls).toEqual([
      {
        received_at: at(1),
        line: { slug: 'ai-agent', name: 'AI agent hand-off' },
        status: 'cancelled',
        duration_s: null,
        ticket_id: null,
      },
      {
        received_at: at(0),
        line: { slug: 'billing', name: 'Billing IVR' },
        status: 'completed',
        duration_s: 60,
        ticket_id: SOLVED_TICKET_ID,
      },
    ]);
    // A deleted line keeps its slug on the calls, without a name.
    expect((await adminFetch('/v1/admin/lines/billing', { method: 'DELETE' })).status).toBe(204);
    const after = await historyOf(OPEN_TICKET_ID, current);
    expect(after.calls[1]?.line).toEqual({ slug: 'billing', name: null });
  });

  it("never lists another caller's calls, not even newer ones on the same ticket", async () => {
    const older = await callAt(0, ADA, OPEN_TICKET_ID);
    await callAt(1, MARIE, OPEN_TICKET_ID);
    await callAt(2, 'sip:+14155550199@carrier.example', OPEN_TICKET_ID);
    await callAt(3, 'sip:anonymous@anonymous.invalid', OPEN_TICKET_ID);
    const current = await callAt(4, ADA, OPEN_TICKET_ID);
    const { calls } = await historyOf(OPEN_TICKET_ID, current);
    expect(calls.map((c) => c.received_at)).toEqual([at(0)]);
    // And the other way round: Ada's calls are not Marie's history.
    const marie = await callAt(5, MARIE, OPEN_TICKET_ID);
    expect((await historyOf(OPEN_TICKET_ID, marie)).calls.map((c) => c.received_at)).toEqual([
      at(1),
    ]);
    expect(older).not.toBe(current);
  });

  it('has no history for a withheld caller, and asks Zendesk nothing more', async () => {
    await callAt(0, 'sip:anonymous@anonymous.invalid', PENDING_TICKET_ID);
    const current = await callAt(1, 'sip:anonymous@anonymous.invalid', OPEN_TICKET_ID);
    standin.clearRequests();
    const body = await historyOf(OPEN_TICKET_ID, current);
    expect(body).toEqual({
      ticket_id: OPEN_TICKET_ID,
      call_id: current,
      calls: [],
      has_more: false,
    });
    expect(zendeskAsked()).toEqual([
      'GET /api/v2/users/me.json 200',
      `GET /api/v2/tickets/${OPEN_TICKET_ID}.json 200`,
    ]);
  });
});

describe('only tickets this agent may see', () => {
  let current: string;
  beforeEach(async () => {
    // Hedy Lamarr sees only the Billing group's ticket (1002); 1001 and 1003 are Support's.
    await callAt(0, ADA, OPEN_TICKET_ID);
    await callAt(1, ADA, SOLVED_TICKET_ID);
    await callAt(2, ADA, PENDING_TICKET_ID);
    current = await callAt(3, ADA, PENDING_TICKET_ID);
    standin.clearRequests();
  });

  it('never returns the id of a ticket the agent may not see, nor anything of it', async () => {
    const res = await history(PENDING_TICKET_ID, current, DEMO_OAUTH_TOKENS.hedyLamarr);
    expect(res.status).toBe(200);
    const text = await res.text();
    const { calls } = JSON.parse(text) as { calls: Entry[] };
    expect(calls.map((c) => [c.received_at, c.ticket_id])).toEqual([
      [at(2), PENDING_TICKET_ID],
      [at(1), null],
      [at(0), null],
    ]);
    for (const leak of [String(OPEN_TICKET_ID), String(SOLVED_TICKET_ID), 'Router', 'Callback'])
      expect(text).not.toContain(leak);
    // One request for both other tickets, as Hedy; the ticket in the path is not asked twice.
    expect(zendeskAsked()).toEqual([
      'GET /api/v2/users/me.json 200',
      `GET /api/v2/tickets/${PENDING_TICKET_ID}.json 200`,
      'GET /api/v2/tickets/show_many.json 200',
    ]);
    const showMany = standin.requests.at(-1);
    expect(showMany?.query.ids?.split(',').map(Number).sort()).toEqual([
      OPEN_TICKET_ID,
      SOLVED_TICKET_ID,
    ]);
  });

  it('shows an unrestricted agent every ticket, and reuses the answers for a minute', async () => {
    const { calls } = await historyOf(PENDING_TICKET_ID, current, DEMO_OAUTH_TOKENS.graceHopper);
    expect(calls.map((c) => c.ticket_id)).toEqual([
      PENDING_TICKET_ID,
      SOLVED_TICKET_ID,
      OPEN_TICKET_ID,
    ]);
    const asked = zendeskAsked().length;
    await historyOf(PENDING_TICKET_ID, current, DEMO_OAUTH_TOKENS.graceHopper);
    expect(zendeskAsked()).toHaveLength(asked);
    // The answers are the ones the ticket check uses: opening 1001's calls asks nothing more.
    expect((await appFetch(`/v1/tickets/${OPEN_TICKET_ID}/calls`)).status).toBe(200);
    expect(zendeskAsked()).toHaveLength(asked);
  });

  it('caches a "no" per agent: Grace is not refused what Hedy may not see', async () => {
    await historyOf(PENDING_TICKET_ID, current, DEMO_OAUTH_TOKENS.hedyLamarr);
    const { calls } = await historyOf(PENDING_TICKET_ID, current, DEMO_OAUTH_TOKENS.graceHopper);
    expect(calls.every((c) => c.ticket_id !== null)).toBe(true);
  });

  it('treats a ticket Zendesk no longer has as not visible', async () => {
    standin.state.tickets.delete(SOLVED_TICKET_ID);
    const { calls } = await historyOf(PENDING_TICKET_ID, current, DEMO_OAUTH_TOKENS.graceHopper);
    expect(calls.map((c) => c.ticket_id)).toEqual([PENDING_TICKET_ID, null, OPEN_TICKET_ID]);
  });

  it('answers 503 with Retry-After when Zendesk cannot say, never the ticket ids', async () => {
    standin.setFaults({ rateLimit: { count: 1, retryAfter: 9 }, failPaths: 'show_many' });
    const limited = await history(PENDING_TICKET_ID, current, DEMO_OAUTH_TOKENS.graceHopper);
    expect(limited.status).toBe(503);
    expect(limited.headers.get('Retry-After')).toBe('9');
    const text = await limited.text();
    expect(JSON.parse(text)).toMatchObject({ error: 'zendesk_unavailable' });
    for (const id of [OPEN_TICKET_ID, SOLVED_TICKET_ID]) expect(text).not.toContain(String(id));
    standin.setFaults({ serverError: { count: 1, status: 502 }, failPaths: 'show_many' });
    expect((await history(PENDING_TICKET_ID, current, DEMO_OAUTH_TOKENS.graceHopper)).status).toBe(
      503,
    );
    // A failure is not remembered as "may not see": once Zendesk answers, the tickets are shown.
    const { calls } = await historyOf(PENDING_TICKET_ID, current, DEMO_OAUTH_TOKENS.graceHopper);
    expect(calls.map((c) => c.ticket_id)).toEqual([
      PENDING_TICKET_ID,
      SOLVED_TICKET_ID,
      OPEN_TICKET_ID,
    ]);
  });
});

describe('the same authorization as the ticket calls endpoint', () => {
  let current: string;
  beforeEach(async () => {
    await callAt(0, ADA, PENDING_TICKET_ID);
    current = await callAt(1, ADA, OPEN_TICKET_ID);
  });

  it("answers a restricted agent 404 for another group's ticket, exactly like the calls", async () => {
    const res = await history(OPEN_TICKET_ID, current, DEMO_OAUTH_TOKENS.hedyLamarr);
    expect(res.status).toBe(404);
    const text = await res.text();
    const calls = await appFetch(`/v1/tickets/${OPEN_TICKET_ID}/calls`, undefined, {
      agentToken: DEMO_OAUTH_TOKENS.hedyLamarr,
    });
    expect(text).toBe(await calls.text());
    expect(text).not.toContain(String(PENDING_TICKET_ID));
  });

  it('refuses an end-user (403), no agent token or a refused one (401), no app JWT (401)', async () => {
    const endUser = await history(OPEN_TICKET_ID, current, DEMO_OAUTH_TOKENS.katherineJohnson);
    expect(endUser.status).toBe(403);
    expect(((await endUser.json()) as { error: string }).error).toBe('agent_required');
    for (const token of [null, 'revoked-or-made-up-token']) {
      const res = await history(OPEN_TICKET_ID, current, token);
      expect(res.status, String(token)).toBe(401);
      expect(((await res.json()) as { error: string }).error).toBe('sign_in_required');
    }
    const noJwt = await appFetch(
      `/v1/tickets/${OPEN_TICKET_ID}/calls/${encodeURIComponent(current)}/history`,
      'not-a-jwt-at-all',
    );
    expect(noJwt.status).toBe(401);
  });

  it('answers 404 for a call that is not linked to the ticket in the path', async () => {
    const res = await history(OPEN_TICKET_ID, 'no-such-call@edge.test');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: 'not_found',
      message: 'No such call on this ticket.',
    });
    // A real call, but of another ticket the agent may see: still 404, nothing of it.
    const other = await callAt(2, ADA, PENDING_TICKET_ID);
    const wrong = await history(OPEN_TICKET_ID, other);
    expect(wrong.status).toBe(404);
  });

  it('refuses an id that cannot be a ticket or a Call-ID with 400', async () => {
    const res = await appFetch(`/v1/tickets/0/calls/${encodeURIComponent(current)}/history`);
    expect(res.status).toBe(400);
  });
});

describe('the query', () => {
  it('reads the calls_caller index (migration 0006), not the whole table', async () => {
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${CALLER_HISTORY_SQL}`)
      .bind('+14155550100', 'x', 11)
      .all<{ detail: string }>();
    const details = plan.results.map((r) => r.detail).join('\n');
    expect(details).toMatch(/USING INDEX calls_caller/);
    expect(details).not.toMatch(/USE TEMP B-TREE FOR ORDER BY/);
  });
});

describe('the OpenAPI document', () => {
  it('describes the endpoint with the sidebar authentication and the history schema', async () => {
    const doc = (await (await adminFetch('/openapi.json')).json()) as any;
    const op = doc.paths['/v1/tickets/{ticket_id}/calls/{call_id}/history']?.get;
    expect(op.security).toEqual([{ appJwt: [], agentToken: [] }]);
    expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '401', '403', '404', '503']);
    expect(op.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/CallerHistory',
    });
    const { CallerHistory, CallerHistoryEntry } = doc.components.schemas;
    expect(CallerHistory.required).toEqual(['ticket_id', 'call_id', 'calls', 'has_more']);
    expect(CallerHistoryEntry.required).toEqual([
      'received_at',
      'line',
      'status',
      'duration_s',
      'ticket_id',
    ]);
    expect(CallerHistoryEntry.properties.ticket_id.description).toMatch(/only when Zendesk lets/);
  });
});
