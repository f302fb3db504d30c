import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callIdOf, finalResponse, received, type SippResult } from './harness/sipp';
import { explain, RINGING, startSuite, type SipSuite } from './harness/suite';
import { sipToolsAvailable } from './harness/tools';
import { PORT_BLOCKS } from './harness/ports';

// Failover between a line's targets and the lifecycle events the agent receives.
const BASE = PORT_BLOCKS.lifecycle;

describe.skipIf(!sipToolsAvailable())('edge failover and call lifecycle', () => {
  let s: SipSuite;

  beforeAll(async () => {
    s = await startSuite(BASE, (t) => [
      { slug: 'demo', targets: [t(0)], acl: ['127.0.0.1/32'] },
      { slug: 'failover', targets: [t(1), t(2)], acl: ['127.0.0.4/32'] },
      // Nobody listens on target 9: the branch times out (target_timeout_ms 1000) and 3 answers.
      { slug: 'timeout', targets: [t(9), t(3)], acl: ['127.0.0.6/32'] },
    ]);
  }, 30_000);
  afterAll(() => s?.stop());

  it('reports answered, then ended by the caller', async () => {
    const uas = s.uas(0, 'uas-answer');
    const caller = await s.uac('uac-call');
    await uas.done;
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    const events = await s.agent.eventsFor(callIdOf(caller), 2);
    expect(events.map((e) => e.kind)).toEqual(['answered', 'ended']);
    expect(events[0]).toMatchObject({ sip_code: 200, reason: 'OK', call: { line: 'demo' } });
    expect(events[1]).toMatchObject({
      ended_by: 'caller',
      call: { line: 'demo', call_id: callIdOf(caller) },
    });
  });

  // Kamailio posts events from the "default" async group: declared with event_workers (2 here),
  // or the core's single worker that serialises every event of the proxy behind a slow agent.
  it('posts events from several workers at once while the agent is slow to spool', async () => {
    s.agent.eventDelayMs = 600;
    s.agent.maxEventsInFlight = 0;
    try {
      const uas = s.uas(0, 'uas-answer');
      // The caller hangs up 100 ms after the answer: "ended" is posted while "answered" waits.
      const caller = await s.uac('uac-call');
      await uas.done;
      expect(caller.code, explain(caller, s.edge)).toBe(0);
      const events = await s.agent.eventsFor(callIdOf(caller), 2);
      expect(events.map((e) => e.kind)).toContain('ended');
      expect(s.agent.maxEventsInFlight).toBe(2);
    } finally {
      s.agent.eventDelayMs = 0;
    }
  });

  // Kamailio queues events in shared memory and posts them until the agent takes them.
  it('keeps the events of a call made while the agent is down and delivers them when it is back', async () => {
    const started = Date.now();
    await s.agent.setMode({ kind: 'down' });
    let caller: SippResult;
    let backAt: number;
    try {
      const uas = s.uas(0, 'uas-answer');
      caller = await s.uac('uac-call'); // relayed without a decision (fail open)
      await uas.done;
      expect(caller.code, explain(caller, s.edge)).toBe(0);
      // The event workers keep retrying meanwhile; the events wait in Kamailio's queue.
      await new Promise((r) => setTimeout(r, 500));
      expect(await s.edge.rpc.queueSize('events')).toBeGreaterThanOrEqual(1);
    } finally {
      backAt = Date.now();
      await s.agent.setMode({ kind: 'relay', headers: '' });
    }
    const events = await s.agent.eventsFor(callIdOf(caller), 2);
    expect(events.map((e) => e.kind).sort()).toEqual(['answered', 'ended']);
    // Each carries when it happened, not when the agent finally got it.
    // Order, not durations: stamped after the call began and before the agent was back.
    for (const e of events) {
      expect(Date.parse(e.at!), JSON.stringify(e)).toBeGreaterThanOrEqual(started);
      expect(Date.parse(e.at!), JSON.stringify(e)).toBeLessThan(backAt);
    }
    expect(s.edge.log()).toMatch(/the agent does not take events \(HTTP \d+\): queuing them/);
  });

  it('reports ended by the callee when the target hangs up', async () => {
    const uas = s.uas(0, 'uas-hangup');
    const caller = await s.uac('uac-callee-bye');
    const served = await uas.done;
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    expect(served.code, explain(served)).toBe(0);
    const events = await s.agent.eventsFor(callIdOf(caller), 2);
    expect(events.map((e) => [e.kind, e.ended_by])).toEqual([
      ['answered', undefined],
      ['ended', 'callee'],
    ]);
  });

  // One retry: Kamailio 5.6 skips the second BYE when the first is answered before it is sent
  // (see kamailio/renderer/README.md); a loaded machine can still lose that race once.
  it(
    'reports ended by the proxy when the operator ends the dialog (BYE to both sides)',
    { timeout: 15_000, retry: 1 },
    async () => {
      const uas = s.uas(0, 'uas-answer');
      // Kamailio 5.6 sends the second BYE only while the dialog is still confirmed: a caller that
      // answers the first BYE within microseconds (loopback) would make it skip the callee's.
      const pending = s.uac('uac-callee-bye', { BYE_REPLY_DELAY_MS: '300' });
      const dialog = await s.edge.answeredDialog();
      await s.edge.rpc.endDialog(dialog.hEntry, dialog.hId);
      const [caller, served] = await Promise.all([pending, uas.done]);
      expect(caller.code, explain(caller, s.edge)).toBe(0);
      expect(served.code, explain(served, s.edge)).toBe(0);
      const events = await s.agent.eventsFor(callIdOf(caller), 2);
      expect(events[1], `${JSON.stringify(events)}\n${s.edge.log().slice(-3000)}`).toMatchObject({
        kind: 'ended',
        ended_by: 'proxy',
      });
    },
  );

  it('fails over to the next target when the first answers 503', async () => {
    const first = s.uas(1, 'uas-reject', { CODE: '503', REASON: 'Service Unavailable' });
    const second = s.uas(2, 'uas-answer');
    const caller = await s.uac('uac-call', {}, '127.0.0.4');
    const [a, b] = await Promise.all([first.done, second.done]);
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    expect(received(a, /^INVITE /)).toBeDefined();
    expect(received(b, /^INVITE /)!.startLine).toBe(`INVITE ${s.target(2)} SIP/2.0`);
    const events = await s.agent.eventsFor(callIdOf(caller), 2);
    expect(events.map((e) => e.kind)).toEqual(['answered', 'ended']);
  });

  it('does not fail over on 486: the caller gets Busy Here and a failed event is reported', async () => {
    const first = s.uas(1, 'uas-reject', { CODE: '486', REASON: 'Busy Here' });
    const second = s.uas(2, 'uas-answer');
    const caller = await s.uac('uac-reject', { CODE: '486' }, '127.0.0.4');
    await first.done;
    await new Promise((r) => setTimeout(r, 300));
    await second.stop();
    const b = await second.done;
    expect(finalResponse(caller), explain(caller, s.edge)).toBe('SIP/2.0 486 Busy Here');
    expect(received(b, /^INVITE /)).toBeUndefined();
    const [event] = await s.agent.eventsFor(callIdOf(caller), 1);
    expect(event).toMatchObject({ kind: 'failed', sip_code: 486, reason: 'Busy Here' });
  });

  it('reports failed with the last code when every target fails', async () => {
    const first = s.uas(1, 'uas-reject', { CODE: '503', REASON: 'Service Unavailable' });
    const second = s.uas(2, 'uas-reject', { CODE: '500', REASON: 'Server Error' });
    const caller = await s.uac('uac-reject', { CODE: '500' }, '127.0.0.4');
    await Promise.all([first.done, second.done]);
    expect(finalResponse(caller), explain(caller, s.edge)).toBe('SIP/2.0 500 Server Error');
    const [event] = await s.agent.eventsFor(callIdOf(caller), 1);
    expect(event).toMatchObject({ kind: 'failed', sip_code: 500 });
  });

  it('fails over when a target does not answer at all (branch timeout)', async () => {
    const from = s.edge.log().length;
    const second = s.uas(3, 'uas-answer');
    const caller = await s.uac('uac-call', {}, '127.0.0.6');
    const served = await second.done;
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    expect(received(served, /^INVITE /)!.startLine).toBe(`INVITE ${s.target(3)} SIP/2.0`);
    // The first branch ended on its own timer (408, no answer from target 9), not on a reply.
    const failover = new RegExp(`target failed \\(408\\), trying ${s.target(3)}`);
    await expect.poll(() => s.edge.log().slice(from), { timeout: 5000 }).toMatch(failover);
  });

  it('reports cancelled when the caller gives up while it rings', async () => {
    const uas = s.uas(0, 'uas-ring');
    const caller = await s.uac('uac-cancel', { DELAY_MS: '200', PROGRESS: RINGING });
    const served = await uas.done;
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    expect(received(served, /^CANCEL /)).toBeDefined();
    const [event] = await s.agent.eventsFor(callIdOf(caller), 1);
    expect(event).toMatchObject({ kind: 'cancelled', sip_code: 487, call: { line: 'demo' } });
  });

  it('authenticates every event with the bearer token', () => {
    expect(s.agent.unauthorized).toEqual([]);
    expect(s.agent.events.every((e) => e.headers['content-type'] === 'application/json')).toBe(
      true,
    );
  });
});
