import type { TimerHandle, Timers } from '../timers';

export interface FakeTimers extends Timers {
  /**
   * Moves the clock forward by `ms`, running every timer that falls due on the way, in order
   * (timers those set, when due within the step, run too).
   */
  advance(ms: number): void;
  /** Timers waiting to run. */
  readonly pending: number;
}

/**
 * A clock that stands still until the test moves it: time-driven behaviour (budgets, backoff,
 * cool-downs, probes) happens exactly when the test says, never on the machine's time.
 * @example
 * const timers = createFakeTimers();
 * const breaker = new CircuitBreaker({ coolDownMs: 1000, timers });
 * timers.advance(1000);
 */
export function createFakeTimers(start = 1_000_000): FakeTimers {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();

  function due(until: number): [number, { at: number; fn: () => void }] | undefined {
    let first: [number, { at: number; fn: () => void }] | undefined;
    for (const entry of timers) {
      if (entry[1].at <= until && (!first || entry[1].at < first[1].at)) first = entry;
    }
    return first;
  }

  return {
    now: () => now,
    setTimeout(fn: () => void, ms: number): TimerHandle {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(handle: TimerHandle): void {
      timers.delete(handle as number);
    },
    advance(ms: number): void {
      const until = now + ms;
      for (let next = due(until); next; next = due(until)) {
        const [id, timer] = next;
        timers.delete(id);
        now = timer.at;
        timer.fn();
      }
      now = until;
    },
    get pending() {
      return timers.size;
    },
  };
}
