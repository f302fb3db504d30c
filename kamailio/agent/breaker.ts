import { background, systemTimers, type TimerHandle, type Timers } from './timers';

type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  /** Consecutive failures that open the circuit; default 5. */
  failureThreshold?: number;
  /** How long the circuit stays open before one call may go through as a probe; default 1000. */
  coolDownMs?: number;
  /**
   * While the circuit is not closed, how often to run `probe` (0: never): the circuit closes on
   * its own once the service is back, without a call paying for the probe.
   */
  probeIntervalMs?: number;
  /** Asks the service whether it is back (true closes the circuit); must not throw for "no". */
  probe?: () => Promise<boolean>;
  /** Told when the circuit opens (from closed) and when it closes again; not per call. */
  onChange?: (to: 'open' | 'closed') => void;
  timers?: Timers;
}

/**
 * The agent's circuit breaker: after `failureThreshold` consecutive failures it opens for
 * `coolDownMs`, then lets exactly one call through (half-open) whose outcome closes or re-opens
 * it; while not closed, a background `probe` every `probeIntervalMs` may close it too.
 * While open, callers fail open at once instead of spending their budget on a dead service.
 * Kamailio has a breaker of its own in front of the agent (kamailio.cfg BREAKER_ALLOWS, see
 * docs/edge-protocol.md): that one stays in the cfg.
 * @example
 * const breaker = new CircuitBreaker({ failureThreshold: 5, coolDownMs: 1000 });
 * if (breaker.tryAcquire()) { try { await call(); breaker.success(); } catch { breaker.failure(); } }
 */
export class CircuitBreaker {
  readonly #threshold: number;
  readonly #coolDownMs: number;
  readonly #probeIntervalMs: number;
  readonly #options: BreakerOptions;
  readonly #timers: Timers;
  #state: BreakerState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #probeInFlight = false;
  #probeTimer: TimerHandle | undefined;
  #probing = false;
  #stopped = false;

  constructor(options: BreakerOptions = {}) {
    this.#options = options;
    this.#threshold = options.failureThreshold ?? 5;
    this.#coolDownMs = options.coolDownMs ?? 1000;
    this.#probeIntervalMs = options.probe ? (options.probeIntervalMs ?? 0) : 0;
    this.#timers = options.timers ?? systemTimers;
  }

  /** The state as of now (an open circuit past its cool-down reads as half-open). */
  get state(): BreakerState {
    if (this.#state === 'open' && this.#timers.now() - this.#openedAt >= this.#coolDownMs) {
      return 'half_open';
    }
    return this.#state;
  }

  /** True when a call may go to the service; in half-open only the first caller gets true. */
  tryAcquire(): boolean {
    if (this.#state === 'closed') return true;
    if (this.state === 'open') return false;
    if (this.#probeInFlight) return false;
    this.#state = 'half_open';
    this.#probeInFlight = true;
    return true;
  }

  /** The service answered properly: close the circuit. */
  success(): void {
    const wasClosed = this.#state === 'closed';
    this.#state = 'closed';
    this.#failures = 0;
    this.#probeInFlight = false;
    this.#timers.clearTimeout(this.#probeTimer);
    this.#probeTimer = undefined;
    if (!wasClosed) this.#options.onChange?.('closed');
  }

  /** The service failed (timeout, network, 5xx, bad answer): count it, open when due. */
  failure(): void {
    if (this.#state === 'half_open') return this.#open(false);
    this.#failures += 1;
    if (this.#state === 'closed' && this.#failures >= this.#threshold) this.#open(true);
  }

  /** Stops the background probe for good (the agent is stopping). */
  stop(): void {
    this.#stopped = true;
    this.#timers.clearTimeout(this.#probeTimer);
    this.#probeTimer = undefined;
  }

  /** `fresh`: opened from closed (a failed probe re-opening it is not a new outage). */
  #open(fresh: boolean): void {
    this.#state = 'open';
    this.#openedAt = this.#timers.now();
    this.#probeInFlight = false;
    if (fresh) this.#options.onChange?.('open');
    this.#scheduleProbe();
  }

  #scheduleProbe(): void {
    if (this.#probeIntervalMs <= 0 || this.#probeTimer !== undefined || this.#stopped) return;
    this.#probeTimer = background(
      this.#timers.setTimeout(() => {
        this.#probeTimer = undefined;
        void this.#runProbe();
      }, this.#probeIntervalMs),
    );
  }

  async #runProbe(): Promise<void> {
    if (this.#closed() || this.#stopped) return;
    if (!this.#probing) {
      this.#probing = true;
      try {
        if ((await this.#options.probe!()) && !this.#closed()) this.success();
      } catch {
        // Still down: the next tick asks again.
      } finally {
        this.#probing = false;
      }
    }
    if (!this.#closed()) this.#scheduleProbe();
  }

  #closed(): boolean {
    return this.#state === 'closed';
  }
}
