import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TargetState } from './dispatcher-targets';
import type { CallEvent } from './schemas';

/** How a decision ended, as counted in sipbridge_decisions_total{result}. */
type DecisionResult = 'relay' | 'reject' | 'fail_open' | 'breaker_open';
/** Which Worker request failed, in sipbridge_worker_errors_total{operation}. */
type WorkerOperation = 'decide' | 'events' | 'edge_config';

/**
 * The agent's Prometheus metrics (prom-client), served as text by GET /metrics. Labels are
 * bounded: line slugs come from the rendered config, results and reasons from fixed lists.
 * @example
 * const metrics = createAgentMetrics({ spool });
 * metrics.decision('relay', 0.012);
 * const text = await metrics.registry.metrics();
 */
export function createAgentMetrics(sources: {
  spool: { depth: number; oldestAt: number | null };
  /** The lines' targets from Kamailio (line sync's dispatcher.list); no target gauges without it. */
  targets?: () => Promise<TargetState[]>;
  now?: () => number;
}) {
  const now = sources.now ?? Date.now;
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const calls = new Counter({
    name: 'sipbridge_calls_total',
    help: 'Calls by line and outcome: answered, then ended, or failed, or cancelled.',
    labelNames: ['line', 'outcome'] as const,
    registers,
  });
  const decisions = new Counter({
    name: 'sipbridge_decisions_total',
    help: 'Decisions answered to Kamailio: relay or reject from the Worker, fail_open, breaker_open.',
    labelNames: ['result'] as const,
    registers,
  });
  const decisionSeconds = new Histogram({
    name: 'sipbridge_decision_duration_seconds',
    help: 'Time from Kamailio asking to the agent answering, fail-open answers included.',
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6],
    registers,
  });
  const eventSeconds = new Histogram({
    name: 'sipbridge_event_spool_duration_seconds',
    help: 'Time from Kamailio posting a lifecycle event to the agent answering that it is on disk.',
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6],
    registers,
  });
  new Gauge({
    name: 'sipbridge_spool_depth',
    help: 'Lifecycle events on disk not yet acknowledged by the Worker.',
    registers,
    collect() {
      this.set(sources.spool.depth);
    },
  });
  new Gauge({
    name: 'sipbridge_spool_oldest_age_seconds',
    help: 'Age of the oldest undelivered event (0 when the spool is empty).',
    registers,
    collect() {
      const oldest = sources.spool.oldestAt;
      this.set(oldest === null ? 0 : Math.max(0, (now() - oldest) / 1000));
    },
  });
  // Read from Kamailio at each scrape; a scrape while Kamailio does not answer leaves them out
  // rather than failing the whole scrape (sipbridge_target_scrape_errors_total counts those,
  // shown from the next scrape on).
  const targetScrapeErrors = new Counter({
    name: 'sipbridge_target_scrape_errors_total',
    help: 'Scrapes that could not read the targets from Kamailio (dispatcher.list).',
    registers,
  });
  /** dispatcher.list now (each gauge asks once per scrape: a loopback call), null on failure. */
  const readTargets = () =>
    (sources.targets?.() ?? Promise.resolve([])).catch(() => {
      targetScrapeErrors.inc();
      return null;
    });
  new Gauge({
    name: 'sipbridge_target_up',
    help: 'Per line target: 1 up, 0 down (OPTIONS probing marked it inactive: calls skip it).',
    labelNames: ['line', 'target'] as const,
    registers,
    async collect() {
      const targets = await readTargets();
      if (!targets) return;
      this.reset();
      for (const t of targets) {
        this.set({ line: t.line ?? `set ${t.set}`, target: t.uri }, t.up ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'sipbridge_targets_down',
    help: 'Line targets OPTIONS probing marked down.',
    registers,
    async collect() {
      const targets = await readTargets();
      if (targets) this.set(targets.filter((t) => !t.up).length);
    },
  });
  const aclReloads = new Counter({
    name: 'sipbridge_acl_reloads_total',
    help: 'Address-file reloads that Kamailio loaded exactly as written.',
    registers,
  });
  const aclFailures = new Counter({
    name: 'sipbridge_acl_sync_failures_total',
    help: 'ACL syncs that failed (Worker, validation, reload or proof); the previous ACL stayed active.',
    registers,
  });
  const aclEntries = new Gauge({
    name: 'sipbridge_acl_entries',
    help: 'ACL entries Kamailio has loaded from the last good sync.',
    registers,
  });
  const workerErrors = new Counter({
    name: 'sipbridge_worker_errors_total',
    help: 'Failed Worker requests by operation and reason (timeout, network, http_4xx, http_5xx, invalid).',
    labelNames: ['operation', 'reason'] as const,
    registers,
  });
  const ruleRoutes = new Counter({
    name: 'sipbridge_rule_routes_total',
    help: "Calls the Worker's decision sent to a line's routing rule targets, by line and rule.",
    labelNames: ['line', 'rule'] as const,
    registers,
  });
  const ruleFallbacks = new Counter({
    name: 'sipbridge_rule_fallbacks_total',
    help: 'Decisions naming a routing rule the edge holds no targets for: sent to the line targets.',
    labelNames: ['line'] as const,
    registers,
  });
  const reconciled = new Counter({
    name: 'sipbridge_reconciled_calls_total',
    help: 'Calls the reconciler reported as ended because the proxy no longer had their dialog.',
    registers,
  });

  return {
    registry,
    /** One answer to /v1/decide and how long it took. */
    decision(result: DecisionResult, seconds: number): void {
      decisions.inc({ result });
      decisionSeconds.observe(seconds);
    },
    /** One lifecycle event accepted into the spool, `seconds` after Kamailio posted it. */
    callEvent(event: CallEvent, seconds: number): void {
      calls.inc({ line: event.call?.line ?? 'unknown', outcome: event.kind });
      eventSeconds.observe(seconds);
    },
    workerError(operation: WorkerOperation, reason: string): void {
      workerErrors.inc({ operation, reason: reasonClass(reason) });
    },
    aclSynced(entries: number, reloaded: boolean): void {
      if (reloaded) aclReloads.inc();
      aclEntries.set(entries);
    },
    aclFailed(): void {
      aclFailures.inc();
    },
    /** A decision relayed to the targets of the line's routing rule `rule`. */
    ruleRoute(line: string, rule: string): void {
      ruleRoutes.inc({ line, rule });
    },
    /** A decision named a rule the edge does not hold: relayed to the line's own targets. */
    ruleFallback(line: string): void {
      ruleFallbacks.inc({ line });
    },
    reconciled(count = 1): void {
      reconciled.inc(count);
    },
  };
}

export type AgentMetrics = ReturnType<typeof createAgentMetrics>;

/** Folds a failure description (describeWorkerFailure/Status) into a bounded label value. */
export function reasonClass(reason: string): string {
  if (reason === 'timeout') return 'timeout';
  if (reason.startsWith('network')) return 'network';
  const status = /^HTTP (\d)\d\d/.exec(reason);
  if (status) return `http_${status[1]}xx`;
  return 'invalid';
}
