import { describe, expect, it } from 'vitest';
import { createBreaker } from './breaker';

function clockedBreaker() {
  let now = 1_000_000;
  const breaker = createBreaker({ failureThreshold: 5, coolDownMs: 10_000, now: () => now });
  return { breaker, advance: (ms: number) => (now += ms) };
}

describe('circuit breaker', () => {
  it('opens after 5 consecutive failures, not after 4', () => {
    const { breaker } = clockedBreaker();
    for (let i = 0; i < 4; i++) breaker.failure();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
  });

  it('a success resets the count of consecutive failures', () => {
    const { breaker } = clockedBreaker();
    for (let i = 0; i < 4; i++) breaker.failure();
    breaker.success();
    for (let i = 0; i < 4; i++) breaker.failure();
    expect(breaker.state).toBe('closed');
  });

  it('half-opens after the cool-down and lets exactly one probe through', () => {
    const { breaker, advance } = clockedBreaker();
    for (let i = 0; i < 5; i++) breaker.failure();
    advance(9_999);
    expect(breaker.tryAcquire()).toBe(false);
    advance(1);
    expect(breaker.state).toBe('half_open');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('a failed probe re-opens for another full cool-down', () => {
    const { breaker, advance } = clockedBreaker();
    for (let i = 0; i < 5; i++) breaker.failure();
    advance(10_000);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');
    advance(9_000);
    expect(breaker.tryAcquire()).toBe(false);
    advance(1_000);
    expect(breaker.tryAcquire()).toBe(true);
  });
});
