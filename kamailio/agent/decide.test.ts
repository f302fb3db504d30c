import { afterEach, describe, expect, it } from 'vitest';
import { RELAY_1001 } from './testing/fake-worker';
import { callFacts } from './testing/fixtures';
import { startTestAgent, type TestAgent } from './testing/harness';

let t: TestAgent;
afterEach(() => t?.close());

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

  it('fails open within the budget when the Worker is slow', async () => {
    t = await startTestAgent({ budgetMs: 300 });
    t.worker.state.decide = () => ({ status: 200, body: RELAY_1001, delayMs: 2000 });
    const res = await t.post('/v1/decide', callFacts());
    expect(res.body).toEqual(FAIL_OPEN);
    expect(res.ms).toBeLessThan(300 + 150);
    expect(res.ms).toBeGreaterThanOrEqual(290);
    expect(t.logs.some((l) => l.includes('decide.fail_open') && l.includes('timeout'))).toBe(true);
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

  it('closes the breaker within a probe interval of the Worker coming back, with no call', async () => {
    t = await startTestAgent({
      budgetMs: 200,
      probeIntervalMs: 100,
      breaker: { failureThreshold: 1, coolDownMs: 60_000 },
    });
    await t.worker.stop();
    await t.post('/v1/decide', callFacts('down@x'));
    expect(t.agent.breaker.state).toBe('open');
    await new Promise((r) => setTimeout(r, 250));
    let health = await (await fetch(`${t.url}/health`)).json();
    expect(health.worker.breaker).toBe('open');
    await t.worker.start();
    // Bounded wait: the probe runs every 100 ms; the cool-down (60 s) would never close it.
    for (let i = 0; i < 30 && t.agent.breaker.state !== 'closed'; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
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

  it('opens the breaker after 5 failures, answers instantly, then probes after the cool-down', async () => {
    t = await startTestAgent({ budgetMs: 200, breaker: { failureThreshold: 5, coolDownMs: 400 } });
    t.worker.state.decide = () => ({ status: 200, body: RELAY_1001, delayMs: 1000 });
    for (let i = 0; i < 5; i++) {
      const res = await t.post('/v1/decide', callFacts(`slow-${i}@x`));
      expect(res.body.source).toBe('fail_open');
    }
    expect(t.worker.state.decisions).toHaveLength(5);
    expect(t.logs.filter((l) => l.includes('breaker.open'))).toHaveLength(1);

    // Open: answered at once, the Worker is not asked.
    for (let i = 0; i < 5; i++) {
      const res = await t.post('/v1/decide', callFacts(`fast-${i}@x`));
      expect(res.body).toEqual(FAIL_OPEN);
      expect(res.ms).toBeLessThan(20);
    }
    expect(t.worker.state.decisions).toHaveLength(5);
    const health = await (await fetch(`${t.url}/health`)).json();
    expect(health).toMatchObject({ status: 'degraded', worker: { breaker: 'open' } });

    // After the cool-down one probe goes through; the Worker is healthy again, so it closes.
    t.worker.state.decide = () => ({ status: 200, body: RELAY_1001 });
    await new Promise((r) => setTimeout(r, 450));
    const probe = await t.post('/v1/decide', callFacts('probe@x'));
    expect(probe.body.source).toBe('worker');
    expect(t.worker.state.decisions).toHaveLength(6);
    expect(t.agent.breaker.state).toBe('closed');
    expect(t.logs.some((l) => l.includes('breaker.closed'))).toBe(true);
  });

  it('sends only one probe while half-open; concurrent calls fail open at once', async () => {
    t = await startTestAgent({ budgetMs: 300, breaker: { failureThreshold: 1, coolDownMs: 100 } });
    await t.worker.stop();
    await t.post('/v1/decide', callFacts('down@x'));
    expect(t.agent.breaker.state).toBe('open');
    await t.worker.start();
    t.worker.state.decide = () => ({ status: 200, body: RELAY_1001, delayMs: 150 });
    await new Promise((r) => setTimeout(r, 120));
    const answers = await Promise.all(
      [1, 2, 3, 4].map((i) => t.post('/v1/decide', callFacts(`c${i}@x`))),
    );
    expect(answers.map((a) => a.body.source).sort()).toEqual([
      'fail_open',
      'fail_open',
      'fail_open',
      'worker',
    ]);
    expect(t.worker.state.decisions).toHaveLength(1);
  });
});
