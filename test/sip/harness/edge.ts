import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createKamailioRpc, type KamailioRpc } from 'kamailio-jsonrpc';
import { retry } from '@sip-bridge/edge/agent/retry';
import { runCli } from '@sip-bridge/edge/renderer/command';
import { KAMAILIO, KEEP } from './tools';

export interface EdgeLine {
  slug: string;
  targets: string[];
  acl: string[];
  /** rtp (default) or secure (docs/secure-media.md). */
  media?: 'rtp' | 'secure';
  max_cps?: number;
  /** The renderer's per-line routing (mode, no_ringback_ms, no_answer_ms, max_concurrent_calls). */
  routing?: {
    mode?: 'sequential' | 'round_robin';
    no_ringback_ms?: number;
    no_answer_ms?: number;
    max_concurrent_calls?: number;
  };
}

export interface EdgeOptions {
  /** SIP on base (udp+tcp), JSON-RPC on base+20; keep suites apart by 100. */
  basePort: number;
  agentUrl: string;
  token: string;
  lines: EdgeLine[];
  limits?: Record<string, number>;
  /** Extra listen entries (e.g. IPv6). */
  listen?: { transport: string; address: string; port: number }[];
  /** The renderer's tls section (certificate, private_key, ca_list). */
  tls?: Record<string, string>;
  /** The renderer's caller_auth section (nonce_expire_seconds, failed_attempts, …). */
  callerAuth?: Record<string, number>;
}

export interface Edge {
  dir: string;
  sipPort: number;
  rpcPort: number;
  /** Kamailio's JSON-RPC, through the kamailio-jsonrpc client (`rpc.call()` for any method). */
  rpc: KamailioRpc;
  /**
   * Polls dlg.list (bounded) until a dialog is confirmed (answered and ACKed); throws unless
   * exactly one is.
   */
  answeredDialog(timeoutMs?: number): Promise<{ callId: string; hEntry: number; hId: number }>;
  /** Everything Kamailio logged so far. */
  log(): string;
  /** Stops Kamailio (its dialogs are lost, as in a crash) and starts it again on the same files. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Renders a config with the real CLI into a temp dir and runs Kamailio in the foreground. */
export async function startEdge(options: EdgeOptions): Promise<Edge> {
  const dir = mkdtempSync(join(tmpdir(), 'sipbridge-sip-'));
  const sipPort = options.basePort;
  const rpcPort = options.basePort + 20;
  const config = {
    listen: [
      { transport: 'udp', address: '127.0.0.1', port: sipPort },
      { transport: 'tcp', address: '127.0.0.1', port: sipPort },
      ...(options.listen ?? []),
    ],
    rpc: { address: '127.0.0.1', port: rpcPort },
    agent: { url: options.agentUrl, token_env: 'SIP_TEST_AGENT_TOKEN' },
    limits: {
      flood_requests: 500,
      async_workers: 4,
      event_workers: 2,
      sip_children: 2,
      shared_memory_mb: 128,
      target_timeout_ms: 1000,
      // Suites place calls faster than a real line would; the CPS test sets its own max_cps.
      cps_per_line: 0,
      // sipp scenarios do not expect in-dialog OPTIONS; the keepalive test turns them on.
      keepalive_seconds: 0,
      ...options.limits,
    },
    lines: options.lines.map((l) => ({ max_cps: 0, ...l })),
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.callerAuth ? { caller_auth: options.callerAuth } : {}),
  };
  const yamlFile = join(dir, 'sipbridge.yaml');
  writeFileSync(yamlFile, stringify(config));
  const out = join(dir, 'etc');
  const rendered = await runCli(['--config', yamlFile, '--out', out, '--kamailio', KAMAILIO], {
    ...process.env,
    SIP_TEST_AGENT_TOKEN: options.token,
  });
  if (rendered.code !== 0) throw new Error(`render failed:\n${rendered.stderr.join('\n')}`);

  const run = join(dir, 'run');
  mkdirSync(run);
  const args = [
    '-f',
    join(out, 'kamailio.cfg'),
    '-DD',
    '-E',
    '-Y',
    run,
    '-P',
    join(run, 'kamailio.pid'),
  ];
  let logText = '';
  const logFile = createWriteStream(join(dir, 'kamailio.log'));
  const collect = (chunk: Buffer) => {
    logFile.write(chunk);
    logText = (logText + chunk.toString('utf8')).slice(-4_000_000);
  };
  const spawnKamailio = () => {
    const started = spawn(KAMAILIO, [...args, '-m', '128', '-M', '16'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group: stop() ends Kamailio and all its children, nothing else
    });
    started.stdout!.on('data', collect);
    started.stderr!.on('data', collect);
    return started;
  };
  let child = spawnKamailio();
  const rpc = createKamailioRpc({ url: `http://127.0.0.1:${rpcPort}/RPC` });
  const exited = () => new Error(`kamailio exited (${child.exitCode}):\n${logText}`);
  /** Resolves once Kamailio answers JSON-RPC (bounded); throws at once if it exited. */
  const ready = () =>
    retry(
      async () => {
        if (child.exitCode !== null) throw exited();
        await rpc.coreVersion();
      },
      { delay: 100, withinMs: 10_000, retryIf: () => child.exitCode === null },
    ).catch((error: Error) => {
      if (child.exitCode !== null) throw exited();
      throw new Error(`kamailio not answering JSON-RPC after 10 s (${error.message})`, {
        cause: error,
      });
    });

  const edge: Edge = {
    dir,
    sipPort,
    rpcPort,
    rpc,
    async answeredDialog(timeoutMs = 3000) {
      const notYet = new Error('no answered dialog yet');
      const answered = async () => {
        const up = (await rpc.dialogs()).filter((d) => d.state === 4);
        if (up.length > 1) throw new Error(`${up.length} answered dialogs: ${JSON.stringify(up)}`);
        if (up.length === 0) throw notYet;
        return { callId: up[0]!.callId, hEntry: up[0]!.hEntry, hId: up[0]!.hId };
      };
      try {
        return await retry(answered, {
          delay: 50,
          withinMs: timeoutMs,
          retryIf: (e) => e === notYet,
        });
      } catch (error) {
        if (error !== notYet) throw error;
        throw new Error(`no answered dialog after ${timeoutMs} ms\n${logText.slice(-2000)}`, {
          cause: error,
        });
      }
    },
    log: () => logText,
    async restart() {
      await stopGroup(child);
      child = spawnKamailio();
      await ready();
    },
    stop: () =>
      stopGroup(child).finally(() => {
        logFile.end();
        if (!KEEP) rmSync(dir, { recursive: true, force: true });
      }),
  };
  try {
    await ready();
  } catch (error) {
    await edge.stop();
    throw error;
  }
  return edge;
}

/** SIGTERM to the process group this harness created, SIGKILL after 3 s. */
export async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}
