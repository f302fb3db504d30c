// Tells the Worker which edge config Kamailio now enforces (POST /v1/edge/config/applied,
// docs/edge-protocol.md "Applied report"), so the console can say a line's change is at the edge.
// edge-config-sync.ts hands it a config only after applying it all; a report the Worker did not
// take for a passing reason (down, 5xx, 401) is sent again after the next poll.
import { EdgeConfigAppliedSchema } from '@sip-bridge/contract/edge-applied';
import type { Logger } from './log';
import { describeWorkerFailure, describeWorkerStatus, type WorkerClient } from './worker-client';

export const EDGE_CONFIG_APPLIED_PATH = '/v1/edge/config/applied';

/**
 * The report waiting to be sent: the last config applied, until the Worker has it.
 * @example
 * const reporter = createAppliedReporter({ worker, log });
 * reporter.applied('"5f2b…"', Date.now()); // after the whole config is in Kamailio
 * await reporter.flush(signal); // sends it; kept for the next flush if the Worker did not take it
 */
export function createAppliedReporter(deps: { worker: Pick<WorkerClient, 'post'>; log: Logger }) {
  const { worker, log } = deps;
  let pending: { etag: string; applied_at: string } | null = null;
  let failing: string | null = null;
  return {
    /** Kamailio enforces the config with this ETag since `at` (ms): report it at the next flush. */
    applied(etag: string | null, at: number): void {
      const report = EdgeConfigAppliedSchema.safeParse({
        etag,
        applied_at: new Date(at).toISOString(),
      });
      // A Worker that sends no ETag, or one of another form, cannot take a report of it.
      pending = report.success ? report.data : null;
    },
    /**
     * A config failed to apply: Kamailio may hold part of it, so no earlier config is reported
     * as what it enforces until a config applies whole again.
     */
    discard(): void {
      pending = null;
    },
    /** The report not yet taken by the Worker, if any (for tests and /health). */
    pending: () => pending,
    /** Sends the pending report; never throws. */
    async flush(signal: AbortSignal): Promise<void> {
      const report = pending;
      if (!report) return;
      let problem: string;
      try {
        const res = await worker.post(EDGE_CONFIG_APPLIED_PATH, report, signal);
        if (res.status === 200) {
          if (pending === report) pending = null;
          if (failing) log('info', 'acl.applied_report_recovered', { etag: report.etag });
          failing = null;
          log('info', 'acl.applied_reported', { etag: report.etag });
          return;
        }
        problem = describeWorkerStatus(res.status, res.body);
        if (res.status === 400 || res.status === 404) {
          // Refused for good (a config the Worker no longer knows, or a Worker without the
          // endpoint): sending it again would not help; the next config applied is reported.
          if (pending === report) pending = null;
          failing = null;
          log('warn', 'acl.applied_report_refused', { etag: report.etag, error: problem });
          return;
        }
      } catch (err) {
        problem = describeWorkerFailure(err);
      }
      if (problem !== failing) log('warn', 'acl.applied_report_failed', { error: problem });
      failing = problem;
    },
  };
}

export type AppliedReporter = ReturnType<typeof createAppliedReporter>;
