import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_TOKEN_HEADER } from '@sip-bridge/contract/app-auth';
import type { CallRecord } from '@sip-bridge/contract/calls';
import { API_USER_ID, DEMO_OAUTH_TOKENS } from '@sip-bridge/zendesk-standin/seed';
import { callIdOf, startFullStack, type FullStack } from './harness/full-stack';
import { received, startSipp } from './harness/sipp';
import { defaultCallVars, explain } from './harness/suite';
import { sipToolsAvailable } from './harness/tools';
import { PORT_BLOCKS } from './harness/ports';

// An admin ends a live call (issue 17): the console's API queues a hang-up, the real edge agent
// picks it up over the signed channel and ends the dialog through Kamailio's JSON-RPC, both sides
// get BYE, and the call record says which admin ended it. Nothing faked but Zendesk.
const BASE = PORT_BLOCKS.liveCalls;

describe.skipIf(!sipToolsAvailable())('live calls: an admin ends a call from the console', () => {
  let s: FullStack;

  beforeAll(async () => {
    s = await startFullStack(BASE, [{ slug: 'demo', acl: ['127.0.0.1/32'] }], {
      commands: { intervalMs: 500 },
    });
    await s.warmUp('demo');
  }, 90_000);
  afterAll(async () => {
    await s?.stop();
  }, 30_000);

  /** A console request as Zendesk's proxy sends it for the seeded admin. */
  async function asAdmin(method: string, path: string) {
    const res = await fetch(`${s.workerUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${await s.appJwt()}`,
        [AGENT_TOKEN_HEADER]: `Bearer ${DEMO_OAUTH_TOKENS.apiUser}`,
      },
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }

  it('lists the answered call, ends it with BYE to both sides, and records the admin', async () => {
    const callee = startSipp({
      scenario: 'uas-answer',
      ip: '127.0.0.1',
      port: BASE + 70,
      timeoutS: 30,
      recvTimeoutMs: 25_000,
    });
    // A caller that holds the call until someone else ends it.
    const caller = startSipp({
      scenario: 'uac-callee-bye',
      vars: { ...defaultCallVars, BYE_REPLY_DELAY_MS: '300' },
      ip: '127.0.0.1',
      port: BASE + 30,
      remote: `127.0.0.1:${BASE}`,
      timeoutS: 30,
      recvTimeoutMs: 25_000,
    });
    const { callId } = await s.edge.answeredDialog(10_000);
    await s.waitForRecords([callId], (r) => r.status === 'answered');

    const live = await asAdmin('GET', '/v1/console/calls/live');
    expect(live.status).toBe(200);
    // (The warm-up's decision, which never became a call, still rings in the list: left out.)
    const ours = (list: { call_id: string }[]) => list.filter((c) => c.call_id === callId);
    expect(ours(live.body.calls)).toEqual([
      expect.objectContaining({
        call_id: callId,
        line: 'demo',
        status: 'answered',
        caller: { e164: '+14155550100', kind: 'e164' },
        hangup: null,
      }),
    ]);

    const asked = await asAdmin('POST', `/v1/console/calls/${encodeURIComponent(callId)}/hangup`);
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);

    const [c, u] = await Promise.all([caller.done, callee.done]);
    expect(c.code, explain(c, s.edge)).toBe(0);
    expect(u.code, explain(u, s.edge)).toBe(0);
    expect(received(c, /^BYE /), 'the caller got BYE').toBeDefined();
    expect(received(u, /^BYE /), 'the Zendesk side got BYE').toBeDefined();
    expect(callIdOf(c)).toBe(callId);

    const records = await s.waitForRecords(
      [callId],
      (r: CallRecord) => r.status === 'completed' && r.final.ended_by === 'admin',
    );
    expect(records.get(callId)).toMatchObject({
      status: 'completed',
      final: {
        ended_by: 'admin',
        cause: 'admin_hangup',
        ended_by_admin: `zendesk_user:${API_USER_ID}`,
      },
    });
    expect(ours((await asAdmin('GET', '/v1/console/calls/live')).body.calls)).toEqual([]);
    expect((await s.agentHealth()).commands).toMatchObject({ executed: 1, failed: 0 });
    // The command was executed once: a second request is refused, nothing more reaches Kamailio.
    const again = await asAdmin('POST', `/v1/console/calls/${encodeURIComponent(callId)}/hangup`);
    expect(again).toMatchObject({ status: 409, body: { error: 'call_not_live' } });
  }, 90_000);
});
