import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type BreakerOptions } from './breaker';
import { createFakeTimers } from './testing/fake-timers';

function clockedBreaker(options: BreakerOptions = {}) {
  const timers = createFakeTimers();
  const changes: string[] = [];
  const breaker = new CircuitBreaker({
    failureThreshold: 5,
    coolDownMs: 10_000,
    timers,
    onChange: (to) => changes.push(to),
    ...options,
  });
  return { breaker, timers, changes };
}

/** Lets the probe's promise settle (it resolves at once in these tests). */
const settle = () => new Promise((r) => setImmediate(r));

describe('circuit breaker', () => {
  it('opens after 5 consecutive failures, not after 4', () => {
    const { breaker, changes } = clockedBreaker();
    for (let i = 0; i < 4; i++) breaker.failure();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
    expect(changes).toEqual(['open']);
  });

  it('a success resets the count of consecutive failures', () => {
    const { breaker, changes } = clockedBreaker();
    for (let i = 0; i < 4; i++) breaker.failure();
    breaker.success();
    for (let i = 0; i < 4; i++) breaker.failure();
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual([]);
  });

  it('half-opens after the cool-down and lets exactly one probe through', () => {
    const { breaker, timers, changes } = clockedBreaker();
    for (let i = 0; i < 5; i++) breaker.failure();
    timers.advance(9_999);
    expect(breaker.tryAcquire()).toBe(false);
    timers.advance(1);
    expect(breaker.state).toBe('half_open');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
    expect(changes).toEqual(['open', 'closed']);
  });

  it('a failed probe re-opens for another full cool-down, without a new opening', () => {
    const { breaker, timers, changes } = clockedBreaker();
    for (let i = 0; i < 5; i++) breaker.failure();
    timers.advance(10_000);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');
    timers.advance(9_000);
    expect(breaker.tryAcquire()).toBe(false);
    timers.advance(1_000);
    expect(breaker.tryAcquire()).toBe(true);
    expect(changes).toEqual(['open']);
  });

  it('while open, probes every interval and closes on the first yes, before the cool-down', async () => {
    const answers = [false, false, true];
    let asked = 0;
    const probe = async () => (asked++, answers.shift()!);
    const { breaker, timers, changes } = clockedBreaker({ probeIntervalMs: 500, probe });
    expect(timers.pending).toBe(0); // nothing runs while the circuit is closed
    for (let i = 0; i < 5; i++) breaker.failure();
    timers.advance(499);
    expect(asked).toBe(0);
    for (let tick = 1; tick <= 3; tick++) {
      timers.advance(tick === 1 ? 1 : 500);
      await settle();
      expect(asked).toBe(tick);
    }
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['open', 'closed']);
    expect(timers.pending).toBe(0); // closed: the probe stops
  });

  it('a probe that throws counts as "still down"; stop() ends the probing', async () => {
    let asked = 0;
    const probe = async (): Promise<boolean> => {
      asked++;
      throw new Error('ECONNREFUSED');
    };
    const { breaker, timers } = clockedBreaker({ probeIntervalMs: 100, probe });
    for (let i = 0; i < 5; i++) breaker.failure();
    timers.advance(100);
    await settle();
    timers.advance(100);
    await settle();
    expect(asked).toBe(2);
    expect(breaker.state).toBe('open');
    breaker.stop();
    timers.advance(1000);
    await settle();
    expect(asked).toBe(2);
  });
});
