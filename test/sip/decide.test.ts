import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callIdOf, finalResponse, received } from './harness/sipp';
import { explain, startSuite, TRYING, type SipSuite } from './harness/suite';
import { sipToolsAvailable } from './harness/tools';
import { PORT_BLOCKS } from './harness/ports';

// The decision round trip: relay with the agent's headers, reject, and failing open (with a
// circuit breaker) when the agent is down, slow or talks nonsense.
const BASE = PORT_BLOCKS.decide;
const BREAKER = { breaker_failures: 3, breaker_seconds: 2 };

describe.skipIf(!sipToolsAvailable())('edge decisions', () => {
  let s: SipSuite;

  beforeAll(async () => {
    s = await startSuite(
      BASE,
      (t) => [{ slug: 'demo', targets: [t(0)], acl: ['127.0.0.1/32'] }],
      BREAKER,
    );
  }, 30_000);
  afterAll(() => s?.stop());
  beforeEach(async () => {
    await s.edge.rpc.htableFlush('breaker');
    await s.agent.setMode({ kind: 'relay', headers: '' });
  });

  /** What Kamailio logs after `from` (a length of its log), once it says `until`. */
  async function logAfter(from: number, until: RegExp): Promise<string> {
    await expect.poll(() => s.edge.log().slice(from), { timeout: 5000 }).toMatch(until);
    return s.edge.log().slice(from);
  }
  const count = (text: string, pattern: RegExp) =>
    text.match(new RegExp(pattern, 'g'))?.length ?? 0;

  async function callThrough(ticket = '42', headers: string[] = []) {
    const uas = s.uas(0, 'uas-answer');
    const caller = await s.uac('uac-call', {
      HEADERS: [`X-Zendesk-Ticket-Id: ${ticket}`, ...headers].join('\n      '),
      HOLD_MS: '20',
    });
    const served = await uas.done;
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    return { caller, invite: received(served, /^INVITE /)! };
  }

  it('appends the headers the agent returns, replacing the caller ticket header', async () => {
    await s.agent.setMode({
      kind: 'relay',
      headers: 'X-Zendesk-Ticket-Id: 1001\r\nX-Caller-Match: user-17\r\n',
    });
    const { invite } = await callThrough('42');
    expect(invite.headers('X-Zendesk-Ticket-Id')).toEqual(['1001']);
    expect(invite.headers('X-Caller-Match')).toEqual(['user-17']);
  });

  it('presents the caller the agent names in E.164 (From and P-Asserted-Identity), restored towards the caller', async () => {
    await s.agent.setMode({ kind: 'relay', headers: '', callerUser: '+33612345678' });
    const uas = s.uas(0, 'uas-hangup');
    const caller = await s.uac('uac-callee-bye', {
      HEADERS: 'P-Asserted-Identity: <sip:0612345678@carrier.example>',
    });
    const served = await uas.done;
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    const invite = received(served, /^INVITE /)!;
    // Zendesk sees the number, in E.164, with the caller's display name and host kept.
    expect(invite.headers('From')[0]).toMatch(/^"Ada" <sip:\+33612345678@127\.0\.0\.1>;tag=/);
    expect(invite.headers('P-Asserted-Identity')).toEqual(['<sip:+33612345678@carrier.example>']);
    // The caller's own dialog is untouched: its 200 and the callee's BYE carry what it sent.
    const ok = received(caller, /^SIP\/2.0 200/)!;
    expect(ok.headers('From')[0]).toMatch(/<sip:\+14155550100@127\.0\.0\.1:\d+>;tag=/);
    const bye = received(caller, /^BYE /)!;
    expect(bye.headers('To')[0]).toMatch(/<sip:\+14155550100@127\.0\.0\.1:\d+>;tag=/);
  });

  it('leaves From alone when the agent names no caller, or one that is not E.164', async () => {
    for (const callerUser of [undefined, '0612345678', '+0123456789', '+1234; x=y']) {
      await s.agent.setMode({ kind: 'relay', headers: '', callerUser });
      const { invite } = await callThrough();
      expect(invite.headers('From')[0]).toMatch(/<sip:\+14155550100@127\.0\.0\.1:\d+>;tag=/);
    }
  });

  it("passes X- context headers and User-to-User to the agent, never the bridge's own, bounded", async () => {
    await s.agent.setMode({ kind: 'relay', headers: 'X-Zendesk-Ticket-Id: 1001\r\n' });
    const extra = Array.from({ length: 8 }, (_, i) => `X-Extra-${i}: ${i}`);
    const { caller, invite } = await callThrough('1001', [
      'X-Intent: billing dispute',
      'User-to-User: 56a390f3d2b7310023a2;encoding=hex',
      'X-Zendesk-Group: 7',
      'X-Bridge-Decision: relay',
      `X-Long: ${'a'.repeat(257)}`,
      ...extra,
    ]);
    const facts = s.agent.decisions.find((d) => d.body.call_id === callIdOf(caller))!.body;
    expect(facts.sip.context).toEqual([
      { name: 'X-Intent', value: 'billing dispute' },
      { name: 'User-to-User', value: '56a390f3d2b7310023a2;encoding=hex' },
      ...Array.from({ length: 6 }, (_, i) => ({ name: `X-Extra-${i}`, value: String(i) })),
    ]);
    expect(facts.sip.sanitized).toEqual(['context:dropped']);
    // Context was for the Worker: Zendesk gets none of it, only the decision's ticket header.
    const relayed = invite.text.split('\n').filter((l) => /^(x-|user-to-user:)/i.test(l));
    expect(relayed).toEqual(['X-Zendesk-Ticket-Id: 1001']);
  });

  it('sends no context when the caller sent none', async () => {
    const { caller } = await callThrough('1001');
    const facts = s.agent.decisions.find((d) => d.body.call_id === callIdOf(caller))!.body;
    expect(facts.sip.context).toBeUndefined();
    expect(facts.sip.sanitized).toBeUndefined();
  });

  it('answers a reject decision with its code and reason and reports a failed event', async () => {
    await s.agent.setMode({ kind: 'reject', code: 603, reason: 'Decline' });
    const caller = await s.uac('uac-reject', { CODE: '603' });
    expect(finalResponse(caller), explain(caller, s.edge)).toBe('SIP/2.0 603 Decline');
    const callId = s.agent.decisions.at(-1)!.body.call_id;
    const [event] = await s.agent.eventsFor(callId, 1);
    expect(event).toMatchObject({
      kind: 'failed',
      sip_code: 603,
      reason: 'Decline',
      call: { line: 'demo' },
    });
  });

  it('refuses agent headers that could smuggle SIP headers (fails open instead)', async () => {
    await s.agent.setMode({
      kind: 'relay',
      headers: 'X-Ok: 1\r\nContact: <sip:evil@127.0.0.9>\r\n',
    });
    const { invite } = await callThrough('42');
    expect(invite.headers('X-Ok')).toEqual([]);
    expect(invite.headers('Contact')).toEqual([expect.stringContaining('sip:caller@127.0.0.1')]);
    expect(invite.text).not.toContain('evil');
    expect(invite.headers('X-Zendesk-Ticket-Id')).toEqual(['42']);
  });

  it('fails open with the validated ticket header when the agent is down, at once', async () => {
    await s.agent.setMode({ kind: 'down' });
    const from = s.edge.log().length;
    const { invite } = await callThrough('42');
    expect(invite.headers('X-Zendesk-Ticket-Id')).toEqual(['42']);
    // curl's error 7: the connection was refused, so nothing waited for http_client's timeout
    // (that would be error 28, as for the slow agent below).
    const log = await logAfter(from, /agent gave no decision \(HTTP \d+\)/);
    expect(log).toMatch(/agent gave no decision \(HTTP 7\): failing open/);
  });

  it('fails open when the agent answers garbage', async () => {
    await s.agent.setMode({ kind: 'garbage' });
    const { invite } = await callThrough('43');
    expect(invite.headers('X-Zendesk-Ticket-Id')).toEqual(['43']);
  });

  it('answers a CANCEL that arrives while the agent decides: 200, then 487, nothing relayed', async () => {
    await s.agent.setMode({ kind: 'slow', delayMs: 2500 });
    const uas = s.uas(0, 'uas-answer');
    const caller = await s.uac('uac-cancel', { DELAY_MS: '100', PROGRESS: TRYING });
    await uas.stop();
    const served = await uas.done;
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    expect(
      caller.messages.filter((m) => m.direction === 'received').map((m) => m.startLine),
    ).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 200 Canceling', 'SIP/2.0 487 Request Terminated']);
    expect(received(served, /^INVITE /)).toBeUndefined();
    const callId = caller.messages[0]!.headers('Call-ID')[0]!;
    expect(await s.agent.eventsFor(callId, 1)).toMatchObject([
      { kind: 'cancelled', sip_code: 487 },
    ]);
  });

  it('stops waiting for a slow agent once the breaker opens, and probes it again later', async () => {
    await s.agent.setMode({ kind: 'slow', delayMs: 2500 });
    const asked = s.agent.decisions.length;
    const from = s.edge.log().length;
    const askedPerCall: number[] = [];
    // BREAKER_FAILURES calls each wait for the 1 s http_client timeout, then the breaker is open.
    for (let i = 0; i < BREAKER.breaker_failures + 3; i++) {
      const before = s.agent.decisions.length;
      const { invite } = await callThrough(String(100 + i));
      expect(invite.headers('X-Zendesk-Ticket-Id')).toEqual([String(100 + i)]);
      askedPerCall.push(s.agent.decisions.length - before);
    }
    // The first calls asked the agent and Kamailio gave up on each at its timeout (curl's error
    // 28); the breaker then opened once, and the calls after it did not ask at all.
    expect(askedPerCall).toEqual([...Array(BREAKER.breaker_failures).fill(1), ...Array(3).fill(0)]);
    const log = await logAfter(from, /breaker open, calls fail open without asking/);
    expect(count(log, /agent gave no decision \(HTTP 28\): failing open/)).toBe(
      BREAKER.breaker_failures,
    );
    expect(count(log, /agent gave no decision/)).toBe(BREAKER.breaker_failures);
    expect(count(log, /breaker open, calls fail open without asking/)).toBe(1);
    expect(s.agent.decisions.length - asked).toBe(BREAKER.breaker_failures);

    // After breaker_seconds one call probes the agent; when it answers the breaker closes.
    await s.agent.setMode({ kind: 'relay', headers: 'X-Zendesk-Ticket-Id: 2001\r\n' });
    await new Promise((r) => setTimeout(r, BREAKER.breaker_seconds * 1000 + 200));
    const probe = await callThrough('200');
    expect(probe.invite.headers('X-Zendesk-Ticket-Id')).toEqual(['2001']);
    const after = await callThrough('201');
    expect(after.invite.headers('X-Zendesk-Ticket-Id')).toEqual(['2001']);
    expect(s.agent.decisions.length - asked).toBe(BREAKER.breaker_failures + 2);
  }, 30_000);
});
