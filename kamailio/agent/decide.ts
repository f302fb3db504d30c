import { performance } from 'node:perf_hooks';
import { DECISION_BUDGET_MS } from '@sip-bridge/contract/edge';
import { answerFromWorker, failOpenAnswer, type KamailioAnswer } from './answer';
import { CircuitBreaker, type BreakerOptions } from './breaker';
import type { WorkerStatus } from './health';
import type { Logger } from './log';
import type { AgentMetrics } from './metrics';
import type { CallFacts } from './schemas';
import { systemTimers, timeoutSignal, type Timers } from './timers';
import { describeWorkerFailure, describeWorkerStatus, type WorkerClient } from './worker-client';

interface DeciderOptions {
  worker: WorkerClient;
  /** The circuit around the Worker (threshold, cool-down); the decider adds the /health probe. */
  breaker?: Omit<BreakerOptions, 'probe' | 'onChange' | 'timers' | 'probeIntervalMs'>;
  status: WorkerStatus;
  log: Logger;
  /** The whole time the agent may take to answer Kamailio (DECISION_BUDGET_MS). */
  budgetMs: number;
  /** Counts each answer by result and times it (sipbridge_decisions_total and the histogram). */
  metrics?: Pick<AgentMetrics, 'decision' | 'ruleRoute' | 'ruleFallback'>;
  /** Fills `acl_entry` from the synced ACL when Kamailio could not (ACL sync on). */
  aclEntryFor?: (line: string, ip: string) => string | null;
  /**
   * Whether Kamailio holds the targets of a line's routing rule (ACL sync on). A rule the edge
   * does not hold is dropped from the answer: the call goes to the line's own targets.
   */
  hasRule?: (line: string, ruleId: string) => boolean;
  /**
   * While the circuit is not closed, how often to ask the Worker's /health (0: never), so
   * decisions resume within about this long of the Worker's recovery even when no call probes.
   */
  probeIntervalMs?: number;
  /** The clock the budget, the breaker's cool-down and its probe run on (tests: fake timers). */
  timers?: Timers;
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
 * const decider = createDecider({ worker, status, log, budgetMs: 800, probeIntervalMs: 500 });
 * const answer = await decider.decide(facts); // { action: 'relay', headers: '…', source: 'worker' }
 */
export function createDecider(options: DeciderOptions) {
  const { worker, status, log, budgetMs, metrics, aclEntryFor, hasRule } = options;
  const timers = options.timers ?? systemTimers;
  const breaker = new CircuitBreaker({
    ...options.breaker,
    timers,
    probeIntervalMs: options.probeIntervalMs ?? 0,
    // While the circuit is open, an answer from /health closes it: no call has to pay for that.
    probe: async () => {
      const signal = timeoutSignal(Math.min(budgetMs, 1000), timers);
      const res = await worker.get('/health', {}, signal);
      if (res.status !== 200) return false;
      status.ok();
      return true;
    },
    // Logged once per outage, not once per call while it is open.
    onChange: (to) =>
      to === 'open'
        ? log('warn', 'breaker.open', { reason: status.snapshot().last_error })
        : log('info', 'breaker.closed'),
  });
  const workerBudget = Math.max(MIN_WORKER_BUDGET_MS, budgetMs - WORKER_HEADROOM_MS);

  async function ask(facts: CallFacts): Promise<KamailioAnswer> {
    const started = performance.now();
    const failOpen = (reason: string, countsAgainstWorker: boolean) => {
      if (countsAgainstWorker) {
        status.failed(reason);
        breaker.failure();
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
        timeoutSignal(budgetMs, timers),
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
    return withKnownRule(facts, mapped.answer);
  }

  /** The answer, without a rule the edge holds no targets for (logged and counted). */
  function withKnownRule(facts: CallFacts, answer: KamailioAnswer): KamailioAnswer {
    if (answer.rule === undefined) return answer;
    if (hasRule?.(facts.line, answer.rule)) {
      metrics?.ruleRoute(facts.line, answer.rule);
      return answer;
    }
    log('warn', 'decide.rule_unknown', {
      call_id: facts.call_id,
      line: facts.line,
      rule: answer.rule,
    });
    metrics?.ruleFallback(facts.line);
    const { rule: _unknown, ...rest } = answer;
    return rest;
  }

  return {
    async decide(reported: CallFacts): Promise<KamailioAnswer> {
      const started = performance.now();
      const facts =
        reported.acl_entry === null && aclEntryFor
          ? { ...reported, acl_entry: aclEntryFor(reported.line, reported.source.ip) }
          : reported;
      // While the circuit is open every call fails open at once; the transition was logged already.
      if (!breaker.tryAcquire()) {
        metrics?.decision('breaker_open', (performance.now() - started) / 1000);
        return failOpenAnswer(facts.ticket_id);
      }
      const answer = await ask(facts);
      const result = answer.source === 'fail_open' ? 'fail_open' : answer.action;
      metrics?.decision(result, (performance.now() - started) / 1000);
      return answer;
    },
    /** The circuit around the Worker (its state is in /health). */
    breaker,
    /** Stops the background probe (the agent is stopping). */
    stop(): void {
      breaker.stop();
    },
  };
}
