/** A pending timer, as `Timers.setTimeout` returned it. */
export type TimerHandle = unknown;

/**
 * The clock and timers that retries, backoff, the circuit breaker and time budgets run on.
 * Production code takes `systemTimers`; tests pass `createFakeTimers()` (testing/fake-timers.ts)
 * and move time themselves, so no test waits for real time.
 */
export interface Timers {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `ms`. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Lets the process exit while only this timer is pending (background loops, budgets). */
export function background(handle: TimerHandle): TimerHandle {
  (handle as { unref?: () => void } | null)?.unref?.();
  return handle;
}

/**
 * Resolves after `ms`, or at once when `signal` aborts (it never rejects).
 * @example await sleep(250, { timers, signal: stopping.signal });
 */
export function sleep(
  ms: number,
  options: { timers?: Timers; signal?: AbortSignal; background?: boolean } = {},
): Promise<void> {
  const timers = options.timers ?? systemTimers;
  const signal = options.signal;
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      timers.clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = timers.setTimeout(done, ms);
    if (options.background) background(timer);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * An AbortSignal that aborts with a `TimeoutError` after `ms` on these timers: AbortSignal.timeout
 * on any clock. The timer does not keep the process alive.
 * @example await worker.post(path, body, timeoutSignal(budgetMs, timers));
 */
export function timeoutSignal(ms: number, timers: Timers = systemTimers): AbortSignal {
  const controller = new AbortController();
  background(
    timers.setTimeout(
      () => controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')),
      ms,
    ),
  );
  return controller.signal;
}

/**
 * A signal for one request: aborts when `parent` aborts or, with a `TimeoutError`, after `ms`
 * on these timers. Call `done()` when the request is over: it drops the timer and the listener on
 * `parent` (a long-lived stop signal would otherwise collect one listener per request). Runs on
 * Node 18 (Debian 12's nodejs), which has no AbortSignal.any.
 * @example const bound = boundedSignal(stopping.signal, 5000); try { await get(url, bound.signal) } finally { bound.done() }
 */
export function boundedSignal(
  parent: AbortSignal,
  ms: number,
  timers: Timers = systemTimers,
): { signal: AbortSignal; done(): void } {
  const controller = new AbortController();
  const onParent = () => controller.abort(parent.reason);
  if (parent.aborted) onParent();
  else parent.addEventListener('abort', onParent, { once: true });
  const timer = background(
    timers.setTimeout(
      () => controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')),
      ms,
    ),
  );
  return {
    signal: controller.signal,
    done() {
      timers.clearTimeout(timer);
      parent.removeEventListener('abort', onParent);
    },
  };
}
