import { performance } from 'node:perf_hooks';
import { DECISION_BUDGET_MS } from '@sip-bridge/contract/edge';
import { answerFromWorker, failOpenAnswer, type KamailioAnswer } from './answer';
import type { Breaker } from './breaker';
import type { WorkerStatus } from './health';
import type { Logger } from './log';
import type { AgentMetrics } from './metrics';
import type { CallFacts } from './schemas';
import { describeWorkerFailure, describeWorkerStatus, type WorkerClient } from './worker-client';

export interface DeciderOptions {
  worker: WorkerClient;
  breaker: Breaker;
  status: WorkerStatus;
  log: Logger;
  /** The whole time the agent may take to answer Kamailio (DECISION_BUDGET_MS). */
  budgetMs: number;
  /** Counts each answer by result and times it (sipbridge_decisions_total and the histogram). */
  metrics?: Pick<AgentMetrics, 'decision'>;
  /** Fills `acl_entry` from the synced ACL when Kamailio could not (ACL sync on). */
  aclEntryFor?: (line: string, ip: string) => string | null;
  /**
   * While the circuit is not closed, how often to ask the Worker's /health (0: never), so
   * decisions resume within about this long of the Worker's recovery even when no call probes.
   */
  probeIntervalMs?: number;
}

/** Worker statuses that refuse this call's facts: an answer about the call, not a failure. */
const REFUSED_STATUSES = new Set([400, 413, 422]);

/** The answer for a call whose facts the edge or the Worker refused: never relayed unvetted. */
export const REFUSED_ANSWER: KamailioAnswer = {
  action: 'reject',
  code: 400,
  reason: 'Call details refused',
  headers: '',
  source: 'worker',
};

/** The Worker is told 100 ms less than our budget so its answer has time to travel back. */
const WORKER_HEADROOM_MS = 100;
/** The Worker refuses a smaller budget_ms. */
const MIN_WORKER_BUDGET_MS = DECISION_BUDGET_MS.min;

/**
 * Forwards INVITE decisions to the Worker within a time budget, behind a circuit breaker,
 * and fails open (relay with Kamailio's own validated ticket header) whenever it cannot decide.
 * Never throws: Kamailio always gets an answer.
 * @example
 * const decider = createDecider({ worker, breaker, status, log, budgetMs: 800 });
 * const answer = await decider.decide(facts); // { action: 'relay', headers: '…', source: 'worker' }
 */
export function createDecider(options: DeciderOptions) {
  const { worker, breaker, status, log, budgetMs, metrics, aclEntryFor } = options;
  const probeIntervalMs = options.probeIntervalMs ?? 0;
  let probeTimer: NodeJS.Timeout | undefined;
  let probing = false;

  /** Asks /health while the circuit is open; an answer closes it (no call has to pay for that). */
  async function probe() {
    if (probing || breaker.state === 'closed') return;
    probing = true;
    try {
      const res = await worker.get('/health', {}, AbortSignal.timeout(Math.min(budgetMs, 1000)));
      const before = breaker.state;
      if (res.status === 200) {
        breaker.success();
        status.ok();
        noteBreaker(before);
      }
    } catch {
      // Still down: the next tick tries again.
    } finally {
      probing = false;
    }
  }
  if (probeIntervalMs > 0) {
    probeTimer = setInterval(() => void probe(), probeIntervalMs);
    probeTimer.unref();
  }
  const workerBudget = Math.max(MIN_WORKER_BUDGET_MS, budgetMs - WORKER_HEADROOM_MS);

  /** Logs breaker transitions once, not once per call while it is open. */
  function noteBreaker(before: string) {
    const after = breaker.state;
    // Opened from closed; a failed probe (half-open back to open) is not a new outage.
    if (before === 'closed' && after === 'open')
      log('warn', 'breaker.open', { reason: status.snapshot().last_error });
    if (before !== 'closed' && after === 'closed') log('info', 'breaker.closed');
  }

  async function ask(facts: CallFacts): Promise<KamailioAnswer> {
    const started = performance.now();
    const failOpen = (reason: string, countsAgainstWorker: boolean) => {
      if (countsAgainstWorker) {
        breaker.failure();
        status.failed(reason);
      }
      log('warn', 'decide.fail_open', {
        call_id: facts.call_id,
        reason,
        ms: Math.round(performance.now() - started),
      });
      return failOpenAnswer(facts.ticket_id);
    };

    let res;
    try {
      res = await worker.post(
        '/v1/edge/decisions',
        { ...facts, budget_ms: workerBudget },
        AbortSignal.timeout(budgetMs),
      );
    } catch (err) {
      return failOpen(describeWorkerFailure(err), true);
    }
    if (res.status === 401 || res.status >= 500) {
      return failOpen(describeWorkerStatus(res.status, res.body), true);
    }
    if (REFUSED_STATUSES.has(res.status)) {
      // The Worker refused what this INVITE carries: the call is refused too, never relayed
      // without the block list and ticket policy; and the Worker answered, so the circuit holds.
      breaker.success();
      status.ok();
      const error = (res.body as { error?: unknown } | undefined)?.error;
      log('warn', 'decide.refused', {
        call_id: facts.call_id,
        status: res.status,
        error: typeof error === 'string' ? error.slice(0, 40) : undefined,
      });
      return REFUSED_ANSWER;
    }
    if (res.status !== 200) {
      // The Worker is up but does not know this line (404) or the like: not the caller's doing,
      // and not a reason to open the circuit.
      breaker.success();
      status.ok();
      return failOpen(`HTTP ${res.status} from the Worker`, false);
    }
    const mapped = answerFromWorker(res.body);
    if (!mapped.ok) return failOpen(mapped.reason, true);
    breaker.success();
    status.ok();
    for (const d of mapped.dropped) {
      log('warn', 'decide.header_dropped', { call_id: facts.call_id, header: d.name, bad: d.why });
    }
    return mapped.answer;
  }

  return {
    async decide(reported: CallFacts): Promise<KamailioAnswer> {
      const started = performance.now();
      const facts =
        reported.acl_entry === null && aclEntryFor
          ? { ...reported, acl_entry: aclEntryFor(reported.line, reported.source.ip) }
          : reported;
      const before = breaker.state;
      // While the circuit is open every call fails open at once; the transition was logged already.
      if (!breaker.tryAcquire()) {
        metrics?.decision('breaker_open', (performance.now() - started) / 1000);
        return failOpenAnswer(facts.ticket_id);
      }
      try {
        const answer = await ask(facts);
        const result = answer.source === 'fail_open' ? 'fail_open' : answer.action;
        metrics?.decision(result, (performance.now() - started) / 1000);
        return answer;
      } finally {
        noteBreaker(before);
      }
    },
    /** Stops the background probe (the agent is stopping). */
    stop(): void {
      if (probeTimer) clearInterval(probeTimer);
    },
  };
}

export type Decider = ReturnType<typeof createDecider>;
