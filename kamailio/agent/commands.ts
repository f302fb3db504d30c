// The agent's side of the command channel (docs/edge-protocol.md, "Commands"): polls the Worker's
// signed GET /v1/edge/commands, ends the call of each `hangup` through Kamailio's JSON-RPC, and
// reports the result signed. Nothing listens for commands: the agent asks.
import {
  createKamailioRpc,
  endCall,
  KamailioRpcConnectionError,
  KamailioRpcTimeoutError,
  type KamailioRpc,
} from 'kamailio-jsonrpc';
import {
  COMMAND_POLL_INTERVAL_MS,
  EdgeCommandListSchema,
  type CommandResult,
  type EdgeCommand,
} from '@sip-bridge/contract/edge-commands';
import type { Logger } from './log';
import { background, boundedSignal, sleep, systemTimers, type Timers } from './timers';
import { describeWorkerFailure, describeWorkerStatus, type WorkerClient } from './worker-client';

export interface CommandRunnerOptions {
  /** Kamailio's JSON-RPC URL (KAMAILIO_RPC_URL). */
  rpcUrl: string;
  /** How often the Worker is asked (EDGE_COMMANDS_INTERVAL_MS, default 1000). */
  intervalMs?: number;
}

export interface CommandsSnapshot {
  last_poll_at: string | null;
  executed: number;
  failed: number;
  last_error: string | null;
}

/** Time allowed for one poll or one result report. */
const REQUEST_TIMEOUT_MS = 3000;
/** Attempts to report one result (1 s apart): a result lost past these is failed by the Worker. */
const REPORT_ATTEMPTS = 5;
/** How many executed command ids the agent remembers, so none is executed twice. */
const SEEN_MEMORY = 1000;

/** Why Kamailio could not end the call, as the Worker records it. */
function failureOf(error: unknown): CommandResult {
  const unreachable =
    error instanceof KamailioRpcConnectionError || error instanceof KamailioRpcTimeoutError;
  return { status: 'failed', failure: unreachable ? 'kamailio_unreachable' : 'kamailio_error' };
}

/**
 * Starts polling for commands every `intervalMs` (a poll starts after the previous one and its
 * commands are done). Each command id is executed at most once, even if a Worker hands it out
 * again; its result is reported up to REPORT_ATTEMPTS times until the Worker acknowledges it.
 * @example
 * const runner = startCommandRunner({ rpcUrl }, { worker, log });
 * await runner.stop();
 */
export function startCommandRunner(
  options: CommandRunnerOptions,
  deps: {
    worker: Pick<WorkerClient, 'get' | 'post'>;
    log: Logger;
    rpc?: Pick<KamailioRpc, 'dialogs' | 'endDialog'>;
    timers?: Timers;
  },
) {
  const { worker, log } = deps;
  const timers = deps.timers ?? systemTimers;
  const rpc = deps.rpc ?? createKamailioRpc({ url: options.rpcUrl, timeoutMs: 2000 });
  const intervalMs = options.intervalMs ?? COMMAND_POLL_INTERVAL_MS;
  const stopping = new AbortController();
  const seen = new Set<string>();
  let lastPollAt: number | null = null;
  let lastError: string | null = null;
  let executed = 0;
  let failed = 0;
  let chain: Promise<void> = Promise.resolve();
  let timer: unknown;

  function noteError(error: string | null) {
    if (error && error !== lastError) log('error', 'commands.poll_failed', { error });
    if (!error && lastError) log('info', 'commands.recovered', {});
    lastError = error;
  }

  async function execute(command: EdgeCommand): Promise<CommandResult> {
    try {
      const outcome = await endCall(rpc, command.call_id);
      if (outcome.ended) return { status: 'done' };
      return { status: 'failed', failure: outcome.reason };
    } catch (error) {
      log('error', 'commands.kamailio_failed', {
        id: command.id,
        call_id: command.call_id,
        error: (error as Error).message,
      });
      return failureOf(error);
    }
  }

  async function report(command: EdgeCommand, result: CommandResult): Promise<void> {
    const path = `/v1/edge/commands/${encodeURIComponent(command.id)}/result`;
    for (let attempt = 1; attempt <= REPORT_ATTEMPTS && !stopping.signal.aborted; attempt++) {
      const bound = boundedSignal(stopping.signal, REQUEST_TIMEOUT_MS, timers);
      try {
        const res = await worker.post(path, result, bound.signal);
        // 200: recorded; 404 or 409: the Worker has its own answer (expired, say): stop either way.
        if (res.status === 200 || res.status === 404 || res.status === 409) {
          if (res.status !== 200) {
            log('warn', 'commands.result_refused', { id: command.id, status: res.status });
          }
          return;
        }
        log('warn', 'commands.report_failed', {
          id: command.id,
          error: describeWorkerStatus(res.status, res.body),
        });
      } catch (error) {
        log('warn', 'commands.report_failed', {
          id: command.id,
          error: describeWorkerFailure(error),
        });
      } finally {
        bound.done();
      }
      if (attempt < REPORT_ATTEMPTS) {
        await sleep(1000, { timers, signal: stopping.signal, background: true });
      }
    }
    log('error', 'commands.result_lost', { id: command.id, call_id: command.call_id });
  }

  async function poll(): Promise<void> {
    const bound = boundedSignal(stopping.signal, REQUEST_TIMEOUT_MS, timers);
    let commands: EdgeCommand[];
    try {
      const res = await worker.get('/v1/edge/commands', {}, bound.signal);
      if (res.status !== 200) return noteError(describeWorkerStatus(res.status, res.body));
      const parsed = EdgeCommandListSchema.safeParse(res.body);
      if (!parsed.success)
        return noteError('invalid: the Worker sent commands the agent cannot read');
      commands = parsed.data.commands;
    } catch (error) {
      if (stopping.signal.aborted) return;
      return noteError(describeWorkerFailure(error));
    } finally {
      bound.done();
    }
    noteError(null);
    lastPollAt = timers.now();
    for (const command of commands) {
      if (seen.has(command.id)) continue; // at most once, whatever the Worker sends again
      seen.add(command.id);
      if (seen.size > SEEN_MEMORY) seen.delete(seen.values().next().value!);
      const result = await execute(command);
      if (result.status === 'done') executed += 1;
      else failed += 1;
      log(result.status === 'done' ? 'info' : 'warn', 'commands.executed', {
        id: command.id,
        kind: command.kind,
        call_id: command.call_id,
        status: result.status,
        ...(result.status === 'failed' ? { failure: result.failure } : {}),
      });
      await report(command, result);
    }
  }

  const exclusive = () =>
    (chain = chain.then(poll).catch((error: unknown) => {
      noteError(`internal: ${(error as Error).message}`);
    }));

  function schedule(delay: number) {
    if (stopping.signal.aborted) return;
    timer = background(
      timers.setTimeout(() => {
        void exclusive().finally(() => schedule(intervalMs));
      }, delay),
    );
  }
  schedule(0);

  return {
    snapshot(): CommandsSnapshot {
      return {
        last_poll_at: lastPollAt === null ? null : new Date(lastPollAt).toISOString(),
        executed,
        failed,
        last_error: lastError,
      };
    },
    /** Polls now, after any poll already running (tests). */
    pollNow: (): Promise<void> => exclusive(),
    async stop(): Promise<void> {
      stopping.abort();
      timers.clearTimeout(timer);
      await chain;
    },
  };
}

export type CommandRunner = ReturnType<typeof startCommandRunner>;
