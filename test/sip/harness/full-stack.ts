import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from 'hono/jwt';
import type { EdgeConfigSyncOptions } from '@sip-bridge/edge/agent/edge-config-sync';
import { startEdgeAgent } from '@sip-bridge/edge/agent/server';
import type { Logger } from '@sip-bridge/edge/agent/log';
import type { HealthReport } from '@sip-bridge/edge/agent/health';
import {
  randomWorkerSecrets,
  startLocalWorker,
  type LocalWorker,
} from '../../../scripts/lib/local-worker.mjs';
import type { CallRecord } from '@sip-bridge/contract/calls';
import { startZendeskStandin, type RunningStandin } from '@sip-bridge/zendesk-standin/server';
import { startEdge, type Edge } from './edge';
import { createSippPool, type SippPool } from './sipp-pool';
import { workerAdmin } from './worker-admin';
import { KEEP } from './tools';

/**
 * The whole path on loopback, nothing faked but Zendesk: sipp → Kamailio (rendered by the real
 * CLI) → the real edge agent (in this process) → the real Worker (wrangler dev, local D1) → the
 * Zendesk REST stand-in (in this process). Ports: SIP base, RPC base+20, UAC base+30..69,
 * UAS base+70.., agent base+90; the Worker and the stand-in take free ports.
 */
export interface FullStackLine {
  slug: string;
  /** Source networks, in both Kamailio's address file and the Worker's line. */
  acl: string[];
  /** Extra Worker line settings (`invalid_ticket`, `call_summary`, …). */
  settings?: Record<string, unknown>;
}

type RunningAgent = Awaited<ReturnType<typeof startEdgeAgent>>;

export interface FullStack extends SippPool {
  edge: Edge;
  secrets: Record<'EDGE_SECRET' | 'ADMIN_TOKEN' | 'APP_JWT_SECRET' | 'ZENDESK_API_TOKEN', string>;
  workerUrl: string;
  standinUrl: string;
  /** The bearer token Kamailio sends the agent (rendered into its config). */
  agentToken: string;
  /** The agent instance serving Kamailio now (throws while it is stopped). */
  agent(): RunningAgent;
  /** The agent's GET /health, over HTTP as a monitor would read it. */
  agentHealth(): Promise<HealthReport>;
  stopAgent(): Promise<void>;
  /** A new agent instance on the same port and spool directory. */
  startAgent(): Promise<RunningAgent>;
  /** Stops wrangler dev; the port then refuses connections. */
  stopWorker(): Promise<void>;
  /**
   * Stops wrangler dev and leaves a hung Worker on its port: connections are accepted and never
   * answered (a stuck isolate or a black-holed network), so every request runs into its timeout.
   */
  hangWorker(): Promise<void>;
  /** wrangler dev again on the same port and persist directory (same D1). */
  startWorker(): Promise<void>;
  /** Admin-token request to the Worker. */
  admin<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  /** Every call record, following the export's cursor to the end. */
  exportCalls(): Promise<CallRecord[]>;
  /**
   * One decision the Worker answers without Zendesk (a withheld caller), through the agent: the
   * first requests to a fresh wrangler dev are slow, and the first SIP call must stay in budget.
   */
  warmUp(line: string): Promise<void>;
  /** Polls the export (bounded) until each Call-ID has a record that `done` accepts. */
  waitForRecords(
    callIds: string[],
    done: (record: CallRecord) => boolean,
    timeoutMs?: number,
  ): Promise<Map<string, CallRecord>>;
  /** A short-lived sidebar-app JWT (what Zendesk's proxy signs). */
  appJwt(): Promise<string>;
  /** POST /__standin/faults (replaces all faults; `{}` clears them). */
  zendeskFaults(faults: Record<string, unknown>): Promise<void>;
  /** The stand-in's URL and API credentials (what the sidebar's ZAF harness proxies with). */
  zendesk: { url: string; email: string; apiToken: string };
  /** GET /__standin/state. */
  zendeskState(): Promise<{
    tickets: { id: number; subject: string | null; requester_id: number; tags: string[] }[];
    comments: Record<string, { body: string; public: boolean; type: string }[]>;
  }>;
  /** GET /__standin/requests: every /api/v2 request the stand-in was sent, oldest first. */
  zendeskRequests(): Promise<{ method: string; path: string; status?: number }[]>;
  target(n: number): string;
  /** The agent's last log lines (for failure messages); only those naming `callId` if given. */
  agentLog(callId?: string): string;
  stop(): Promise<void>;
}

/** Terminal and fully derived: what the export shows once every event was applied. */
export const recordSettled = (r: CallRecord) =>
  r.final.code !== null && (r.status !== 'completed' || r.timeline.answered_at !== null);

interface ExportPage {
  calls: CallRecord[];
  after_cursor: string;
  end_of_stream: boolean;
}

export interface FullStackOptions {
  /**
   * Runs the agent's ACL sync against this edge's render dir and JSON-RPC (the edge then starts
   * before the agent, since the agent needs its directory).
   */
  aclSync?: Omit<EdgeConfigSyncOptions, 'renderDir' | 'rpcUrl'>;
  /** Runs the agent's reconciler against this edge's JSON-RPC, every `intervalMs`. */
  reconcile?: { intervalMs: number };
  /** Polls the Worker for commands (an admin's hang-up) every `intervalMs`, run over this edge's JSON-RPC. */
  commands?: { intervalMs: number };
  /** Kamailio limits (sipbridge.yaml `limits:`) over the harness defaults. */
  limits?: Record<string, number>;
  /** Extra listen entries and the tls section for Kamailio (a TLS listener). */
  listen?: { transport: string; address: string; port: number }[];
  tls?: Record<string, string>;
  /** wrangler dev serves GET /__scheduled: the suite runs the Worker's cron (phone index sync). */
  scheduled?: boolean;
}

export async function startFullStack(
  base: number,
  lines: FullStackLine[],
  options: FullStackOptions = {},
): Promise<FullStack> {
  const secrets = randomWorkerSecrets('full-path-token');
  const token = randomBytes(18).toString('base64url');
  const agentPort = base + 90;
  const target = (n: number) => `sip:zendesk@127.0.0.1:${base + 70 + n}`;
  const persistTo = mkdtempSync(join(tmpdir(), 'sipbridge-full-d1-'));
  const spoolDir = mkdtempSync(join(tmpdir(), 'sipbridge-full-spool-'));

  const logLines: string[] = [];
  const log: Logger = (level, event, fields = {}) => {
    logLines.push(`${new Date().toISOString()} ${level} ${event} ${JSON.stringify(fields)}`);
    if (logLines.length > 200) logLines.shift();
  };

  let standin: RunningStandin | undefined;
  let worker: LocalWorker | undefined;
  let workerPort = 0;
  let agent: RunningAgent | undefined;
  let edge: Edge | undefined;
  let hung: { server: Server; sockets: Set<Socket> } | undefined;
  const closeHung = async () => {
    if (!hung) return;
    const { server, sockets } = hung;
    hung = undefined;
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const sipps = createSippPool(base);

  /** Stops everything this harness started, each step even when an earlier one failed. */
  const stopAll = async () => {
    const steps: (() => Promise<unknown> | undefined)[] = [
      () => sipps.stop(),
      () => edge?.stop(),
      () => agent?.close(),
      () => worker?.stop(),
      closeHung,
      () => standin?.close(),
    ];
    for (const step of steps) await Promise.resolve(step()).catch(() => undefined);
    agent = undefined;
    worker = undefined;
    if (!KEEP) {
      rmSync(persistTo, { recursive: true, force: true });
      rmSync(spoolDir, { recursive: true, force: true });
    }
  };

  const startWorker = async () => {
    await closeHung();
    const started = await startLocalWorker({
      ...(workerPort ? { port: workerPort } : {}),
      ...(options.scheduled ? { testScheduled: true } : {}),
      persistTo,
      vars: {
        ...secrets,
        ZENDESK_BASE_URL: standin!.url,
        ZENDESK_REQUESTS_PER_MINUTE: '100000',
        // Notes are sent at once: the suites wait for them (note-linger.test.ts covers the linger).
        NOTE_LINGER_MS: '0',
      },
    });
    worker = started;
    // The port wrangler got, kept so a restart comes back where the agent looks for it.
    workerPort = Number(new URL(started.url).port);
  };

  const startAgent = async () => {
    if (agent) throw new Error('an agent is already running');
    agent = await startEdgeAgent({
      port: agentPort,
      token,
      workerUrl: `http://127.0.0.1:${workerPort}`,
      edgeSecret: secrets.EDGE_SECRET,
      spoolDir,
      // Below Kamailio's 1 s http_client timeout, as in production (DECISION_BUDGET_MS).
      budgetMs: 800,
      // Threshold as in production; a longer cool-down than its 1 s, so calls see the breaker open
      // while the Worker hangs (the agent's /health probe still closes it once the Worker answers).
      breaker: { failureThreshold: 5, coolDownMs: 4000 },
      delivery: { backoff: { initialMs: 100, maxMs: 500 } },
      ...(options.aclSync && edge
        ? {
            aclSync: {
              ...options.aclSync,
              renderDir: join(edge.dir, 'etc'),
              rpcUrl: `http://127.0.0.1:${base + 20}/RPC`,
            },
          }
        : {}),
      ...(options.reconcile
        ? {
            reconcile: {
              ...options.reconcile,
              rpcUrl: `http://127.0.0.1:${base + 20}/RPC`,
            },
          }
        : {}),
      ...(options.commands
        ? { commands: { ...options.commands, rpcUrl: `http://127.0.0.1:${base + 20}/RPC` } }
        : {}),
      log,
    });
    return agent;
  };

  const workerUrl = () => `http://127.0.0.1:${workerPort}`;
  const admin = workerAdmin(workerUrl, secrets.ADMIN_TOKEN);

  const exportCalls = async () => {
    const calls: CallRecord[] = [];
    let path = '/v1/reports/calls/export?start_time=0';
    for (let page = 0; page < 20; page++) {
      const res = await admin<ExportPage>('GET', path);
      if (res.status !== 200) throw new Error(`export: ${res.status} ${JSON.stringify(res.body)}`);
      calls.push(...res.body.calls);
      if (res.body.end_of_stream) return calls;
      path = `/v1/reports/calls/export?cursor=${res.body.after_cursor}`;
    }
    throw new Error('export: more than 20 pages');
  };

  try {
    standin = await startZendeskStandin({
      port: 0,
      log: false,
      apiToken: secrets.ZENDESK_API_TOKEN,
    });
    await startWorker();
    for (const line of lines) {
      const res = await admin<unknown>('POST', '/v1/admin/lines', {
        slug: line.slug,
        name: `Full path ${line.slug}`,
        sip_targets: [target(0)],
        default_country: 'US',
        acl: line.acl.map((cidr) => ({ cidr })),
        ...line.settings,
      });
      if (res.status !== 201) throw new Error(`line ${line.slug}: ${JSON.stringify(res.body)}`);
    }
    const startKamailio = () =>
      startEdge({
        basePort: base,
        agentUrl: `http://127.0.0.1:${agentPort}`,
        token,
        lines: lines.map((l) => ({ slug: l.slug, targets: [target(0)], acl: l.acl })),
        ...(options.limits ? { limits: options.limits } : {}),
        ...(options.listen ? { listen: options.listen } : {}),
        ...(options.tls ? { tls: options.tls } : {}),
      });
    if (options.aclSync) {
      edge = await startKamailio();
      await startAgent();
    } else {
      await startAgent();
      edge = await startKamailio();
    }
  } catch (error) {
    await stopAll();
    throw error;
  }

  return {
    edge,
    secrets,
    workerUrl: workerUrl(),
    standinUrl: standin.url,
    agentToken: token,
    agent() {
      if (!agent) throw new Error('the agent is stopped');
      return agent;
    },
    async agentHealth() {
      const res = await fetch(`http://127.0.0.1:${agentPort}/health`, {
        signal: AbortSignal.timeout(2000),
      });
      return (await res.json()) as HealthReport;
    },
    async stopAgent() {
      await agent?.close();
      agent = undefined;
    },
    startAgent,
    async stopWorker() {
      await worker?.stop();
      worker = undefined;
    },
    async hangWorker() {
      await worker?.stop();
      worker = undefined;
      const sockets = new Set<Socket>();
      const server = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => {});
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(workerPort, '127.0.0.1', () => resolve());
      });
      hung = { server, sockets };
    },
    startWorker,
    admin,
    exportCalls,
    async warmUp(line) {
      const res = await fetch(`http://127.0.0.1:${agentPort}/v1/decide`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({
          call_id: `warmup-${Date.now()}@127.0.0.1`,
          line,
          source: { ip: '127.0.0.1', port: 5060, transport: 'udp' },
          acl_entry: '',
          sip: {
            from: '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=w',
            to: '<sip:zendesk@127.0.0.1>',
            request_uri: 'sip:zendesk@127.0.0.1',
            p_asserted_identity: '',
            user_agent: '',
          },
          ticket_id: '',
          codecs: ['PCMU'],
        }),
        signal: AbortSignal.timeout(30_000),
      });
      if (res.status !== 200)
        throw new Error(`warm-up decision: ${res.status} ${await res.text()}`);
    },
    async waitForRecords(callIds, done, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let found = new Map<string, CallRecord>();
      for (;;) {
        try {
          found = new Map(
            (await exportCalls())
              .filter((c) => callIds.includes(c.call_id))
              .map((c) => [c.call_id, c]),
          );
          if (callIds.every((id) => found.has(id) && done(found.get(id)!))) return found;
        } catch {
          // the Worker may still be starting
        }
        if (Date.now() > deadline) {
          const missing = callIds.filter((id) => !found.has(id) || !done(found.get(id)!));
          throw new Error(
            `records not complete after ${timeoutMs} ms: ${missing.join(', ')}\n` +
              `${JSON.stringify(
                missing.map((id) => found.get(id) ?? id),
                null,
                1,
              )}\n--- agent ---\n${logLines.slice(-30).join('\n')}`,
          );
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    appJwt: () =>
      sign(
        { aud: 'sip-bridge-api', sub: 'agent-1', exp: Math.floor(Date.now() / 1000) + 600 },
        secrets.APP_JWT_SECRET,
      ),
    async zendeskFaults(faults) {
      const res = await fetch(`${standin.url}/__standin/faults`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(faults),
      });
      if (res.status !== 200) throw new Error(`faults: ${res.status} ${await res.text()}`);
    },
    zendesk: {
      url: standin.url,
      email: standin.standin.options.email,
      apiToken: secrets.ZENDESK_API_TOKEN,
    },
    async zendeskState() {
      return (await (await fetch(`${standin.url}/__standin/state`)).json()) as never;
    },
    async zendeskRequests() {
      const res = await fetch(`${standin.url}/__standin/requests`);
      return ((await res.json()) as { requests: never[] }).requests;
    },
    target,
    uas: sipps.uas,
    uac: sipps.uac,
    agentLog: (callId) =>
      logLines.filter((l) => callId === undefined || l.includes(callId)).join('\n'),
    stop: stopAll,
  };
}

export { callIdOf } from './sipp';
