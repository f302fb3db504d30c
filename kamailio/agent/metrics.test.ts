import { afterEach, describe, expect, it } from 'vitest';
import { createAgentMetrics, reasonClass } from './metrics';
import { callEvent, callFacts, TOKEN } from './testing/fixtures';
import { startTestAgent, type TestAgent } from './testing/harness';

let t: TestAgent;
afterEach(() => t?.close());

async function scrape(token: string | null = TOKEN) {
  const res = await fetch(`${t.url}/metrics`, {
    headers: token === null ? {} : { Authorization: `Bearer ${token}` },
  });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** The value of one sample line, e.g. value(text, 'sipbridge_decisions_total{result="relay"}'). */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('needs the bearer token, like every endpoint but /health', async () => {
    t = await startTestAgent();
    expect((await scrape(null)).status).toBe(401);
    expect((await scrape('wrong')).status).toBe(401);
    const ok = await scrape();
    expect(ok.status).toBe(200);
    expect(ok.type).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('takes a separate EDGE_METRICS_TOKEN when one is set, and then only that one', async () => {
    t = await startTestAgent({ metricsToken: 'prometheus-scrape-token' });
    expect((await scrape()).status).toBe(401);
    expect((await scrape('prometheus-scrape-token')).status).toBe(200);
    // Kamailio's endpoints keep the agent token.
    expect((await t.post('/v1/decide', callFacts())).status).toBe(200);
  });

  it('counts decisions by result and times them', async () => {
    t = await startTestAgent({
      budgetMs: 200,
      breaker: { failureThreshold: 2, coolDownMs: 60_000 },
    });
    await t.post('/v1/decide', callFacts());
    t.worker.state.decide = () => ({
      status: 200,
      body: { action: 'reject', code: 603, reason: 'Decline', headers: [] },
    });
    await t.post('/v1/decide', callFacts('two@x'));
    t.worker.state.decide = () => ({ status: 503, body: {} });
    for (const id of ['3@x', '4@x', '5@x']) await t.post('/v1/decide', callFacts(id));

    const { text } = await scrape();
    expect(value(text, 'sipbridge_decisions_total{result="relay"}')).toBe(1);
    expect(value(text, 'sipbridge_decisions_total{result="reject"}')).toBe(1);
    expect(value(text, 'sipbridge_decisions_total{result="fail_open"}')).toBe(2);
    expect(value(text, 'sipbridge_decisions_total{result="breaker_open"}')).toBe(1);
    expect(value(text, 'sipbridge_decision_duration_seconds_count')).toBe(5);
    expect(value(text, 'sipbridge_decision_duration_seconds_bucket{le="1.6"}')).toBe(5);
    expect(value(text, 'sipbridge_worker_errors_total{operation="decide",reason="http_5xx"}')).toBe(
      2,
    );
  });

  it('counts calls by line and outcome, and shows the spool depth', async () => {
    t = await startTestAgent({ delivery: { idlePollMs: 60_000 } });
    await t.worker.stop(); // the events stay in the spool
    const sales = { ...callFacts(), line: 'sales' };
    for (const [n, kind, call] of [
      [1, 'answered', callFacts()],
      [1, 'ended', callFacts()],
      [2, 'failed', callFacts()],
      [3, 'cancelled', sales],
      [4, 'failed', sales],
    ] as const) {
      const res = await t.post('/v1/events', { ...callEvent(n), kind, call });
      expect(res.status).toBe(202);
    }
    const { text } = await scrape();
    expect(value(text, 'sipbridge_calls_total{line="demo",outcome="answered"}')).toBe(1);
    expect(value(text, 'sipbridge_calls_total{line="demo",outcome="ended"}')).toBe(1);
    expect(value(text, 'sipbridge_calls_total{line="demo",outcome="failed"}')).toBe(1);
    expect(value(text, 'sipbridge_calls_total{line="sales",outcome="cancelled"}')).toBe(1);
    expect(value(text, 'sipbridge_calls_total{line="sales",outcome="failed"}')).toBe(1);
    expect(value(text, 'sipbridge_spool_depth')).toBe(5);
    // Every accepted event is timed, from the post to "on disk".
    expect(value(text, 'sipbridge_event_spool_duration_seconds_count')).toBe(5);
    expect(value(text, 'sipbridge_event_spool_duration_seconds_bucket{le="1.6"}')).toBe(5);
    expect(value(text, 'sipbridge_spool_oldest_age_seconds')).toBeGreaterThanOrEqual(0);
    // Node's own metrics come along (memory, event loop lag).
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  });
});

describe('reasonClass', () => {
  it.each([
    ['timeout', 'timeout'],
    ['network: ECONNREFUSED', 'network'],
    ['HTTP 503', 'http_5xx'],
    ['HTTP 401 from the Worker: check EDGE_SECRET (and this host clock)', 'http_4xx'],
    ['invalid decision: reject code 200 is not 400-699', 'invalid'],
    ['the Worker answered for 1 of 2 events', 'invalid'],
  ])('%s → %s', (reason, label) => {
    expect(reasonClass(reason)).toBe(label);
  });
});

describe('target metrics', () => {
  const spool = { depth: 0, oldestAt: null };

  it('shows each line target up or down, as Kamailio holds them at the scrape', async () => {
    let down = true;
    const metrics = createAgentMetrics({
      spool,
      targets: async () => [
        { set: 1, uri: 'sip:a@192.0.2.1', line: 'demo', up: true, flags: 'AP' },
        { set: 1, uri: 'sip:b@192.0.2.2', line: 'demo', up: !down, flags: down ? 'IP' : 'AP' },
      ],
    });
    let text = await metrics.registry.metrics();
    expect(value(text, 'sipbridge_target_up{line="demo",target="sip:a@192.0.2.1"}')).toBe(1);
    expect(value(text, 'sipbridge_target_up{line="demo",target="sip:b@192.0.2.2"}')).toBe(0);
    expect(value(text, 'sipbridge_targets_down')).toBe(1);
    down = false;
    text = await metrics.registry.metrics();
    expect(value(text, 'sipbridge_target_up{line="demo",target="sip:b@192.0.2.2"}')).toBe(1);
    expect(value(text, 'sipbridge_targets_down')).toBe(0);
  });

  it('still answers the scrape when Kamailio cannot be asked, and counts that', async () => {
    const metrics = createAgentMetrics({
      spool,
      targets: () => Promise.reject(new Error('connection refused')),
    });
    const first = await metrics.registry.metrics();
    expect(first).toContain('sipbridge_spool_depth 0');
    expect(first).not.toContain('sipbridge_target_up{');
    // Counted while the first scrape ran (both gauges asked): shown from the next one.
    const next = await metrics.registry.metrics();
    expect(value(next, 'sipbridge_target_scrape_errors_total')).toBeGreaterThanOrEqual(2);
  });
});
