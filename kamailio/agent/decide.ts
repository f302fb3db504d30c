import { performance } from 'node:perf_hooks';
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
}

/** The Worker is told 100 ms less than our budget so its answer has time to travel back. */
const WORKER_HEADROOM_MS = 100;
/** The Worker refuses a smaller budget_ms (worker/src/schemas/edge.ts). */
const MIN_WORKER_BUDGET_MS = 50;

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
  const workerBudget = Math.max(MIN_WORKER_BUDGET_MS, budgetMs - WORKER_HEADROOM_MS);

  /** Logs breaker transitions once, not once per call while it is open. */
  function noteBreaker(before: string) {
    const after = breaker.state;
    if (before !== 'open' && after === 'open')
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
      return failOpen(describeWorkerStatus(res.status), true);
    }
    if (res.status !== 200) {
      // The Worker is up but refused this call's facts: not a reason to open the circuit.
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
  };
}

export type Decider = ReturnType<typeof createDecider>;
