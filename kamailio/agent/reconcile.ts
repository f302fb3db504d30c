import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKamailioRpc, isAnswered, type KamailioRpc } from 'kamailio-jsonrpc';
import { writeFilesAtomic } from '../renderer/write-atomic';
import type { Logger } from './log';
import type { AgentMetrics } from './metrics';
import { CallFactsSchema, type CallEvent, type CallFacts } from './schemas';

export interface ReconcileOptions {
  /** Kamailio's JSON-RPC URL (KAMAILIO_RPC_URL). */
  rpcUrl: string;
  /** How often dlg.list is read (EDGE_RECONCILE_INTERVAL_MS, default 60000). */
  intervalMs?: number;
  /** Where the open calls are kept across agent restarts (open-calls.json; the spool dir). */
  stateDir: string;
}

/** What the reconciler reports as the end of a call whose dialog the proxy no longer has. */
export const RECONCILED_REASON = 'reconciled: the proxy no longer tracks this dialog';

/** Scans in a row a call must be missing from dlg.list before it is reported ended. */
const MISSING_SCANS = 2;
/** How many ended Call-IDs the reconciler remembers (late "answered" events; minutes of calls). */
const ENDED_MEMORY = 10_000;

interface OpenCall {
  answeredAt: number;
  call?: CallFacts;
  missing: number;
}

export interface ReconcileSnapshot {
  last_scan_at: string | null;
  open_calls: number;
  reconciled: number;
  last_error: string | null;
}

function parseCall(text: string | undefined): CallFacts | undefined {
  if (!text) return undefined;
  try {
    const parsed = CallFactsSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Makes sure no call stays "in progress" at the Worker forever. The agent follows every answered
 * call through the events it spools; each scan reads Kamailio's dialogs (dlg.list), and a call
 * whose dialog is missing from two scans in a row without an ended, failed or cancelled event
 * (Kamailio restarted, or its event never reached the agent) is reported ended by the proxy with
 * RECONCILED_REASON. Dialogs whose BYE was lost while Kamailio still tracks them are ended by
 * Kamailio itself (in-dialog keepalives, limits.keepalive_seconds), which reports them as ended.
 * The open calls survive agent restarts in `open-calls.json`.
 * @example
 * const r = startReconciler({ rpcUrl, stateDir }, { append: (e) => spool.append(e), log });
 * r.noteEvent(event); // after each spooled event
 * await r.stop();
 */
export function startReconciler(
  options: ReconcileOptions,
  deps: {
    append: (event: CallEvent) => Promise<void>;
    log: Logger;
    rpc?: Pick<KamailioRpc, 'dialogs'>;
    metrics?: Pick<AgentMetrics, 'reconciled'>;
    now?: () => number;
  },
) {
  const { log, metrics } = deps;
  const now = deps.now ?? Date.now;
  const rpc = deps.rpc ?? createKamailioRpc({ url: options.rpcUrl, timeoutMs: 5000 });
  const intervalMs = options.intervalMs ?? 60_000;
  const stateFile = 'open-calls.json';
  const open = loadOpenCalls(join(options.stateDir, stateFile), log);
  let saved = JSON.stringify([...open.keys()].sort());
  let lastScanAt: number | null = null;
  let lastError: string | null = null;
  let reconciled = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  // Calls that ended lately, oldest first: an "answered" arriving after its end must not reopen one.
  const ended = new Set<string>();

  async function save() {
    const keys = JSON.stringify([...open.keys()].sort());
    if (keys === saved) return;
    const content = JSON.stringify(
      [...open].map(([call_id, c]) => ({ call_id, answered_at: c.answeredAt, call: c.call })),
    );
    await writeFilesAtomic(options.stateDir, [{ name: stateFile, content, mode: 0o600 }]);
    saved = keys;
  }

  async function scan(): Promise<void> {
    let dialogs;
    try {
      dialogs = await rpc.dialogs();
    } catch (err) {
      const message = `kamailio: ${(err as Error).message}`;
      if (message !== lastError) log('error', 'reconcile.scan_failed', { error: message });
      lastError = message;
      return;
    }
    if (lastError) log('info', 'reconcile.recovered', {});
    lastError = null;
    lastScanAt = now();
    const live = new Set(dialogs.map((d) => d.callId));
    // Calls answered while the agent was not listening are followed from here on.
    for (const d of dialogs) {
      if (!isAnswered(d) || open.has(d.callId)) continue;
      open.set(d.callId, {
        answeredAt: d.startTs > 0 ? d.startTs * 1000 : now(),
        call: parseCall(d.variables.call),
        missing: 0,
      });
    }
    for (const [callId, c] of open) {
      if (live.has(callId)) {
        c.missing = 0;
        continue;
      }
      c.missing += 1;
      if (c.missing < MISSING_SCANS) continue;
      const event: CallEvent = {
        call_id: callId,
        kind: 'ended',
        at: new Date(now()).toISOString(),
        ended_by: 'proxy',
        reason: RECONCILED_REASON,
        ...(c.call ? { call: c.call } : {}),
      };
      try {
        await deps.append(event);
      } catch (err) {
        log('error', 'reconcile.spool_failed', { call_id: callId, error: (err as Error).message });
        continue; // tried again at the next scan
      }
      open.delete(callId);
      reconciled += 1;
      metrics?.reconciled();
      log('warn', 'reconcile.ended', {
        call_id: callId,
        line: c.call?.line ?? null,
        answered_at: new Date(c.answeredAt).toISOString(),
      });
    }
    await save().catch((err: unknown) =>
      log('error', 'reconcile.save_failed', { error: (err as Error).message }),
    );
  }

  const exclusive = () =>
    (chain = chain.then(scan).catch((err: unknown) => {
      lastError = `internal: ${(err as Error).message}`;
      log('error', 'reconcile.scan_failed', { error: lastError });
    }));

  function schedule(delay: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      void exclusive().finally(() => schedule(intervalMs));
    }, delay);
    timer.unref();
  }
  // The first scan soon after start (it also picks up calls answered before the agent started).
  schedule(Math.min(intervalMs, 5000));

  return {
    /** Follows a spooled event: answered opens a call, ended, failed and cancelled close it. */
    noteEvent(event: CallEvent): void {
      if (event.kind === 'answered') {
        if (!open.has(event.call_id) && !ended.has(event.call_id)) {
          open.set(event.call_id, {
            answeredAt: Date.parse(event.at),
            call: event.call,
            missing: 0,
          });
        }
      } else {
        open.delete(event.call_id);
        ended.add(event.call_id);
        if (ended.size > ENDED_MEMORY) ended.delete(ended.values().next().value!);
      }
    },
    snapshot(): ReconcileSnapshot {
      return {
        last_scan_at: lastScanAt === null ? null : new Date(lastScanAt).toISOString(),
        open_calls: open.size,
        reconciled,
        last_error: lastError,
      };
    },
    /** Runs one scan now, after any scan already running (tests). */
    scanNow: (): Promise<void> => exclusive(),
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await chain;
      await save().catch(() => undefined);
    },
  };
}

export type Reconciler = ReturnType<typeof startReconciler>;

function loadOpenCalls(file: string, log: Logger): Map<string, OpenCall> {
  const open = new Map<string, OpenCall>();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return open; // first start
  }
  try {
    const rows = JSON.parse(text) as { call_id: string; answered_at: number; call?: unknown }[];
    for (const row of rows) {
      if (typeof row.call_id !== 'string' || typeof row.answered_at !== 'number') continue;
      const call = CallFactsSchema.safeParse(row.call);
      open.set(row.call_id, {
        answeredAt: row.answered_at,
        call: call.success ? call.data : undefined,
        missing: 0,
      });
    }
  } catch (err) {
    log('error', 'reconcile.state_unreadable', { file, error: (err as Error).message });
  }
  return open;
}
