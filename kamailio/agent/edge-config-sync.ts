import { createKamailioRpc } from 'kamailio-jsonrpc';
import { createAppliedReporter } from './applied-report';
import { parseDispatcherTargets, type TargetState } from './dispatcher-targets';
import { createAclSync, type AclRpc, type RenderAddressList } from './acl-sync';
import { blocklistKeys, createBlocklistSync, type BlocklistRpc } from './blocklist-sync';
import { createCallerAuthSync, type CallerAuthRpc } from './caller-auth-sync';
import { createMediaSync, type MediaRpc } from './media-sync';
import { EDGE_CONFIG_PATH, SyncError, validateEdgeConfig } from './edge-config';
import { createReload } from './kamailio-reload';
import { idKeys } from '../renderer/files';
import {
  createLineSync,
  lineIdsFor,
  LineSyncError,
  type EdgeLine,
  type LineRpc,
} from './line-sync';
import type { Logger } from './log';
import type { AgentMetrics } from './metrics';
import { createRestartWatch, type RestartRpc } from './restart-watch';
import { boundedSignal } from './timers';
import { describeWorkerFailure, describeWorkerStatus, type WorkerClient } from './worker-client';

export interface EdgeConfigSyncOptions {
  /** How often the Worker's edge config is polled (EDGE_ACL_SYNC_INTERVAL_MS, default 2000). */
  intervalMs?: number;
  /** The renderer's --out directory: holds address.list and line-ids.json (EDGE_ACL_SYNC_DIR). */
  renderDir: string;
  /** Kamailio's JSON-RPC URL (KAMAILIO_RPC_URL), e.g. http://127.0.0.1:5080/RPC. */
  rpcUrl: string;
  /** Longest wait for permissions' reload_delta (5 s) to let a reload through. Default 8000. */
  reloadWaitMs?: number;
  /** Tests only: replaces renderAddressList (to write something Kamailio skips). */
  render?: RenderAddressList;
}

/** The parts of the Kamailio JSON-RPC client the sync needs (a fake in unit tests). */
export type EdgeConfigSyncRpc = AclRpc &
  LineRpc &
  BlocklistRpc &
  CallerAuthRpc &
  MediaRpc &
  RestartRpc;

/** The `acl` part of the agent's /health (and of POST /v1/acl/sync's answer). */
export interface AclSnapshot {
  last_sync_at: string | null;
  etag: string | null;
  entries: number;
  last_error: string | null;
  /** Lines Kamailio routes (dispatcher sets) from the last good sync. */
  lines: number;
  /** Entries of the callerauth table Kamailio holds from the last good sync (caller-auth-sync.ts). */
  caller_auth_entries: number;
  /** Lines Kamailio holds as secure (TLS and SRTP) from the last good sync (media-sync.ts). */
  secure_media_lines: number;
}

/**
 * Keeps Kamailio in step with the Worker's edge config: polls it with If-None-Match and applies
 * each new config in order: the lines (ids, dispatcher targets, CPS limits; line-sync.ts), then
 * the block list (blocklist-sync.ts), then caller auth (caller-auth-sync.ts), then the ACL
 * (acl-sync.ts), so a source is never admitted to a line with no target, nor a caller newly
 * admitted unblocked or without the line's credentials. After a Kamailio restart
 * (restart-watch.ts) everything is applied again. A config refused for good is not fetched again
 * until its ETag changes. Each config applied whole is reported to the Worker (applied-report.ts),
 * never one that failed.
 * @example
 * const sync = startEdgeConfigSync({ renderDir: '/etc/kamailio/sipbridge', rpcUrl }, { worker, log });
 * sync.snapshot(); // { last_sync_at, etag, entries, last_error, lines }
 * await sync.stop();
 */
export function startEdgeConfigSync(
  options: EdgeConfigSyncOptions,
  deps: {
    worker: WorkerClient;
    log: Logger;
    rpc?: EdgeConfigSyncRpc;
    now?: () => number;
    metrics?: Pick<AgentMetrics, 'aclSynced' | 'aclFailed' | 'workerError'>;
  },
) {
  const { worker, log, metrics } = deps;
  const now = deps.now ?? Date.now;
  const rpc: EdgeConfigSyncRpc =
    deps.rpc ?? createKamailioRpc({ url: options.rpcUrl, timeoutMs: 3000 });
  const intervalMs = options.intervalMs ?? 2000;
  const controller = new AbortController();
  const reload = createReload({ waitMs: options.reloadWaitMs ?? 8000, signal: controller.signal });

  const restarts = createRestartWatch(rpc);
  const lineSync = createLineSync(options.renderDir, rpc, () =>
    reload(() => rpc.call('dispatcher.reload')),
  );
  const blocklist = createBlocklistSync(options.renderDir, rpc);
  const callerAuth = createCallerAuthSync(options.renderDir, rpc);
  const media = createMediaSync(options.renderDir, rpc);
  const reporter = createAppliedReporter({ worker, log });
  const acl = createAclSync({
    renderDir: options.renderDir,
    rpc,
    reload,
    log,
    ...(options.render ? { render: options.render } : {}),
  });
  let lineCount = 0;
  let callerAuthEntries = 0;
  let secureMediaLines = 0;
  let appliedEtag: string | null = null;
  let rejectedEtag: string | null = null;
  let lastSyncAt: number | null = null;
  let entries = 0;
  let lastError: string | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  /** Polls run one at a time, whether from the timer or syncNow(). */
  let chain: Promise<void> = Promise.resolve();
  const exclusive = (force = false) =>
    (chain = chain
      .then(() => syncOnce(force))
      .catch((err: unknown) => fail(`internal: ${(err as Error).message}`, null)));

  /** Applies lines, block list and ACL; `reloaded` is false when nothing changed. */
  async function apply(
    lines: EdgeLine[],
    force: boolean,
  ): Promise<{ count: number; reloaded: boolean }> {
    // Lines first (ids, targets, limits), so a source is never admitted to a line with no target.
    // Every line and routing rule has a dispatcher set id (rules keyed `<slug>/<rule>`).
    const ids = await lineIdsFor(options.renderDir, idKeys(lines));
    const routed = await lineSync.apply(lines, ids, force);
    // The block list before the ACL: a caller newly admitted is never admitted unblocked.
    const blocked = await blocklist.apply(blocklistKeys(lines), force);
    // Media before caller auth and the ACL: Kamailio refuses a line it holds no media setting for.
    const medias = await media.apply(lines, force);
    // Caller auth before the ACL too: a source is never admitted to a line without its checks.
    // It admits the lines without an ACL (ip: false) by their credentials, so it comes last but
    // the ACL, once the block list and the media setting are in place.
    const authed = await callerAuth.apply(lines, force, ids.ids);
    const admitted = await acl.apply(lines, ids, force);
    lineCount = lines.length;
    callerAuthEntries = authed.count;
    secureMediaLines = medias.secure;
    return {
      count: admitted.count,
      reloaded:
        admitted.reloaded ||
        routed.reloaded ||
        blocked.reloaded ||
        authed.reloaded ||
        medias.reloaded,
    };
  }

  /** One poll; `force` ignores the ETags and reloads and proves even an unchanged file. */
  async function syncOnce(forced: boolean): Promise<void> {
    // A restarted Kamailio lost what lives only in memory (the linecps htable): apply it all again.
    const restarted = await restarts.restarted();
    const force = forced || restarted;
    if (restarted) log('info', 'acl.kamailio_restarted', { resync: true });
    const etags = force ? [] : [appliedEtag, rejectedEtag].filter((e): e is string => e !== null);
    let res;
    const poll = boundedSignal(controller.signal, 5000);
    try {
      res = await worker.get(
        EDGE_CONFIG_PATH,
        etags.length ? { 'If-None-Match': etags.join(', ') } : {},
        poll.signal,
      );
    } catch (err) {
      if (stopped) return;
      metrics?.workerError('edge_config', describeWorkerFailure(err));
      return fail(`worker: ${describeWorkerFailure(err)}`, null);
    } finally {
      poll.done();
    }
    if (res.status === 304) return report();
    if (res.status !== 200) {
      metrics?.workerError('edge_config', describeWorkerStatus(res.status, res.body));
      return fail(`worker: ${describeWorkerStatus(res.status, res.body)}`, null);
    }
    const etag = res.headers.get('etag');
    try {
      const { count, reloaded } = await apply(validateEdgeConfig(res.body), force);
      metrics?.aclSynced(count, reloaded);
      appliedEtag = etag;
      rejectedEtag = null;
      lastSyncAt = now();
      entries = count;
      if (lastError) log('info', 'acl.recovered', { etag });
      lastError = null;
      log('info', 'acl.synced', { etag, entries: count });
      // Only now, with every part in Kamailio and proved, does the Worker hear it was applied.
      reporter.applied(etag, lastSyncAt);
    } catch (err) {
      const permanent = (err instanceof SyncError || err instanceof LineSyncError) && err.permanent;
      reporter.discard();
      return fail((err as Error).message, permanent ? etag : null);
    }
    await report();
  }

  /** Sends the applied report still owed to the Worker (after a success, or a 304 poll). */
  async function report(): Promise<void> {
    if (stopped || !reporter.pending()) return;
    const sending = boundedSignal(controller.signal, 5000);
    try {
      await reporter.flush(sending.signal);
    } finally {
      sending.done();
    }
  }

  function fail(message: string, rejected: string | null) {
    metrics?.aclFailed();
    if (rejected) rejectedEtag = rejected;
    if (message !== lastError) log('error', 'acl.sync_failed', { error: message });
    lastError = message;
  }

  function schedule(delay: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      running = exclusive().finally(() => {
        running = undefined;
        schedule(intervalMs);
      });
    }, delay);
  }
  schedule(0);

  return {
    /** Whether Kamailio holds the targets of `line`'s routing rule `ruleId` (line-sync.ts). */
    hasRule: (line: string, ruleId: string): boolean => lineSync.hasRule(line, ruleId),
    /** The ACL entry that admitted `ip` on `line` (acl-sync.ts), for the call record. */
    entryFor: (line: string, ip: string): string | null => acl.entryFor(line, ip),
    snapshot(): AclSnapshot {
      return {
        last_sync_at: lastSyncAt === null ? null : new Date(lastSyncAt).toISOString(),
        etag: appliedEtag,
        entries,
        last_error: lastError,
        lines: lineCount,
        caller_auth_entries: callerAuthEntries,
        secure_media_lines: secureMediaLines,
      };
    },
    /**
     * Runs one poll now, after any poll already running. `force` (sipbridge sync) fetches the
     * config whatever its ETag, rewrites the files, reloads Kamailio and proves the reload.
     */
    syncNow: (options: { force?: boolean } = {}): Promise<void> => exclusive(options.force),
    /** The applied report the Worker has not taken yet (ETag and time), or null. */
    pendingReport: () => reporter.pending(),
    /** The lines' targets as Kamailio holds them now, with the state OPTIONS probing gave them. */
    targets: async (): Promise<TargetState[]> =>
      parseDispatcherTargets(await rpc.call('dispatcher.list')),
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      controller.abort();
      await running;
    },
  };
}
