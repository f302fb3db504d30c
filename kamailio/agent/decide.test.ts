import { afterEach, describe, expect, it } from 'vitest';
import { createFakeTimers } from './testing/fake-timers';
import { RELAY_1001 } from './testing/fake-worker';
import { callFacts, waitFor } from './testing/fixtures';
import { startTestAgent, type TestAgent } from './testing/harness';

let t: TestAgent;
afterEach(() => t?.close());

/** A Worker reply the test releases when it wants the Worker to answer. */
function held() {
  let release!: () => void;
  const until = new Promise<void>((resolve) => (release = resolve));
  return { until, release };
}

/** Waits (bounded) until the fake Worker has received `n` decision requests in all. */
const workerAsked = (n: number) =>
  waitFor(() => t.worker.state.decisions.length >= n, 5000, `decision request ${n}`);

const FAIL_OPEN = {
  action: 'relay',
  code: 0,
  reason: '',
  headers: 'X-Zendesk-Ticket-Id: 1001\r\n',
  source: 'fail_open',
};

describe('POST /v1/decide', () => {
  it('relays with the Worker headers, passing the facts and budget_ms to the Worker', async () => {
    t = await startTestAgent({ budgetMs: 800 });
    const res = await t.post('/v1/decide', callFacts());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...FAIL_OPEN, source: 'worker' });
    expect(t.worker.state.decisions).toEqual([
      expect.objectContaining({
        call_id: callFacts().call_id,
        line: 'demo',
        budget_ms: 700,
        ticket_id: '1001',
      }),
    ]);
    expect(t.worker.state.badSignatures).toBe(0);
  });

  it('answers a reject with its code and reason', async () => {
    t = await startTestAgent();
    t.worker.state.decide = () => ({
      status: 200,
      body: {
        ...RELAY_1001,
        action: 'reject',
        code: 603,
        reason: 'Decline',
        headers: [],
        targets: [],
      },
    });
    const res = await t.post('/v1/decide', callFacts());
    expect(res.body).toEqual({
      action: 'reject',
      code: 603,
      reason: 'Decline',
      headers: '',
      source: 'worker',
    });
  });

  it('drops and logs headers with CRLF in the value or a bad name, keeps the rest', async () => {
    t = await startTestAgent();
    t.worker.state.decide = () => ({
      status: 200,
      body: {
        ...RELAY_1001,
        headers: [
          { name: 'X-Zendesk-Ticket-Id', value: '1001' },
          { name: 'X-Injected', value: 'x\r\nVia: SIP/2.0/UDP 203.0.113.9' },
          { name: 'Contact', value: '<sip:evil@203.0.113.9>' },
        ],
      },
    });
    const res = await t.post('/v1/decide', callFacts());
    expect(res.body.headers).toBe('X-Zendesk-Ticket-Id: 1001\r\n');
    expect(res.body.source).toBe('worker');
    expect(t.logs.filter((l) => l.includes('decide.header_dropped'))).toHaveLength(2);
  });

  it('fails open when the budget timer fires, before the Worker replies', async () => {
    const timers = createFakeTimers();
    t = await startTestAgent({ budgetMs: 300, timers });
    const worker = held();
    t.worker.state.decide = () => ({ status: 200, body: RELAY_1001, until: worker.until });
    const answer = t.post('/v1/decide', callFacts());
    await workerAsked(1);
    timers.advance(300);
    const res = await answer;
    worker.release(); // the Worker's answer would come only now
    expect(res.body).toEqual(FAIL_OPEN);
    expect(t.logs.some((l) => l.includes('decide.fail_open') && l.includes('timeout'))).toBe(true);
  });

  it("relays the Worker's answer when it comes within the budget, however late", async () => {
    const timers = createFakeTimers();
    t = await startTestAgent({ budgetMs: 300, timers });
    const worker = held();
    t.worker.state.decide = () => ({ status: 200, body: RELAY_1001, until: worker.until });
    const answer = t.post('/v1/decide', callFacts());
    await workerAsked(1);
    timers.advance(299);
    worker.release();
    expect((await answer).body).toEqual({ ...FAIL_OPEN, source: 'worker' });
  });

  it('fails open when the Worker is down, without a ticket header when Kamailio passed none', async () => {
    t = await startTestAgent();
    await t.worker.stop();
    const res = await t.post('/v1/decide', callFacts('c1@x', ''));
    expect(res.body).toEqual({ ...FAIL_OPEN, headers: '' });
    const health = await (await fetch(`${t.url}/health`)).json();
    expect(health.status).toBe('degraded');
    expect(health.worker.reachable).toBe(false);
    expect(health.worker.last_error).toMatch(/network/);
  });

  it.each([
    ['a 500', { status: 500, body: { error: 'internal' } }],
    ['a 404', { status: 404, body: { error: 'not_found' } }],
    ['an invalid body', { status: 200, body: { action: 'relay' } }],
    [
      'a reject code of 200',
      { status: 200, body: { ...RELAY_1001, action: 'reject', code: 200, reason: 'OK' } },
    ],
    [
      'a reason with CRLF',
      { status: 200, body: { ...RELAY_1001, action: 'reject', code: 486, reason: 'Busy\r\nX: y' } },
    ],
    ['text, not JSON', { status: 200, body: 'relay' }],
  ])('fails open on %s', async (_name, reply) => {
    t = await startTestAgent();
    t.worker.state.decide = () => reply;
    const res = await t.post('/v1/decide', callFacts());
    expect(res.body).toEqual(FAIL_OPEN);
  });

  it.each([400, 413, 422])(
    'refuses the call when the Worker refuses its facts with %i, and keeps the breaker closed',
    async (status) => {
      t = await startTestAgent({ breaker: { failureThreshold: 2, coolDownMs: 60_000 } });
      t.worker.state.decide = () => ({ status, body: { error: 'invalid_request' } });
      for (let i = 0; i < 5; i++) {
        const res = await t.post('/v1/decide', callFacts(`bad-${i}@x`));
        expect(res.body).toEqual({
          action: 'reject',
          code: 400,
          reason: 'Call details refused',
          headers: '',
          source: 'worker',
        });
      }
      // No caller can open the breaker for other calls: the next call is decided by the Worker.
      t.worker.state.decide = () => ({ status: 200, body: RELAY_1001 });
      const next = await t.post('/v1/decide', callFacts('good@x'));
      expect(next.body.source).toBe('worker');
      expect(t.agent.breaker.state).toBe('closed');
    },
  );

  it('closes the breaker by its /health probe once the Worker is back, with no call', async () => {
    const timers = createFakeTimers();
    t = await startTestAgent({
      budgetMs: 2000,
      probeIntervalMs: 100,
      breaker: { failureThreshold: 1, coolDownMs: 60_000 },
      timers,
    });
    await t.worker.stop();
    await t.post('/v1/decide', callFacts('down@x'));
    expect(t.agent.breaker.state).toBe('open');
    const openedAt = timers.now();
    // Probes meet a Worker that is down: the circuit stays open.
    timers.advance(250);
    let health = await (await fetch(`${t.url}/health`)).json();
    expect(health.worker.breaker).toBe('open');
    await t.worker.start();
    // The clock moves a probe interval at a time (bounded) until a probe finds the Worker.
    await waitFor(
      () => (timers.advance(100), t.agent.breaker.state === 'closed'),
      5000,
      'the probe to close the breaker',
    );
    // Closed by the probe, not by the 60 s cool-down, and no call was decided meanwhile.
    expect(timers.now() - openedAt).toBeLessThan(60_000);
    expect(t.worker.state.decisions).toHaveLength(0);
    health = await (await fetch(`${t.url}/health`)).json();
    expect(health).toMatchObject({ status: 'ok', worker: { breaker: 'closed', reachable: true } });
    expect(t.logs.some((l) => l.includes('breaker.closed'))).toBe(true);
  });

  it('fails open on a 401 from the Worker and says to check EDGE_SECRET', async () => {
    t = await startTestAgent({ workerSecret: 'another-secret-0123456789' });
    const res = await t.post('/v1/decide', callFacts());
    expect(res.body).toEqual(FAIL_OPEN);
    expect(t.logs.some((l) => l.includes('check EDGE_SECRET'))).toBe(true);
    const health = await (await fetch(`${t.url}/health`)).json();
    expect(health.worker.last_error).toMatch(/check EDGE_SECRET/);
  });

  it('says to upgrade when the Worker refuses the signature version (401 signature_version)', async () => {
    t = await startTestAgent();
    t.worker.state.decide = () => ({
      status: 401,
      body: {
        error: 'signature_version',
        message:
          'Edge signature v1 is no longer accepted: upgrade the edge agent (it must sign v2)',
      },
    });
    const res = await t.post('/v1/decide', callFacts());
    expect(res.body).toEqual(FAIL_OPEN);
    const reason = /edge signature version refused \(this agent signs v2\); upgrade/;
    expect(t.logs.some((l) => reason.test(l) && l.includes('no longer accepted'))).toBe(true);
    const health = await (await fetch(`${t.url}/health`)).json();
    expect(health.worker.last_error).toMatch(reason);
    expect(health.worker.last_error).not.toMatch(/EDGE_SECRET/);
  });

  it('opens the breaker after 5 failures, then asks no Worker until the cool-down, then probes', async () => {
    const timers = createFakeTimers();
    t = await startTestAgent({
      budgetMs: 200,
      breaker: { failureThreshold: 5, coolDownMs: 400 },
      timers,
    });
    const worker = held();
    t.worker.state.decide = () => ({ status: 200, body: RELAY_1001, until: worker.until });
    for (let i = 0; i < 5; i++) {
      const answer = t.post('/v1/decide', callFacts(`slow-${i}@x`));
      await workerAsked(i + 1);
      timers.advance(200); // the budget runs out
      expect((await answer).body.source).toBe('fail_open');
    }
    expect(t.logs.filter((l) => l.includes('breaker.open'))).toHaveLength(1);

    // Open: every call fails open and no request reaches the Worker.
    for (let i = 0; i < 5; i++) {
      const res = await t.post('/v1/decide', callFacts(`fast-${i}@x`));
      expect(res.body).toEqual(FAIL_OPEN);
    }
    expect(t.worker.state.decisions).toHaveLength(5);
    const health = await (await fetch(`${t.url}/health`)).json();
    expect(health).toMatchObject({ status: 'degraded', worker: { breaker: 'open' } });

    // After the cool-down one call goes through; the Worker is healthy again, so it closes.
    worker.release();
    t.worker.state.decide = () => ({ status: 200, body: RELAY_1001 });
    timers.advance(399);
    expect((await t.post('/v1/decide', callFacts('early@x'))).body.source).toBe('fail_open');
    timers.advance(1);
    const probe = await t.post('/v1/decide', callFacts('probe@x'));
    expect(probe.body.source).toBe('worker');
    expect(t.worker.state.decisions).toHaveLength(6);
    expect(t.agent.breaker.state).toBe('closed');
    expect(t.logs.some((l) => l.includes('breaker.closed'))).toBe(true);
  });

  it('sends only one probe while half-open; concurrent calls fail open without asking', async () => {
    const timers = createFakeTimers();
    t = await startTestAgent({
      budgetMs: 300,
      breaker: { failureThreshold: 1, coolDownMs: 100 },
      timers,
    });
    await t.worker.stop();
    await t.post('/v1/decide', callFacts('down@x'));
    expect(t.agent.breaker.state).toBe('open');
    await t.worker.start();
    const worker = held();
    t.worker.state.decide = () => ({ status: 200, body: RELAY_1001, until: worker.until });
    timers.advance(100);
    const sources: string[] = [];
    const answers = [1, 2, 3, 4].map((i) =>
      t.post('/v1/decide', callFacts(`c${i}@x`)).then((a) => sources.push(a.body.source)),
    );
    // Three answered while the probe call is still waiting for the Worker.
    await waitFor(() => sources.length === 3, 5000, 'three fail-open answers');
    expect(sources).toEqual(['fail_open', 'fail_open', 'fail_open']);
    worker.release();
    await Promise.all(answers);
    expect(sources[3]).toBe('worker');
    expect(t.worker.state.decisions).toHaveLength(1);
  });
});
