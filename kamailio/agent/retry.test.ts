import { describe, expect, it } from 'vitest';
import { backoffDelay, retry } from './retry';
import { createFakeTimers, type FakeTimers } from './testing/fake-timers';
import { boundedSignal, sleep, timeoutSignal } from './timers';

/** Runs the fake clock forward in `step`s while `work` is pending (each wait ends on a tick). */
async function drive<T>(timers: FakeTimers, work: Promise<T>, step = 10): Promise<T> {
  let settled = false;
  const done = work.finally(() => (settled = true));
  done.catch(() => {}); // rejections are the caller's to assert on, once the loop ends
  for (let i = 0; i < 10_000 && !settled; i++) {
    await new Promise((r) => setImmediate(r));
    if (!settled) timers.advance(step);
  }
  return done;
}

describe('backoffDelay', () => {
  it('doubles from initialMs up to maxMs', () => {
    const b = { initialMs: 40, maxMs: 200, random: () => 0.5 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, b))).toEqual([40, 80, 160, 200, 200]);
  });

  it('jitters within ±20 % by default, never above maxMs', () => {
    expect(backoffDelay(1, { initialMs: 100, maxMs: 60_000, random: () => 0 })).toBe(80);
    expect(backoffDelay(2, { initialMs: 100, maxMs: 60_000, random: () => 0.999999 })).toBe(240);
    expect(backoffDelay(9, { initialMs: 100, maxMs: 1000, random: () => 0.999999 })).toBe(1000);
  });

  it('takes another factor and spread', () => {
    const b = { initialMs: 50, maxMs: 10_000, factor: 3, jitter: 0.5, random: () => 0 };
    expect([1, 2, 3].map((n) => backoffDelay(n, b))).toEqual([25, 75, 225]);
  });

  it('stays finite after very many retries', () => {
    expect(backoffDelay(5000, { initialMs: 1000, maxMs: 60_000, random: () => 0.5 })).toBe(60_000);
  });
});

describe('retry', () => {
  it('tries again after each failure, waiting the fixed delay on the given clock', async () => {
    const timers = createFakeTimers();
    const tries: number[] = [];
    const result = retry(
      async (n) => {
        tries.push(timers.now());
        if (n < 3) throw new Error(`not yet ${n}`);
        return 'up';
      },
      { delay: 250, timers },
    );
    expect(await drive(timers, result)).toBe('up');
    expect(tries.map((t) => t - tries[0]!)).toEqual([0, 250, 500]);
  });

  it('waits a backoff schedule, telling onRetry each delay', async () => {
    const timers = createFakeTimers();
    const delays: number[] = [];
    const result = retry(
      async (n) => {
        if (n < 4) throw new Error('down');
        return n;
      },
      {
        delay: { initialMs: 100, maxMs: 300, random: () => 0.5 },
        timers,
        onRetry: (_error, _n, ms) => delays.push(ms),
      },
    );
    expect(await drive(timers, result)).toBe(4);
    expect(delays).toEqual([100, 200, 300]);
  });

  it('throws the last failure after `attempts`', async () => {
    const timers = createFakeTimers();
    let tries = 0;
    const result = retry(
      async () => {
        throw new Error(`failure ${++tries}`);
      },
      { delay: 10, attempts: 3, timers },
    );
    await expect(drive(timers, result)).rejects.toThrow('failure 3');
  });

  it('gives up on a failure more than withinMs after the first attempt', async () => {
    const timers = createFakeTimers();
    const tries: number[] = [];
    const started = timers.now();
    const result = retry(
      async () => {
        tries.push(timers.now() - started);
        throw new Error('ongoing reload');
      },
      { delay: 250, withinMs: 1000, timers },
    );
    await expect(drive(timers, result)).rejects.toThrow('ongoing reload');
    expect(tries).toEqual([0, 250, 500, 750, 1000, 1250]);
  });

  it('throws at once a failure retryIf refuses', async () => {
    const timers = createFakeTimers();
    let tries = 0;
    const result = retry(
      async () => {
        tries++;
        throw new Error('Method Not Found');
      },
      { delay: 10, timers, retryIf: (e) => /ongoing/.test((e as Error).message) },
    );
    await expect(result).rejects.toThrow('Method Not Found');
    expect(tries).toBe(1);
    expect(timers.pending).toBe(0);
  });

  it('an aborted signal ends the wait and throws the last failure', async () => {
    const timers = createFakeTimers();
    const stop = new AbortController();
    const result = retry(
      async () => {
        throw new Error('down');
      },
      { delay: 60_000, timers, signal: stop.signal },
    );
    await new Promise((r) => setImmediate(r));
    expect(timers.pending).toBe(1);
    stop.abort();
    await expect(result).rejects.toThrow('down');
  });
});

describe('timers', () => {
  it('timeoutSignal aborts with a TimeoutError when its timer fires, not before', () => {
    const timers = createFakeTimers();
    const signal = timeoutSignal(300, timers);
    timers.advance(299);
    expect(signal.aborted).toBe(false);
    timers.advance(1);
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).name).toBe('TimeoutError');
  });

  it('sleep ends early on abort and leaves no timer behind', async () => {
    const timers = createFakeTimers();
    const stop = new AbortController();
    const slept = sleep(5000, { timers, signal: stop.signal });
    expect(timers.pending).toBe(1);
    stop.abort();
    await slept;
    expect(timers.pending).toBe(0);
  });

  it('boundedSignal aborts on its timer or its parent, and done() leaves neither behind', () => {
    const timers = createFakeTimers();
    const parent = new AbortController();
    const timed = boundedSignal(parent.signal, 300, timers);
    timers.advance(300);
    expect((timed.signal.reason as Error).name).toBe('TimeoutError');
    timed.done();

    const stopped = boundedSignal(parent.signal, 300, timers);
    parent.abort(new Error('stopping'));
    expect((stopped.signal.reason as Error).message).toBe('stopping');
    stopped.done();

    const finished = boundedSignal(new AbortController().signal, 300, timers);
    finished.done();
    expect(timers.pending).toBe(0);
    timers.advance(1000);
    expect(finished.signal.aborted).toBe(false);
  });
});
