import { sleep, systemTimers, type Timers } from './timers';

/** Exponential backoff: `initialMs`, times `factor` per retry, capped at `maxMs`, with jitter. */
export interface Backoff {
  /** The wait before the first retry. */
  initialMs: number;
  /** No wait is longer. */
  maxMs: number;
  /** Growth per retry; default 2 (doubling). */
  factor?: number;
  /** Spread of each wait, as a fraction either side; default 0.2 (±20 %). */
  jitter?: number;
  /** Injectable randomness in [0, 1) (tests). */
  random?: () => number;
}

/**
 * The wait before retry number `retry` (1 = the first retry).
 * @example backoffDelay(3, { initialMs: 1000, maxMs: 60_000 }) // 4000 ± 20 %
 */
export function backoffDelay(retry: number, backoff: Backoff): number {
  const factor = backoff.factor ?? 2;
  const jitter = backoff.jitter ?? 0.2;
  const random = backoff.random ?? Math.random;
  const base = Math.min(backoff.maxMs, backoff.initialMs * factor ** Math.min(retry - 1, 30));
  return Math.round(Math.min(backoff.maxMs, base * (1 - jitter + 2 * jitter * random())));
}

interface RetryOptions {
  /** The wait before each retry: a fixed number of ms, or a backoff schedule. */
  delay: number | Backoff;
  /** Attempts in all, the first included; default: no limit. */
  attempts?: number;
  /** Give up when an attempt fails more than this long after the first one started. */
  withinMs?: number;
  /** Which failures are worth another attempt; default: all. Others are thrown at once. */
  retryIf?: (error: unknown) => boolean;
  /** Told before each wait (logging). */
  onRetry?: (error: unknown, retry: number, delayMs: number) => void;
  /** Stops retrying: the wait ends and the last failure is thrown. */
  signal?: AbortSignal;
  timers?: Timers;
}

/**
 * Runs `attempt` until it resolves, waiting between failures as `delay` says, within the limits
 * given; then throws the last failure. The one retry loop of the edge (agent, CLI, harnesses,
 * scripts); the Worker's Zendesk transport has its own, inside workerd.
 * @example
 * await retry(() => rpc.addressReload(), { delay: 250, withinMs: 8000, retryIf: ongoingReload });
 */
export async function retry<T>(
  attempt: (n: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const timers = options.timers ?? systemTimers;
  const started = timers.now();
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const giveUp =
        (options.retryIf && !options.retryIf(error)) ||
        n >= (options.attempts ?? Infinity) ||
        (options.withinMs !== undefined && timers.now() - started > options.withinMs) ||
        options.signal?.aborted;
      if (giveUp) throw error;
      const delayMs =
        typeof options.delay === 'number' ? options.delay : backoffDelay(n, options.delay);
      options.onRetry?.(error, n, delayMs);
      await sleep(delayMs, { timers, signal: options.signal });
      if (options.signal?.aborted) throw error;
    }
  }
}
