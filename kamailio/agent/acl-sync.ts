import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createKamailioRpc, KamailioRpcError, type KamailioRpc } from 'kamailio-jsonrpc';
import { renderAddressList, type LineIds } from '../renderer/files';
import { writeFilesAtomic } from '../renderer/write-atomic';
import { cidrContains, parseCidr, type Cidr } from '@sip-bridge/contract/cidr';
import {
  canonicalIp,
  EDGE_CONFIG_PATH,
  parseAddressList,
  rowKey,
  SyncError,
  validateEdgeConfig,
  type Row,
} from './edge-config';
import type { Logger } from './log';
import {
  createLineSync,
  lineIdsFor,
  LineSyncError,
  type EdgeLine,
  type LineRpc,
} from './line-sync';
import type { AgentMetrics } from './metrics';
import { blocklistKeys, createBlocklistSync, type BlocklistRpc } from './blocklist-sync';
import { describeWorkerFailure, describeWorkerStatus, type WorkerClient } from './worker-client';

export interface AclSyncOptions {
  /** How often the Worker's edge config is polled (EDGE_ACL_SYNC_INTERVAL_MS, default 2000). */
  intervalMs?: number;
  /** The renderer's --out directory: holds address.list and line-ids.json (EDGE_ACL_SYNC_DIR). */
  renderDir: string;
  /** Kamailio's JSON-RPC URL (KAMAILIO_RPC_URL), e.g. http://127.0.0.1:5080/RPC. */
  rpcUrl: string;
  /** Longest wait for permissions' reload_delta (5 s) to let a reload through. Default 8000. */
  reloadWaitMs?: number;
  /** Tests only: replaces renderAddressList (to write something Kamailio skips). */
  render?: (lines: { slug: string; acl: string[] }[], ids: LineIds) => string;
}

/** The parts of the Kamailio JSON-RPC client the sync needs (a fake in unit tests). */
export type AclRpc = Pick<
  KamailioRpc,
  'addressReload' | 'addressDump' | 'subnetDump' | 'coreUptime'
> &
  LineRpc &
  BlocklistRpc;

export interface AclSnapshot {
  last_sync_at: string | null;
  etag: string | null;
  entries: number;
  last_error: string | null;
  /** Lines Kamailio routes (dispatcher sets) from the last good sync. */
  lines: number;
}

/**
 * Keeps Kamailio's address file in step with the Worker's edge config: polls it with
 * If-None-Match, renders address.list with the persisted line ids, writes it atomically, reloads
 * permissions over JSON-RPC and proves the reload with addressDump/subnetDump. On any mismatch or
 * reload error the previous file is put back and reloaded. Reloads never touch dialogs in flight.
 * @example
 * const sync = startAclSync({ renderDir: '/etc/kamailio/sipbridge', rpcUrl }, { worker, log });
 * sync.snapshot(); // { last_sync_at, etag, entries, last_error }
 * await sync.stop();
 */
export function startAclSync(
  options: AclSyncOptions,
  deps: {
    worker: WorkerClient;
    log: Logger;
    rpc?: AclRpc;
    now?: () => number;
    metrics?: Pick<AgentMetrics, 'aclSynced' | 'aclFailed' | 'workerError'>;
  },
) {
  const { worker, log, metrics } = deps;
  const now = deps.now ?? Date.now;
  const rpc: AclRpc = deps.rpc ?? createKamailioRpc({ url: options.rpcUrl, timeoutMs: 3000 });
  const intervalMs = options.intervalMs ?? 2000;
  const reloadWaitMs = options.reloadWaitMs ?? 8000;
  const render =
    options.render ?? ((lines, ids) => renderAddressList(lines, ids, 'the Worker edge config'));
  const addressFile = join(options.renderDir, 'address.list');

  const lineSync = createLineSync(options.renderDir, rpc, () =>
    reload(() => rpc.call('dispatcher.reload')),
  );
  const blocklist = createBlocklistSync(options.renderDir, rpc);
  let lineCount = 0;
  let appliedEtag: string | null = null;
  /** The networks Kamailio has loaded, per line, most specific first. */
  let loadedAcl = new Map<string, Cidr[]>();
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
  const controller = new AbortController();

  /** Waits `ms`, or less when stopped; leaves no listener behind (the agent runs for months). */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        controller.signal.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      controller.signal.addEventListener('abort', done, { once: true });
    });

  /**
   * permissions (and dispatcher) refuse a reload within reload_delta of the last one: wait and
   * try again.
   */
  async function reload(run: () => Promise<unknown> = () => rpc.addressReload()): Promise<void> {
    const deadline = now() + reloadWaitMs;
    for (;;) {
      try {
        return void (await run());
      } catch (err) {
        // permissions says "ongoing reload", dispatcher "Ongoing reload".
        const ongoing =
          err instanceof KamailioRpcError && /^ongoing reload$/i.test(err.kamailioMessage);
        if (!ongoing || now() > deadline || stopped) throw err;
      }
      await sleep(250);
    }
  }

  async function loaded(): Promise<Row[]> {
    const [addresses, subnets] = await Promise.all([rpc.addressDump(), rpc.subnetDump()]);
    return [
      ...addresses.map((a) => ({ ...a, mask: a.ip.includes(':') ? 128 : 32 })),
      ...subnets,
    ].map((r) => ({ ...r, tag: r.tag ?? '', ip: canonicalIp(r.ip, r.mask) }));
  }

  async function writeAddressList(content: string) {
    await writeFilesAtomic(options.renderDir, [{ name: 'address.list', content, mode: 0o644 }]);
  }

  /** Writes, reloads and proves; `reloaded` is false when the file already said the same. */
  async function apply(
    lines: EdgeLine[],
    force: boolean,
  ): Promise<{ count: number; reloaded: boolean }> {
    // Lines first (ids, targets, limits), so a source is never admitted to a line with no target.
    const ids = await lineIdsFor(
      options.renderDir,
      lines.map((l) => l.slug),
    );
    const routed = await lineSync.apply(lines, ids, force);
    // The block list before the ACL: a caller newly admitted is never admitted unblocked.
    const blocked = await blocklist.apply(blocklistKeys(lines), force);
    const content = render(lines, ids);
    const expected = parseAddressList(content)
      .map((r) => ({ ...r, ip: canonicalIp(r.ip, r.mask) }))
      .map(rowKey)
      .sort();
    const previous = await readFile(addressFile, 'utf8');
    const reloading = force || previous !== content;
    if (reloading) {
      await writeAddressList(content);
      try {
        await reload();
        const got = (await loaded()).map(rowKey).sort();
        if (got.join('\n') !== expected.join('\n')) {
          const missing = expected.filter((k) => !got.includes(k));
          const extra = got.filter((k) => !expected.includes(k));
          throw new SyncError(
            `Kamailio loaded ${got.length} of ${expected.length} entries` +
              (missing.length ? `; missing: ${missing.join(', ')}` : '') +
              (extra.length ? `; unexpected: ${extra.join(', ')}` : ''),
            true,
          );
        }
      } catch (err) {
        await writeAddressList(previous);
        try {
          await reload();
        } catch (restoreErr) {
          log('error', 'acl.restore_reload_failed', { error: (restoreErr as Error).message });
        }
        throw err;
      }
    }
    loadedAcl = new Map(
      lines.map((line) => [
        line.slug,
        line.acl
          .map((text) => parseCidr(text))
          .flatMap((r) => (r.ok ? [r.cidr] : []))
          .sort((a, b) => b.prefix - a.prefix),
      ]),
    );
    lineCount = lines.length;
    return {
      count: expected.length,
      reloaded: reloading || routed.reloaded || blocked.reloaded,
    };
  }

  /** One poll; `force` ignores the ETags and reloads and proves even an unchanged file. */
  async function syncOnce(forced: boolean): Promise<void> {
    // A restarted Kamailio lost what lives only in memory (the linecps htable): apply it all again.
    const restarted = await kamailioRestarted();
    const force = forced || restarted;
    if (restarted) log('info', 'acl.kamailio_restarted', { resync: true });
    const etags = force ? [] : [appliedEtag, rejectedEtag].filter((e): e is string => e !== null);
    let res;
    // Per-poll signal (AbortSignal.any would add a listener to the stop signal on every poll).
    const poll = new AbortController();
    const abortPoll = () => poll.abort();
    const timeout = setTimeout(() => poll.abort(new DOMException('timeout', 'TimeoutError')), 5000);
    controller.signal.addEventListener('abort', abortPoll, { once: true });
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
      clearTimeout(timeout);
      controller.signal.removeEventListener('abort', abortPoll);
    }
    if (res.status === 304) return;
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
    } catch (err) {
      const permanent = (err instanceof SyncError || err instanceof LineSyncError) && err.permanent;
      fail((err as Error).message, permanent ? etag : null);
    }
  }

  /**
   * True once per Kamailio restart seen (core.uptime's up_since changed). The first answer only
   * sets the baseline; when Kamailio cannot be asked, the poll goes on (the reload will say why).
   */
  let upSince: string | null = null;
  async function kamailioRestarted(): Promise<boolean> {
    let now: string;
    try {
      now = (await rpc.coreUptime()).up_since;
    } catch {
      return false;
    }
    const restarted = upSince !== null && upSince !== now;
    upSince = now;
    return restarted;
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
    /**
     * The ACL entry that admitted `ip` on `line` (the most specific), for the call record:
     * Kamailio's permissions module tells the group, not the network.
     */
    entryFor(line: string, ip: string): string | null {
      return loadedAcl.get(line)?.find((cidr) => cidrContains(cidr, ip))?.text ?? null;
    },
    snapshot(): AclSnapshot {
      return {
        last_sync_at: lastSyncAt === null ? null : new Date(lastSyncAt).toISOString(),
        etag: appliedEtag,
        entries,
        last_error: lastError,
        lines: lineCount,
      };
    },
    /**
     * Runs one poll now, after any poll already running. `force` (sipbridge sync) fetches the
     * config whatever its ETag, rewrites the file, reloads Kamailio and proves the reload.
     */
    syncNow: (options: { force?: boolean } = {}): Promise<void> => exclusive(options.force),
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      controller.abort();
      await running;
    },
  };
}

export type AclSync = ReturnType<typeof startAclSync>;
