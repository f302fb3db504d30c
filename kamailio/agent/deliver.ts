import { open } from 'node:fs/promises';
import type { WorkerStatus } from './health';
import type { Logger } from './log';
import { backoffDelay, type Backoff } from './retry';
import { WorkerEventResultsSchema, describeIssues, type CallEvent } from './schemas';
import type { Spool, SpooledEvent } from './spool';
import { boundedSignal, sleep, systemTimers, type Timers } from './timers';
import { describeWorkerFailure, describeWorkerStatus, type WorkerClient } from './worker-client';

export interface DeliveryOptions {
  spool: Spool<CallEvent>;
  worker: WorkerClient;
  status: WorkerStatus;
  log: Logger;
  /** Where events the Worker refuses on their own (400/413 while others pass) are kept for a person. */
  rejectedPath: string;
  /** Events per request; the Worker takes up to 100. */
  batchSize?: number;
  /** JSON bytes per request, below the Worker's 256 KiB body limit. */
  batchBytes?: number;
  requestTimeoutMs?: number;
  /** Retry delays: `initialMs` (1 s) doubling up to `maxMs` (60 s), each ±20 % jitter. */
  backoff?: Partial<Pick<Backoff, 'initialMs' | 'maxMs'>>;
  /** How often an idle loop looks at the spool even without a wake-up (a safety net). */
  idlePollMs?: number;
  /**
   * How long to let events gather before sending a batch that is not full (default 25 ms): at a few
   * hundred calls per second, one request per event cost the agent more CPU than the calls did.
   */
  lingerMs?: number;
  random?: () => number;
  /** The clock linger, backoff, idle polls and request timeouts run on (tests: fake timers). */
  timers?: Timers;
}

/** Delivered and acknowledged; keep for a retry; or refused by the Worker as invalid. */
type Outcome = 'ok' | 'retry' | { refused: string };

/**
 * Delivers spooled events to the Worker (POST /v1/edge/events) in signed batches, oldest first,
 * and acknowledges each event the Worker answered for. Failed batches stay in the spool and are
 * retried with exponential backoff; an idle loop wakes at once when events arrive.
 * @example
 * const delivery = startDelivery({ spool, worker, status, log, rejectedPath: '.run/spool/rejected.jsonl' });
 * // the spool was opened with { onAppend: () => delivery.wake() }
 * await delivery.stop();
 */
export function startDelivery(options: DeliveryOptions) {
  const { spool, worker, status, log } = options;
  const batchSize = Math.min(100, options.batchSize ?? 100);
  const batchBytes = options.batchBytes ?? 192 * 1024;
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const backoff: Backoff = {
    initialMs: options.backoff?.initialMs ?? 1000,
    maxMs: options.backoff?.maxMs ?? 60_000,
    random: options.random ?? Math.random,
  };
  const timers = options.timers ?? systemTimers;
  const idlePollMs = options.idlePollMs ?? 5000;
  const lingerMs = options.lingerMs ?? 25;
  const stopController = new AbortController();
  // `applied`/`duplicate`/`unknown_call` count the Worker's answers: duplicates mean a redelivery.
  const stats = {
    delivered: 0,
    applied: 0,
    duplicate: 0,
    unknown_call: 0,
    rejected: 0,
    batches: 0,
    failedAttempts: 0,
  };
  let failures = 0;
  let stopRequested = false;
  /** The sleep running now, which stop() ends; wake() ends it too when the loop is idle. */
  let sleeping: { controller: AbortController; idle: boolean } | undefined;
  /** wake() was called since the spool was last looked at. */
  let woken = false;

  /** Sleeps on the delivery's timers, not keeping the process alive. */
  async function pause(ms: number, idle = false): Promise<void> {
    if (stopRequested || (idle && woken)) return;
    const current = { controller: new AbortController(), idle };
    sleeping = current;
    await sleep(ms, { timers, signal: current.controller.signal, background: true });
    if (sleeping === current) sleeping = undefined;
  }

  /** Keeps an event the Worker will never accept, durably, so acking it loses nothing. */
  async function setAside(e: SpooledEvent<CallEvent>, why: string): Promise<void> {
    const fh = await open(options.rejectedPath, 'a', 0o600); // events hold caller numbers
    try {
      const at = new Date().toISOString();
      await fh.write(`${JSON.stringify({ rejected_at: at, why, id: e.id, event: e.event })}\n`);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await spool.ack([e.id]);
    stats.rejected += 1;
    log('error', 'deliver.event_rejected', {
      id: e.id,
      call_id: e.event.call_id,
      why,
      file: options.rejectedPath,
    });
  }

  async function send(batch: SpooledEvent<CallEvent>[], canSplit: boolean): Promise<Outcome> {
    let res;
    const bound = boundedSignal(stopController.signal, timeoutMs, timers);
    try {
      const events = batch.map((e) => e.event);
      res = await worker.post('/v1/edge/events', { events }, bound.signal);
    } catch (err) {
      status.failed(describeWorkerFailure(err));
      return 'retry';
    } finally {
      bound.done();
    }
    if (res.status === 200) {
      const parsed = WorkerEventResultsSchema.safeParse(res.body);
      if (!parsed.success) {
        status.failed(`invalid event results: ${describeIssues(parsed.error)}`);
        return 'retry';
      }
      const results = parsed.data.results;
      // Results come in order; only an exact match acknowledges an event.
      const done = batch.flatMap((e, i) => {
        const r = results[i];
        return r?.call_id === e.event.call_id && r.kind === e.event.kind ? [{ e, r }] : [];
      });
      await spool.ack(done.map(({ e }) => e.id));
      stats.delivered += done.length;
      for (const { r } of done) stats[r.status] += 1;
      status.ok();
      if (done.length === batch.length) return 'ok';
      status.failed(`the Worker answered for ${done.length} of ${batch.length} events`);
      return 'retry';
    }
    if (res.status === 400 || res.status === 413) {
      status.ok();
      const message = (res.body as { message?: unknown } | undefined)?.message;
      const why = `HTTP ${res.status}: ${typeof message === 'string' ? message.slice(0, 300) : ''}`;
      if (!canSplit) return { refused: why };
      return isolateRefused(batch, why);
    }
    status.failed(describeWorkerStatus(res.status, res.body));
    return 'retry';
  }

  /**
   * Sends a refused batch one event at a time. Events refused on their own while others pass are
   * set aside; if the Worker refuses them all, the fault is more likely the Worker's (a version
   * mismatch, say) than the events', so they stay in the spool and are retried.
   */
  async function isolateRefused(batch: SpooledEvent<CallEvent>[], why: string): Promise<Outcome> {
    log('warn', 'deliver.batch_refused', { events: batch.length, why });
    const refused: Array<[SpooledEvent<CallEvent>, string]> = [];
    let accepted = 0;
    for (const e of batch) {
      const outcome = batch.length === 1 ? { refused: why } : await send([e], false);
      if (outcome === 'retry') return 'retry';
      if (outcome === 'ok') accepted += 1;
      else refused.push([e, outcome.refused]);
    }
    if (accepted === 0) {
      status.failed(`the Worker refuses every event it was sent (${why})`);
      return 'retry';
    }
    for (const [e, reason] of refused) await setAside(e, reason);
    return 'ok';
  }

  async function run(): Promise<void> {
    /** The last batch was full: more are waiting, send at once. */
    let backlog = false;
    while (!stopRequested) {
      let outcome: Outcome;
      try {
        if (!backlog && lingerMs > 0) await pause(lingerMs);
        woken = false;
        const batch = await spool.peek(batchSize, batchBytes);
        if (batch.length === 0) {
          backlog = false;
          await pause(idlePollMs, true);
          continue;
        }
        backlog = batch.length >= batchSize;
        stats.batches += 1;
        outcome = await send(batch, true);
      } catch (err) {
        if (stopRequested) break;
        log('error', 'deliver.spool_error', { error: (err as Error).message });
        outcome = 'retry';
      }
      if (outcome === 'ok') {
        if (failures > 0)
          log('info', 'deliver.resumed', { after_failures: failures, depth: spool.depth });
        failures = 0;
        continue;
      }
      failures += 1;
      stats.failedAttempts += 1;
      const delay = backoffDelay(failures, backoff);
      log('warn', 'deliver.retry', {
        in_ms: delay,
        depth: spool.depth,
        reason: status.snapshot().last_error,
      });
      await pause(delay);
    }
  }

  const loop = run();

  return {
    stats,
    /** New events are durable: an idle loop delivers them now (a loop in backoff keeps waiting). */
    wake(): void {
      woken = true;
      if (sleeping?.idle) sleeping.controller.abort();
    },
    /** Stops the loop; a request in flight gets `graceMs` to finish before it is abandoned. */
    async stop(graceMs = 2000): Promise<void> {
      stopRequested = true;
      sleeping?.controller.abort();
      const grace = new AbortController();
      await Promise.race([loop, sleep(graceMs, { timers, signal: grace.signal })]);
      grace.abort();
      stopController.abort();
      await loop;
    },
  };
}
