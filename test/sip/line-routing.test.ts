import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { callIdOf, finalResponse, received } from './harness/sipp';
import { explain, RINGING, startSuite, type SipSuite } from './harness/suite';
import { startResponder, type Responder } from './harness/sip-responder';
import { sipToolsAvailable } from './harness/tools';
import { PORT_BLOCKS } from './harness/ports';
import { startFullStack, type FullStack } from './harness/full-stack';
import { join } from 'node:path';
import { runSipbridge } from '@sip-bridge/edge/cli/main';

// Per-line routing through the real Kamailio: round robin, failover codes, the no-ringback and
// no-answer timers, the concurrent-call limit, a target marked down by OPTIONS probing, and the
// timers set in the Worker reaching the call record. The describes run one after the other on
// the same port block.
const BASE = PORT_BLOCKS.lineRouting;

/** The 503 the caller got, as sipp logged it. */
const finalMessage = (result: Awaited<ReturnType<SipSuite['uac']>>) =>
  result.messages.find(
    (m) => m.direction === 'received' && /^SIP\/2\.0 [2-6]\d\d /.test(m.startLine),
  );

describe.skipIf(!sipToolsAvailable())('line routing: order, failover, timers, limit', () => {
  let s: SipSuite;

  beforeAll(async () => {
    s = await startSuite(BASE, (t) => [
      {
        slug: 'spread',
        targets: [t(0), t(1)],
        acl: ['127.0.0.2/32'],
        routing: { mode: 'round_robin' },
      },
      { slug: 'codes', targets: [t(2), t(3)], acl: ['127.0.0.3/32'] },
      // Nothing listens on target 8 over TCP: the connection is refused (a transport failure).
      { slug: 'refused', targets: [`${t(8)};transport=tcp`, t(3)], acl: ['127.0.0.8/32'] },
      // Nobody listens on target 9: it never sends a provisional reply.
      { slug: 'silent', targets: [t(9)], acl: ['127.0.0.4/32'], routing: { no_ringback_ms: 300 } },
      {
        slug: 'rings',
        targets: [t(4)],
        acl: ['127.0.0.5/32'],
        routing: { no_answer_ms: 1000 },
      },
      // Target 6 only ever answers 100 Trying; target 7 rings after it.
      {
        slug: 'trying',
        targets: [t(6), t(7)],
        acl: ['127.0.0.7/32'],
        routing: { no_ringback_ms: 300 },
      },
      {
        slug: 'limited',
        targets: [t(5)],
        acl: ['127.0.0.6/32'],
        routing: { max_concurrent_calls: 1 },
      },
    ]);
  }, 30_000);
  afterAll(() => s?.stop());

  it('spreads a round-robin line’s calls over its targets, one each in turn', async () => {
    // Each target could take all four: only the edge's order decides where they go.
    const first = s.uas(0, 'uas-reject', { CODE: '486', REASON: 'Busy Here' }, 4);
    const second = s.uas(1, 'uas-reject', { CODE: '486', REASON: 'Busy Here' }, 4);
    for (let i = 0; i < 4; i++) {
      const caller = await s.uac('uac-reject', { CODE: '486' }, '127.0.0.2');
      expect(finalResponse(caller), explain(caller, s.edge)).toBe('SIP/2.0 486 Busy Here');
    }
    await Promise.all([first.stop(), second.stop()]);
    const [a, b] = await Promise.all([first.done, second.done]);
    const invites = (r: typeof a) => r.messages.filter((m) => /^INVITE /.test(m.startLine)).length;
    expect([invites(a), invites(b)]).toEqual([2, 2]);
  });

  it.each([
    [408, 'Request Timeout'],
    [500, 'Server Internal Error'],
    [503, 'Service Unavailable'],
  ])('fails over to the next target on %i', async (code, reason) => {
    const first = s.uas(2, 'uas-reject', { CODE: String(code), REASON: reason });
    const second = s.uas(3, 'uas-reject', { CODE: '486', REASON: 'Busy Here' });
    const caller = await s.uac('uac-reject', { CODE: '486' }, '127.0.0.3');
    const [a, b] = await Promise.all([first.done, second.done]);
    expect(finalResponse(caller), explain(caller, s.edge)).toBe('SIP/2.0 486 Busy Here');
    expect(received(a, /^INVITE /)).toBeDefined();
    expect(received(b, /^INVITE /)).toBeDefined();
  });

  it('fails over when a target cannot be reached (TCP connection refused)', async () => {
    const second = s.uas(3, 'uas-reject', { CODE: '486', REASON: 'Busy Here' });
    const caller = await s.uac('uac-reject', { CODE: '486' }, '127.0.0.8');
    const b = await second.done;
    expect(finalResponse(caller), explain(caller, s.edge)).toBe('SIP/2.0 486 Busy Here');
    expect(received(b, /^INVITE /)).toBeDefined();
  });

  it.each([
    [404, 'Not Found'],
    [486, 'Busy Here'],
    [603, 'Decline'],
  ])('never fails over on %i: the caller gets it', async (code, reason) => {
    const first = s.uas(2, 'uas-reject', { CODE: String(code), REASON: reason });
    const second = s.uas(3, 'uas-answer');
    const caller = await s.uac('uac-reject', { CODE: String(code) }, '127.0.0.3');
    await first.done;
    const [event] = await s.agent.eventsFor(callIdOf(caller), 1);
    await second.stop();
    const b = await second.done;
    expect(finalResponse(caller), explain(caller, s.edge)).toBe(`SIP/2.0 ${code} ${reason}`);
    expect(received(b, /^INVITE /)).toBeUndefined();
    expect(event).toMatchObject({ kind: 'failed', sip_code: code });
    expect(event?.cause).toBeUndefined();
  });

  it('ends a call no target rings for: 408, cause no_ringback_timeout', async () => {
    const caller = await s.uac('uac-reject', { CODE: '408' }, '127.0.0.4');
    expect(finalResponse(caller), explain(caller, s.edge)).toBe('SIP/2.0 408 No Ringback Timeout');
    const [event] = await s.agent.eventsFor(callIdOf(caller), 1);
    expect(event).toMatchObject({ kind: 'failed', sip_code: 408, cause: 'no_ringback_timeout' });
  });

  it('gives a target up that sends 100 Trying but never rings, and tries the next', async () => {
    const trying = s.uas(6, 'uas-trying');
    const next = s.uas(7, 'uas-reject', { CODE: '486', REASON: 'Busy Here' });
    const caller = await s.uac('uac-reject', { CODE: '486' }, '127.0.0.7');
    const [a, b] = await Promise.all([trying.done, next.done]);
    expect(finalResponse(caller), explain(caller, s.edge)).toBe('SIP/2.0 486 Busy Here');
    expect(received(a, /^CANCEL /), explain(a)).toBeDefined();
    expect(received(b, /^INVITE /)).toBeDefined();
  });

  it('ends a call that rings and is not answered: 408, cause no_answer_timeout', async () => {
    const uas = s.uas(4, 'uas-ring');
    const caller = await s.uac('uac-reject', { CODE: '408' }, '127.0.0.5');
    const served = await uas.done;
    expect(finalResponse(caller), explain(caller, s.edge)).toBe('SIP/2.0 408 No Answer Timeout');
    // The edge gave the target up: it cancelled the ringing branch.
    expect(received(served, /^CANCEL /), explain(served)).toBeDefined();
    const [event] = await s.agent.eventsFor(callIdOf(caller), 1);
    expect(event).toMatchObject({ kind: 'failed', sip_code: 408, cause: 'no_answer_timeout' });
  });

  it('refuses a call over the line’s concurrent limit with 503, Retry-After and the limit named', async () => {
    const uas = s.uas(5, 'uas-ring');
    // The first call rings until its caller gives up (bounded): it holds the line's only place.
    const holding = s.uac('uac-cancel', { DELAY_MS: '2500', PROGRESS: RINGING }, '127.0.0.6');
    // Ringing (an early dialog, state 2); dialogs of earlier tests may still be listed as ended.
    const ringing = async () => (await s.edge.rpc.dialogs()).filter((d) => d.state === 2).length;
    await expect.poll(ringing, { timeout: 3000 }).toBe(1);
    const refused = await s.uac('uac-reject', { CODE: '503' }, '127.0.0.6');
    const reply = finalMessage(refused);
    expect(reply?.startLine, explain(refused, s.edge)).toBe(
      'SIP/2.0 503 Concurrent Call Limit Reached',
    );
    expect(reply?.headers('Retry-After')).toEqual(['5']);
    // Refused before the agent is asked: no decision, so no ticket made for a call Zendesk never gets.
    expect(s.agent.decisions.map((d) => d.body.call_id)).not.toContain(callIdOf(refused));
    expect(s.agent.decisions.map((d) => d.body.call_id)).toContain(callIdOf(await holding));
    const [event] = await s.agent.eventsFor(callIdOf(refused), 1);
    expect(event).toMatchObject({
      kind: 'failed',
      sip_code: 503,
      reason: 'Concurrent Call Limit Reached',
    });
    const first = await holding;
    await uas.done;
    expect(first.code, explain(first, s.edge)).toBe(0);

    // The place is free again once the first call ended.
    const next = s.uas(5, 'uas-reject', { CODE: '486', REASON: 'Busy Here' });
    const admitted = await s.uac('uac-reject', { CODE: '486' }, '127.0.0.6');
    await next.done;
    expect(finalResponse(admitted), explain(admitted, s.edge)).toBe('SIP/2.0 486 Busy Here');
  });
});

describe.skipIf(!sipToolsAvailable())('line routing: targets probed with OPTIONS', () => {
  let s: SipSuite;
  let down: Responder;
  let up: Responder;

  beforeAll(async () => {
    // Target 0 answers probes 503 (down); target 1 answers them 200 and calls 486.
    down = await startResponder(BASE + 70, { OPTIONS: 503, INVITE: 500 });
    up = await startResponder(BASE + 71, { OPTIONS: 200, INVITE: 486 });
    s = await startSuite(
      BASE,
      (t) => [{ slug: 'probed', targets: [t(0), t(1)], acl: ['127.0.0.2/32'] }],
      { probe_interval_seconds: 1, probe_failures: 1 },
    );
  }, 30_000);
  afterAll(async () => {
    await s?.stop();
    await down?.close();
    await up?.close();
  });

  it('marks a target that fails its probes down and sends calls past it', async () => {
    const flags = async () => {
      const list = (await s.edge.rpc.call('dispatcher.list')) as {
        RECORDS?: { SET: { TARGETS: { DEST: { URI: string; FLAGS: string } }[] } }[];
      };
      return Object.fromEntries(
        (list.RECORDS ?? []).flatMap((r) => r.SET.TARGETS.map((t) => [t.DEST.URI, t.DEST.FLAGS])),
      );
    };
    await expect
      .poll(async () => (await flags())[s.target(0)], { timeout: 6000, interval: 200 })
      .toMatch(/^I/);
    expect((await flags())[s.target(1)]).toMatch(/^A/);
    expect(down.requests.some((r) => r.startsWith('OPTIONS '))).toBe(true);

    const caller = await s.uac('uac-reject', { CODE: '486' }, '127.0.0.2');
    expect(finalResponse(caller), explain(caller, s.edge)).toBe('SIP/2.0 486 Busy Here');
    expect(down.requests.filter((r) => r.startsWith('INVITE '))).toEqual([]);
    expect(up.requests.filter((r) => r.startsWith('INVITE '))).toHaveLength(1);

    // `sipbridge status` names it (the fake agent has no /health: only Kamailio's part counts).
    const status = await runSipbridge(
      ['status', '--rpc', `http://127.0.0.1:${s.edge.rpcPort}/RPC`, '--agent', s.agent.url],
      { EDGE_ACL_SYNC_DIR: join(s.edge.dir, 'etc') },
    );
    const text = status.stdout.join('\n');
    expect(text).toContain(`Targets   1 up, 1 DOWN (probing, skipped): ${s.target(0)} (probed)`);
    expect(text).toMatch(/^probed +1 +1 +2 \(1 DOWN\) +0/m);
  });

  it('takes the target back once it answers its probes again', async () => {
    down.answer({ OPTIONS: 200, INVITE: 486 });
    const state = async () => {
      const list = (await s.edge.rpc.call('dispatcher.list')) as {
        RECORDS?: { SET: { TARGETS: { DEST: { URI: string; FLAGS: string } }[] } }[];
      };
      return list.RECORDS?.[0]?.SET.TARGETS.find((t) => t.DEST.URI === s.target(0))?.DEST.FLAGS;
    };
    await expect.poll(state, { timeout: 6000, interval: 200 }).toMatch(/^A/);
    const caller = await s.uac('uac-reject', { CODE: '486' }, '127.0.0.2');
    expect(finalResponse(caller), explain(caller, s.edge)).toBe('SIP/2.0 486 Busy Here');
    expect(down.requests.filter((r) => r.startsWith('INVITE '))).toHaveLength(1);
  });
});

describe.skipIf(!sipToolsAvailable())('line routing: from the admin API to the call record', () => {
  let s: FullStack;

  beforeAll(async () => {
    // The Worker's line sets the timers; the agent's line sync carries them to Kamailio.
    s = await startFullStack(
      BASE,
      [
        {
          slug: 'timers',
          acl: ['127.0.0.2/32'],
          settings: { routing: { no_ringback_ms: 300, no_answer_ms: 1000 } },
        },
      ],
      { aclSync: { intervalMs: 300 } },
    );
    await vi.waitFor(
      async () => {
        const ringback = await s.edge.rpc.htableGet('lineroute', 'timers::ringback');
        if (ringback.value !== 300) throw new Error(`lineroute timers::ringback ${ringback.value}`);
      },
      { timeout: 20_000, interval: 200 },
    );
  }, 90_000);
  afterAll(() => s?.stop(), 30_000);

  it('records which timer ended each call, as the caller heard it', async () => {
    // Nobody at the target: it never rings.
    const silent = await s.uac('uac-reject', { CODE: '408' }, '127.0.0.2');
    expect(finalResponse(silent), explain(silent, s.edge)).toBe('SIP/2.0 408 No Ringback Timeout');
    // The target rings and nobody answers.
    const uas = s.uas(0, 'uas-ring');
    const unanswered = await s.uac('uac-reject', { CODE: '408' }, '127.0.0.2');
    await uas.done;
    expect(finalResponse(unanswered), explain(unanswered, s.edge)).toBe(
      'SIP/2.0 408 No Answer Timeout',
    );
    const ids = [callIdOf(silent), callIdOf(unanswered)];
    const records = await s.waitForRecords(ids, (r) => r.status === 'failed');
    expect(records.get(ids[0]!)?.final).toMatchObject({
      code: 408,
      reason: 'No Ringback Timeout',
      cause: 'no_ringback_timeout',
    });
    expect(records.get(ids[1]!)?.final).toMatchObject({
      code: 408,
      reason: 'No Answer Timeout',
      cause: 'no_answer_timeout',
    });
  }, 60_000);
});
