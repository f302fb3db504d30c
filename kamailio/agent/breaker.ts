export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold?: number;
  /** How long the circuit stays open before one probe may go through. */
  coolDownMs?: number;
  /** Injectable clock (tests). */
  now?: () => number;
}

/**
 * A circuit breaker: after `failureThreshold` consecutive failures it opens for `coolDownMs`, then
 * lets exactly one probe through (half-open); the probe's outcome closes or re-opens it.
 * While open, callers fail open at once instead of spending their budget on a dead Worker.
 * @example
 * const breaker = createBreaker({ failureThreshold: 5, coolDownMs: 1000 });
 * if (breaker.tryAcquire()) { try { await call(); breaker.success(); } catch { breaker.failure(); } }
 */
export function createBreaker(options: BreakerOptions = {}) {
  const threshold = options.failureThreshold ?? 5;
  const coolDownMs = options.coolDownMs ?? 1000;
  const now = options.now ?? Date.now;
  let state: BreakerState = 'closed';
  let failures = 0;
  let openedAt = 0;
  let probeInFlight = false;

  function open() {
    state = 'open';
    openedAt = now();
    probeInFlight = false;
  }

  return {
    /** The state as of now (an open circuit past its cool-down reads as half-open). */
    get state(): BreakerState {
      if (state === 'open' && now() - openedAt >= coolDownMs) return 'half_open';
      return state;
    },

    /** True when a request may go to the Worker; in half-open only the first caller gets true. */
    tryAcquire(): boolean {
      if (state === 'closed') return true;
      if (state === 'open' && now() - openedAt < coolDownMs) return false;
      if (probeInFlight) return false;
      state = 'half_open';
      probeInFlight = true;
      return true;
    },

    /** The Worker answered properly: close the circuit. */
    success(): void {
      state = 'closed';
      failures = 0;
      probeInFlight = false;
    },

    /** The Worker failed (timeout, network, 5xx, bad answer): count it, open when due. */
    failure(): void {
      if (state === 'half_open') return open();
      failures += 1;
      if (state === 'closed' && failures >= threshold) open();
    },
  };
}

export type Breaker = ReturnType<typeof createBreaker>;
