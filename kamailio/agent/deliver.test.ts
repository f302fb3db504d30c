import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeTimers } from './testing/fake-timers';
import { callEvent, waitFor } from './testing/fixtures';
import { startTestAgent, type TestAgent } from './testing/harness';

let t: TestAgent;
afterEach(() => t?.close());

const fastRetry = { backoff: { initialMs: 50, maxMs: 200 }, idlePollMs: 60_000 };

async function postEvents(count: number, from = 0) {
  for (let n = from; n < from + count; n++) {
    const res = await t.post('/v1/events', callEvent(n));
    expect(res.status).toBe(202);
  }
}

/** Every event applied exactly once at the Worker, none twice. */
function expectExactlyOnce(count: number) {
  expect(t.worker.state.applied.size).toBe(count);
  expect([...t.worker.state.applied.values()].every((n) => n === 1)).toBe(true);
  expect(t.worker.state.duplicates).toBe(0);
}

describe('event delivery', () => {
  it('delivers at once when the Worker is healthy (no waiting for a poll)', async () => {
    // The clock stands still: no poll, linger or backoff timer can fire, so only the wake-up
    // that the spooled event gives the idle loop can have sent it.
    const timers = createFakeTimers();
    t = await startTestAgent({ delivery: { ...fastRetry, lingerMs: 0 }, timers });
    await postEvents(1);
    await waitFor(() => t.worker.state.applied.size === 1, 5000, 'delivery');
    await waitFor(() => t.agent.spool.depth === 0, 5000, 'ack');
  });

  it('lets events gather for lingerMs and sends them in one batch', async () => {
    const timers = createFakeTimers();
    t = await startTestAgent({ delivery: { ...fastRetry, lingerMs: 25 }, timers });
    timers.advance(25); // the loop's first look at the (empty) spool; it is idle now
    const sizes: number[] = [];
    t.worker.state.events = (events) => void sizes.push(events.length) as undefined;
    await postEvents(3);
    expect(t.worker.state.eventRequests).toBe(0);
    timers.advance(25);
    await waitFor(() => t.agent.spool.depth === 0, 5000, 'the spool to drain');
    expect(sizes).toEqual([3]);
  });

  it('keeps events while the Worker is down and delivers each exactly once when it is back', async () => {
    t = await startTestAgent({ delivery: fastRetry });
    await t.worker.stop();
    await postEvents(250);
    await waitFor(
      () => t.logs.filter((l) => l.includes('deliver.retry')).length >= 3,
      5000,
      'retries',
    );
    expect(t.agent.spool.depth).toBe(250);
    const health = await (await fetch(`${t.url}/health`)).json();
    expect(health).toMatchObject({
      status: 'degraded',
      spool: { depth: 250 },
      worker: { reachable: false },
    });

    const sizes: number[] = [];
    t.worker.state.events = (events) => void sizes.push(events.length) as undefined;
    await t.worker.start();
    await waitFor(() => t.agent.spool.depth === 0, 5000, 'the spool to drain');
    expectExactlyOnce(250);
    expect(sizes).toEqual([100, 100, 50]);
    expect(t.logs.some((l) => l.includes('deliver.resumed'))).toBe(true);
    expect((await (await fetch(`${t.url}/health`)).json()).status).toBe('ok');
  });

  it('loses nothing when the agent restarts during an outage', async () => {
    t = await startTestAgent({ delivery: fastRetry });
    await t.worker.stop();
    await postEvents(120);
    await t.stopAgent();
    await t.restartAgent();
    expect(t.agent.spool.depth).toBe(120);
    await postEvents(30, 120);
    await t.worker.start();
    await waitFor(() => t.agent.spool.depth === 0, 5000, 'the spool to drain');
    expectExactlyOnce(150);
  });

  it('retries after a 500 and a 401 (logging to check EDGE_SECRET), then delivers', async () => {
    t = await startTestAgent({ delivery: fastRetry });
    const replies = [
      { status: 500, body: { error: 'internal' } },
      { status: 401, body: { error: 'unauthorized' } },
    ];
    t.worker.state.events = () => replies.shift();
    await postEvents(3);
    await waitFor(() => t.agent.spool.depth === 0, 5000, 'the spool to drain');
    expectExactlyOnce(3);
    expect(t.logs.some((l) => l.includes('deliver.retry') && l.includes('check EDGE_SECRET'))).toBe(
      true,
    );
  });

  it('acknowledges only events the Worker answered for, and sends the others again', async () => {
    t = await startTestAgent({ delivery: fastRetry });
    await t.worker.stop();
    await postEvents(10);
    let first = true;
    t.worker.state.events = (events) => {
      if (!first) return undefined;
      first = false;
      // Answers for the first four only (and the Worker applied only those).
      for (const e of events.slice(0, 4))
        t.worker.state.applied.set(`${String(e.call_id)}|${String(e.kind)}`, 1);
      const results = events
        .slice(0, 4)
        .map((e) => ({ call_id: e.call_id, kind: e.kind, status: 'applied' }));
      return { status: 200, body: { results } };
    };
    await t.worker.start();
    await waitFor(() => t.agent.spool.depth === 0, 5000, 'the spool to drain');
    expectExactlyOnce(10);
  });

  it('sets aside an event the Worker refuses on its own, delivering the rest of its batch', async () => {
    t = await startTestAgent({ delivery: fastRetry });
    await t.worker.stop();
    await postEvents(5);
    await t.post('/v1/events', { ...callEvent(99), call_id: 'poison@127.0.0.1' });
    await postEvents(5, 5);
    t.worker.state.events = (events) =>
      events.some((e) => e.call_id === 'poison@127.0.0.1')
        ? { status: 400, body: { error: 'invalid_request', message: 'events[5].call_id: poison' } }
        : undefined;
    await t.worker.start();
    await waitFor(() => t.agent.spool.depth === 0, 5000, 'the spool to drain');
    expectExactlyOnce(10);
    const rejected = readFileSync(join(t.spoolDir, 'rejected.jsonl'), 'utf8').trim().split('\n');
    expect(rejected).toHaveLength(1);
    expect(JSON.parse(rejected[0]!)).toMatchObject({
      why: 'HTTP 400: events[5].call_id: poison',
      event: { call_id: 'poison@127.0.0.1' },
    });
    expect(t.logs.some((l) => l.startsWith('error deliver.event_rejected'))).toBe(true);
  });

  it('backs off exponentially with jitter up to the maximum', async () => {
    t = await startTestAgent({
      delivery: { backoff: { initialMs: 40, maxMs: 200 }, idlePollMs: 60_000, random: () => 0.5 },
    });
    await t.worker.stop();
    await postEvents(1);
    await waitFor(
      () => t.logs.filter((l) => l.includes('deliver.retry')).length >= 5,
      5000,
      'retries',
    );
    const delays = t.logs
      .filter((l) => l.includes('deliver.retry'))
      .slice(0, 5)
      .map((l) => JSON.parse(l.slice(l.indexOf('{'))).in_ms);
    expect(delays).toEqual([40, 80, 160, 200, 200]);
  });

  it('jitter stays within ±20 % of the doubling schedule', async () => {
    t = await startTestAgent({
      delivery: { backoff: { initialMs: 100, maxMs: 60_000 }, idlePollMs: 60_000, random: () => 0 },
    });
    await t.worker.stop();
    await postEvents(1);
    await waitFor(
      () => t.logs.filter((l) => l.includes('deliver.retry')).length >= 2,
      5000,
      'retries',
    );
    const delays = t.logs
      .filter((l) => l.includes('deliver.retry'))
      .map((l) => JSON.parse(l.slice(l.indexOf('{'))).in_ms);
    expect(delays.slice(0, 2)).toEqual([80, 160]);
  });

  it('keeps events the Worker refuses all together: the fault is more likely its own', async () => {
    t = await startTestAgent({ delivery: fastRetry });
    t.worker.state.events = () => ({
      status: 400,
      body: { error: 'invalid_request', message: 'x' },
    });
    await postEvents(3);
    await waitFor(
      () => t.logs.filter((l) => l.includes('deliver.retry')).length >= 2,
      5000,
      'retries',
    );
    expect(t.agent.spool.depth).toBe(3);
    expect(t.agent.delivery.stats.rejected).toBe(0);
    expect(t.logs.some((l) => l.includes('refuses every event'))).toBe(true);
    t.worker.state.events = undefined;
    await waitFor(() => t.agent.spool.depth === 0, 5000, 'the spool to drain');
    expectExactlyOnce(3);
  });
});
