// Per-agent authorization of the sidebar API: the Worker asks Zendesk (the stand-in) as the agent.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ZendeskStandin } from '@sip-bridge/zendesk-standin/app';
import {
  DEMO_OAUTH_TOKENS,
  OPEN_TICKET_ID,
  PENDING_TICKET_ID,
} from '@sip-bridge/zendesk-standin/seed';
import {
  appFetch,
  createTestLine,
  decide,
  installStandin,
  invite,
  takeZendeskDown,
} from './harness';

let standin: ZendeskStandin;
let ambiguousCallId: string;

beforeEach(async () => {
  standin = installStandin();
  await env.DB.exec('DELETE FROM calls; DELETE FROM call_events; DELETE FROM lines');
  await createTestLine();
  // Ticket 1001 (Support group): an ambiguous caller, so the record holds two users' names and phones.
  const req = invite({
    ticket_id: String(OPEN_TICKET_ID),
    from: 'sip:+14155550199@carrier.example',
  });
  const { body } = await decide(req);
  expect(body.call.match).toBe('ambiguous');
  ambiguousCallId = req.call_id;
  standin.clearRequests();
});

const calls = (ticket: number, agentToken?: string | null) =>
  appFetch(`/v1/tickets/${ticket}/calls`, undefined, { agentToken });
const chooseCaller = (agentToken: string, userId = 20005) =>
  appFetch(
    `/v1/tickets/${OPEN_TICKET_ID}/calls/${encodeURIComponent(ambiguousCallId)}/caller`,
    undefined,
    { agentToken, method: 'PUT', body: { user_id: userId } },
  );
const zendeskAsked = () => standin.requests.map((r) => `${r.method} ${r.path} ${r.status}`);

describe('sidebar requests are tied to the signed-in agent', () => {
  it('shows a permitted agent the calls, with the candidates, after asking Zendesk as them', async () => {
    const res = await calls(OPEN_TICKET_ID);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { calls: { caller: { candidates: { name: string }[] } }[] };
    expect(body.calls[0]?.caller.candidates.map((u) => u.name)).toEqual([
      'Sam Rivera',
      'Alex Rivera',
    ]);
    expect(zendeskAsked()).toEqual([
      'GET /api/v2/users/me.json 200',
      `GET /api/v2/tickets/${OPEN_TICKET_ID}.json 200`,
    ]);
  });

  it("answers a restricted agent 404 for another group's ticket: no calls, numbers or names", async () => {
    const res = await calls(OPEN_TICKET_ID, DEMO_OAUTH_TOKENS.hedyLamarr);
    expect(res.status).toBe(404);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      error: 'ticket_not_found',
      message: 'No such ticket, or Zendesk does not let you see it.',
    });
    for (const leak of ['Rivera', '415', ambiguousCallId]) expect(text).not.toContain(leak);
    // Zendesk said 403 for this agent; the answer is the same as for a ticket that does not exist.
    expect(zendeskAsked()).toContain(`GET /api/v2/tickets/${OPEN_TICKET_ID}.json 403`);
    const missing = await calls(999_999, DEMO_OAUTH_TOKENS.hedyLamarr);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual(JSON.parse(text));
  });

  it("lets the restricted agent read their own group's ticket", async () => {
    expect((await calls(PENDING_TICKET_ID, DEMO_OAUTH_TOKENS.hedyLamarr)).status).toBe(200);
  });

  it('refuses the restricted agent setting the caller, and leaves the call as it was', async () => {
    const res = await chooseCaller(DEMO_OAUTH_TOKENS.hedyLamarr);
    expect(res.status).toBe(404);
    const row = await env.DB.prepare(
      'SELECT match_result, matched_user_id FROM calls WHERE call_id = ?',
    )
      .bind(ambiguousCallId)
      .first();
    expect(row).toEqual({ match_result: 'ambiguous', matched_user_id: null });
    expect((await chooseCaller(DEMO_OAUTH_TOKENS.graceHopper)).status).toBe(200);
  });

  it('refuses an end-user token with 403', async () => {
    const res = await calls(OPEN_TICKET_ID, DEMO_OAUTH_TOKENS.katherineJohnson);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toBe('agent_required');
  });

  it('asks to sign in again without an agent token, or when Zendesk refuses it', async () => {
    for (const token of [null, 'revoked-or-made-up-token']) {
      const res = await calls(OPEN_TICKET_ID, token);
      expect(res.status, String(token)).toBe(401);
      const body = (await res.json()) as { error: string; message: string };
      expect(body.error).toBe('sign_in_required');
      expect(body.message).toMatch(/sign in again/);
    }
  });

  it('answers 503 with Retry-After when Zendesk rate-limits or is down, never the calls', async () => {
    standin.setFaults({ rateLimit: { count: 1, retryAfter: 7 } });
    const limited = await calls(OPEN_TICKET_ID);
    expect(limited.status).toBe(503);
    expect(limited.headers.get('Retry-After')).toBe('7');
    expect(((await limited.json()) as { error: string }).error).toBe('zendesk_unavailable');
    takeZendeskDown();
    const down = await calls(OPEN_TICKET_ID);
    expect(down.status).toBe(503);
    expect(Number(down.headers.get('Retry-After'))).toBeGreaterThan(0);
  });

  it('caches identity and ticket answers briefly, per agent and ticket', async () => {
    await calls(OPEN_TICKET_ID);
    await calls(OPEN_TICKET_ID);
    await calls(PENDING_TICKET_ID);
    expect(zendeskAsked()).toEqual([
      'GET /api/v2/users/me.json 200',
      `GET /api/v2/tickets/${OPEN_TICKET_ID}.json 200`,
      `GET /api/v2/tickets/${PENDING_TICKET_ID}.json 200`,
    ]);
    // A denial is cached too, and is the restricted agent's own: Grace's answer is not reused.
    await calls(OPEN_TICKET_ID, DEMO_OAUTH_TOKENS.hedyLamarr);
    await calls(OPEN_TICKET_ID, DEMO_OAUTH_TOKENS.hedyLamarr);
    expect(zendeskAsked().filter((r) => r.endsWith('403'))).toHaveLength(1);
  });

  it('sends the agent token only to Zendesk, and never echoes it', async () => {
    const res = await calls(OPEN_TICKET_ID, 'revoked-or-made-up-token');
    expect(await res.text()).not.toContain('revoked-or-made-up-token');
  });
});
