import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callIdOf, startFullStack, type FullStack } from './harness/full-stack';
import { received, startSipp } from './harness/sipp';
import { defaultCallVars, explain, startSuite, type SipSuite } from './harness/suite';
import { sipToolsAvailable } from './harness/tools';
import { PORT_BLOCKS } from './harness/ports';

// Calls whose end never reached the proxy: a lost BYE (found by Kamailio's in-dialog keepalives)
// and a Kamailio restart (found by the agent's reconciler through dlg.list). Either way the call
// record ends instead of staying "in progress".
const KEEPALIVE_BASE = PORT_BLOCKS.keepalive;
const RESTART_BASE = PORT_BLOCKS.restart;

describe.skipIf(!sipToolsAvailable())('lost BYE: in-dialog keepalives end the call', () => {
  let s: SipSuite;

  beforeAll(async () => {
    s = await startSuite(
      KEEPALIVE_BASE,
      (t) => [{ slug: 'demo', targets: [t(0)], acl: ['127.0.0.1/32'] }],
      // Kamailio 5.6 sends keepalives every 30 s at the most; one failure is enough here.
      { keepalive_seconds: 30, keepalive_failures: 1 },
    );
  }, 30_000);
  afterAll(() => s?.stop());

  it('ends the call with BYE to the caller and reports why, when the callee answers 481', async () => {
    // The SIP-IN side hung up but its BYE never reached us: it answers 481 to our OPTIONS.
    const callee = startSipp({
      scenario: 'uas-forgets-call',
      ip: '127.0.0.1',
      port: KEEPALIVE_BASE + 70,
      timeoutS: 75,
      recvTimeoutMs: 65_000,
    });
    // The caller is still there: it answers the keepalives (-aa) and then the proxy's BYE.
    // Kamailio 5.6 skips the second BYE when the first is answered within microseconds.
    const caller = startSipp({
      scenario: 'uac-callee-bye',
      vars: { ...defaultCallVars, BYE_REPLY_DELAY_MS: '300' },
      ip: '127.0.0.1',
      port: KEEPALIVE_BASE + 30,
      remote: `127.0.0.1:${KEEPALIVE_BASE}`,
      autoAnswer: true,
      timeoutS: 75,
      recvTimeoutMs: 65_000,
    });
    // The first keepalive, 30-40 s after the answer, fails; Kamailio ends the dialog 10 s later.
    const [c, u] = await Promise.all([caller.done, callee.done]);
    expect(c.code, explain(c, s.edge)).toBe(0);
    expect(u.code, explain(u, s.edge)).toBe(0);
    expect(received(c, /^OPTIONS /), 'the caller was probed too').toBeDefined();
    expect(received(c, /^BYE /), explain(c)).toBeDefined();
    expect(received(u, /^BYE /), explain(u)).toBeDefined();

    const events = await s.agent.eventsFor(callIdOf(c), 2);
    expect(events.map((e) => e.kind)).toEqual(['answered', 'ended']);
    expect(events[1]).toMatchObject({
      ended_by: 'proxy',
      reason: 'keepalive failed: the other side no longer knows the call (lost BYE)',
      call: { line: 'demo' },
    });
  }, 90_000);

  it('says "ended by the operator" when the dialog is ended over JSON-RPC', async () => {
    const callee = startSipp({
      scenario: 'uas-answer',
      ip: '127.0.0.1',
      port: KEEPALIVE_BASE + 70,
      timeoutS: 15,
      autoAnswer: true,
    });
    const pending = startSipp({
      scenario: 'uac-callee-bye',
      vars: { ...defaultCallVars, BYE_REPLY_DELAY_MS: '300' },
      ip: '127.0.0.1',
      port: KEEPALIVE_BASE + 31,
      remote: `127.0.0.1:${KEEPALIVE_BASE}`,
      autoAnswer: true,
      timeoutS: 15,
    });
    const dialog = await s.edge.answeredDialog();
    await s.edge.rpc.endDialog(dialog.hEntry, dialog.hId);
    const [c] = await Promise.all([pending.done, callee.done]);
    expect(c.code, explain(c, s.edge)).toBe(0);
    const events = await s.agent.eventsFor(callIdOf(c), 2);
    expect(events[1]).toMatchObject({
      kind: 'ended',
      ended_by: 'proxy',
      reason: 'ended by the operator',
    });
  }, 30_000);
});

describe.skipIf(!sipToolsAvailable())(
  'Kamailio restart: the reconciler ends orphaned calls',
  () => {
    let s: FullStack;

    beforeAll(async () => {
      s = await startFullStack(RESTART_BASE, [{ slug: 'demo', acl: ['127.0.0.1/32'] }], {
        reconcile: { intervalMs: 300 },
      });
    }, 90_000);
    afterAll(async () => {
      await s?.stop();
    }, 30_000);

    it('reports a call answered before the restart as ended, and the record completes', async () => {
      const callee = s.uas(0, 'uas-answer');
      const call = s.uac('uac-call', { HOLD_MS: '8000' });
      // Wait until the call is answered (the Worker has its record, the agent follows it).
      const { callId } = await s.edge.answeredDialog(5000);
      await s.waitForRecords([callId], (r) => r.status === 'answered');

      await s.edge.restart(); // every dialog is gone, and no BYE was seen
      const records = await s.waitForRecords([callId], (r) => r.status === 'completed', 15_000);
      expect(records.get(callId), JSON.stringify(records.get(callId))).toMatchObject({
        status: 'completed',
        final: { reason: 'reconciled: the proxy no longer tracks this dialog', ended_by: 'proxy' },
      });
      expect((await s.agentHealth()).reconcile).toMatchObject({ reconciled: 1, last_error: null });
      expect(s.agentLog(callId)).toMatch(/reconcile\.ended/);
      await callee.stop();
      await call.catch(() => undefined);
    }, 60_000);
  },
);
