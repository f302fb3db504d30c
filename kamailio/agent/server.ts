import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { BreakerOptions } from './breaker';
import { createDecider, REFUSED_ANSWER } from './decide';
import { startDelivery, type DeliveryOptions } from './deliver';
import { startEdgeConfigSync, type EdgeConfigSyncOptions } from './edge-config-sync';
import { createWorkerStatus, healthReport, reportingFailures } from './health';
import {
  bearerMatches,
  kamailioCredentialsMatch,
  readJsonBody,
  sendError,
  sendJson,
} from './http-io';
import { createLogger, type Logger } from './log';
import type { TargetState } from './dispatcher-targets';
import { createAgentMetrics } from './metrics';
import { startReconciler, type ReconcileOptions } from './reconcile';
import { startCommandRunner, type CommandRunnerOptions } from './commands';
import { CallFactsSchema, KamailioEventSchema, describeIssues, type CallEvent } from './schemas';
import { Spool, SpoolFullError, type SpoolOptions } from './spool';
import type { Timers } from './timers';
import { createWorkerClient } from './worker-client';

/** Largest body Kamailio may send: one INVITE's facts or one event fit easily. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface EdgeAgentOptions {
  /** Listen address; loopback, because only Kamailio on this host talks to the agent. */
  host?: string;
  /** 0 picks a free port (tests). */
  port?: number;
  /** EDGE_AGENT_TOKEN: the bearer token Kamailio (and the sipbridge CLI) sends. */
  token: string;
  /** EDGE_METRICS_TOKEN: the bearer token Prometheus sends for /metrics; default `token`. */
  metricsToken?: string;
  workerUrl: string;
  /** EDGE_SECRET, shared with the Worker. */
  edgeSecret: string;
  spoolDir: string;
  /** DECISION_BUDGET_MS: the longest the agent takes to answer /v1/decide. */
  budgetMs?: number;
  /** How often /health is asked while the breaker is open (default 500 ms; 0: never). */
  probeIntervalMs?: number;
  breaker?: Pick<BreakerOptions, 'failureThreshold' | 'coolDownMs'>;
  delivery?: Pick<
    DeliveryOptions,
    | 'backoff'
    | 'batchSize'
    | 'batchBytes'
    | 'idlePollMs'
    | 'lingerMs'
    | 'requestTimeoutMs'
    | 'random'
  >;
  spool?: Omit<SpoolOptions, 'dir' | 'log' | 'onAppend'>;
  /**
   * Line and ACL sync: keeps Kamailio's lines, block list and address.list in step with the
   * Worker's edge config; off when absent.
   */
  aclSync?: EdgeConfigSyncOptions;
  /** Ends call records whose dialog Kamailio no longer has; off when absent. */
  reconcile?: Omit<ReconcileOptions, 'stateDir'>;
  /** Polls the Worker for commands (an admin's hang-up) and runs them in Kamailio; off when absent. */
  commands?: CommandRunnerOptions;
  log?: Logger;
  /** Clock in epoch ms (tests): stamps events Kamailio sent without `at`, and the spool's times. */
  now?: () => number;
  /** The clock decisions and delivery run on: budgets, breaker, backoff (tests: fake timers). */
  timers?: Timers;
}

/**
 * Starts the edge agent: the loopback HTTP API Kamailio calls, the spool and the delivery loop.
 * @example
 * const { url, close } = await startEdgeAgent({ token, workerUrl, edgeSecret, spoolDir: '.run/spool' });
 * // Kamailio: POST `${url}/v1/decide` with `Authorization: Bearer ${token}`
 * await close();
 */
export async function startEdgeAgent(options: EdgeAgentOptions) {
  const log = options.log ?? createLogger();
  const worker = createWorkerClient({ baseUrl: options.workerUrl, secret: options.edgeSecret });
  const status = createWorkerStatus();
  let wakeDelivery = () => {};
  const now = options.now ?? Date.now;
  const spool = await Spool.open<CallEvent>({
    now,
    ...options.spool,
    dir: options.spoolDir,
    log,
    onAppend: () => wakeDelivery(),
  });
  // Line sync reads the targets from Kamailio; it needs the metrics, so it is named after them.
  const targetSource: { read?: () => Promise<TargetState[]> } = {};
  const metrics = createAgentMetrics({
    spool,
    targets: () => targetSource.read?.() ?? Promise.resolve([]),
  });
  const aclSync = options.aclSync
    ? startEdgeConfigSync(options.aclSync, { worker, log, metrics })
    : undefined;
  targetSource.read = aclSync?.targets;
  const decider = createDecider({
    worker,
    breaker: options.breaker,
    status: reportingFailures(status, (reason) => metrics.workerError('decide', reason)),
    log,
    budgetMs: options.budgetMs ?? 800,
    probeIntervalMs: options.probeIntervalMs ?? 500,
    timers: options.timers,
    metrics,
    ...(aclSync ? { aclEntryFor: (line: string, ip: string) => aclSync.entryFor(line, ip) } : {}),
    ...(aclSync ? { hasRule: (line: string, rule: string) => aclSync.hasRule(line, rule) } : {}),
  });
  const delivery = startDelivery({
    ...options.delivery,
    spool,
    worker,
    status: reportingFailures(status, (reason) => metrics.workerError('events', reason)),
    log,
    rejectedPath: join(options.spoolDir, 'rejected.jsonl'),
    timers: options.timers,
  });
  wakeDelivery = () => delivery.wake();
  const breaker = decider.breaker;
  const reconciler = options.reconcile
    ? startReconciler(
        { ...options.reconcile, stateDir: options.spoolDir },
        { append: async (event) => void (await spool.append(event)), log, metrics },
      )
    : undefined;
  const commands = options.commands
    ? startCommandRunner(options.commands, { worker, log, timers: options.timers })
    : undefined;
  const agent = {
    metrics,
    reconciler,
    commands,
    spool,
    delivery,
    decider,
    breaker,
    status,
    aclSync,
    health: () =>
      healthReport({
        spool,
        worker: status,
        breaker,
        ...(aclSync ? { acl: aclSync.snapshot() } : {}),
        ...(reconciler ? { reconcile: reconciler.snapshot() } : {}),
        ...(commands ? { commands: commands.snapshot() } : {}),
      }),
  };

  async function decide(req: IncomingMessage, res: ServerResponse) {
    const body = await readJsonBody(req, MAX_BODY_BYTES);
    if (!body.ok) return sendError(res, body.status, body.error, body.message, true);
    const facts = CallFactsSchema.safeParse(body.value);
    if (!facts.success) {
      // Kamailio bounds and escapes what a caller sends, so this is the edge's own mismatch; the
      // call is refused rather than relayed without a decision. The paths name no values.
      log('warn', 'decide.invalid_facts', { issues: describeIssues(facts.error) });
      metrics.decision('reject', 0);
      return sendJson(res, 200, REFUSED_ANSWER);
    }
    sendJson(res, 200, await decider.decide(facts.data));
  }

  async function spoolEvent(req: IncomingMessage, res: ServerResponse) {
    const started = performance.now();
    const body = await readJsonBody(req, MAX_BODY_BYTES);
    if (!body.ok) return sendError(res, body.status, body.error, body.message, true);
    const parsed = KamailioEventSchema.safeParse(body.value);
    if (!parsed.success) {
      return sendError(res, 400, 'invalid_event', describeIssues(parsed.error));
    }
    const event: CallEvent = {
      ...parsed.data,
      at: parsed.data.at ?? new Date(now()).toISOString(),
    };
    try {
      await spool.append(event);
    } catch (err) {
      log('error', 'events.spool_failed', {
        call_id: event.call_id,
        error: (err as Error).message,
      });
      const message =
        err instanceof SpoolFullError ? err.message : 'The event could not be written to disk.';
      return sendError(res, 503, 'spool_unavailable', message);
    }
    metrics.callEvent(event, (performance.now() - started) / 1000);
    reconciler?.noteEvent(event);
    sendJson(res, 202, { spooled: true });
  }

  async function forceAclSync(_req: IncomingMessage, res: ServerResponse) {
    if (!aclSync) {
      return sendError(res, 409, 'acl_sync_off', 'ACL sync is off: set EDGE_ACL_SYNC_DIR.');
    }
    await aclSync.syncNow({ force: true });
    const acl = aclSync.snapshot();
    if (acl.last_error) {
      return sendJson(res, 502, { error: 'acl_sync_failed', message: acl.last_error, acl });
    }
    sendJson(res, 200, { synced: true, acl });
  }

  async function serveMetrics(_req: IncomingMessage, res: ServerResponse) {
    const text = await metrics.registry.metrics();
    res.writeHead(200, { 'Content-Type': metrics.registry.contentType });
    res.end(text);
  }

  const metricsToken = options.metricsToken || options.token;
  /** Which credentials a route takes: Kamailio's (Bearer or its Basic), one bearer token, none. */
  type Route = {
    method: string;
    token: string | null;
    kamailio?: boolean;
    handle: typeof decide;
  };
  const routes: Record<string, Route> = {
    '/v1/decide': { method: 'POST', token: options.token, kamailio: true, handle: decide },
    '/v1/events': { method: 'POST', token: options.token, kamailio: true, handle: spoolEvent },
    '/v1/acl/sync': { method: 'POST', token: options.token, handle: forceAclSync },
    '/metrics': { method: 'GET', token: metricsToken, handle: serveMetrics },
    '/health': {
      method: 'GET',
      token: null,
      handle: async (_req, res) => sendJson(res, 200, agent.health()),
    },
  };

  const server = createServer((req, res) => {
    const route = routes[(req.url ?? '/').split('?')[0]!];
    if (!route) return sendError(res, 404, 'not_found', 'No such endpoint.');
    if (req.method !== route.method) {
      res.setHeader('Allow', route.method);
      return sendError(res, 405, 'method_not_allowed', `Use ${route.method}.`);
    }
    const authorized =
      route.token === null ||
      (route.kamailio
        ? kamailioCredentialsMatch(req.headers.authorization, route.token)
        : bearerMatches(req.headers.authorization, route.token));
    if (!authorized) {
      return sendError(res, 401, 'unauthorized', 'Missing or invalid credentials.', true);
    }
    route.handle(req, res).catch((err: unknown) => {
      log('error', 'http.handler_failed', { path: req.url, error: (err as Error).message });
      if (!res.headersSent) sendError(res, 500, 'internal', 'The agent failed; see its log.');
      else res.destroy();
    });
  });
  server.requestTimeout = 10_000;
  // Kamailio's workers keep one connection each and reuse it: keep idle ones well past a quiet
  // spell, so a request rarely meets a connection the agent is closing.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 5000;

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8090, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    // Port taken, say: leave nothing running behind.
    decider.stop();
    await reconciler?.stop();
    await commands?.stop();
    await aclSync?.stop();
    await delivery.stop(0);
    await spool.close();
    worker.close();
    throw err;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  let closing: Promise<void> | undefined;
  /** Stops accepting, lets requests in flight finish (their events reach the disk), then stops. */
  function close(): Promise<void> {
    closing ??= (async () => {
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 5000);
      await drained;
      clearTimeout(force);
      decider.stop();
      await reconciler?.stop();
      await commands?.stop();
      await aclSync?.stop();
      await delivery.stop();
      await spool.close();
      worker.close();
    })();
    return closing;
  }

  return { url, close, agent };
}
