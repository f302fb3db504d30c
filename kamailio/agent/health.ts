import type { AclSnapshot } from './edge-config-sync';
import type { ReconcileSnapshot } from './reconcile';
import type { CommandsSnapshot } from './commands';
import type { CircuitBreaker } from './breaker';

/**
 * What the agent last saw of the Worker, from decisions and event deliveries alike.
 * @example
 * const status = createWorkerStatus();
 * status.ok(); status.failed('timeout');
 */
export function createWorkerStatus(now: () => number = Date.now) {
  let reachable: boolean | null = null;
  let lastOkAt: number | null = null;
  let lastError: string | null = null;
  return {
    ok(): void {
      reachable = true;
      lastOkAt = now();
      lastError = null;
    },
    failed(reason: string): void {
      reachable = false;
      lastError = reason;
    },
    get reachable() {
      return reachable;
    },
    snapshot() {
      return {
        // Unknown until the first attempt: reported as reachable so a fresh agent is not degraded.
        reachable: reachable ?? true,
        last_ok_at: lastOkAt === null ? null : new Date(lastOkAt).toISOString(),
        last_error: lastError,
      };
    },
  };
}

export type WorkerStatus = ReturnType<typeof createWorkerStatus>;

/**
 * The same status, also telling `onFailure` about each failure (to count them by operation).
 * @example const forEvents = reportingFailures(status, (r) => metrics.workerError('events', r));
 */
export function reportingFailures(
  status: WorkerStatus,
  onFailure: (reason: string) => void,
): WorkerStatus {
  return {
    ok: () => status.ok(),
    failed(reason: string) {
      status.failed(reason);
      onFailure(reason);
    },
    get reachable() {
      return status.reachable;
    },
    snapshot: () => status.snapshot(),
  };
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  spool: { depth: number; oldest_at: string | null };
  worker: {
    reachable: boolean;
    last_ok_at: string | null;
    last_error: string | null;
    breaker: 'closed' | 'open';
  };
  /** Present when ACL sync is on (EDGE_ACL_SYNC_DIR). */
  acl?: AclSnapshot;
  /** Present when reconciliation is on (EDGE_RECONCILE_INTERVAL_MS > 0). */
  reconcile?: ReconcileSnapshot;
  /** Present when commands are on (EDGE_COMMANDS_INTERVAL_MS > 0). */
  commands?: CommandsSnapshot;
}

/** The body of GET /health: degraded when the circuit is not closed or the Worker was unreachable. */
export function healthReport(parts: {
  spool: { depth: number; oldestAt: number | null };
  worker: WorkerStatus;
  breaker: Pick<CircuitBreaker, 'state'>;
  acl?: AclSnapshot;
  reconcile?: ReconcileSnapshot;
  commands?: CommandsSnapshot;
}): HealthReport {
  // Half-open still means "not trusted yet"; the contract only knows closed and open.
  const breaker = parts.breaker.state === 'closed' ? 'closed' : 'open';
  const worker = { ...parts.worker.snapshot(), breaker } as const;
  const degraded =
    breaker === 'open' ||
    !worker.reachable ||
    !!parts.acl?.last_error ||
    !!parts.reconcile?.last_error ||
    !!parts.commands?.last_error;
  return {
    status: degraded ? 'degraded' : 'ok',
    spool: {
      depth: parts.spool.depth,
      oldest_at:
        parts.spool.oldestAt === null ? null : new Date(parts.spool.oldestAt).toISOString(),
    },
    worker,
    ...(parts.acl ? { acl: parts.acl } : {}),
    ...(parts.reconcile ? { reconcile: parts.reconcile } : {}),
    ...(parts.commands ? { commands: parts.commands } : {}),
  };
}
