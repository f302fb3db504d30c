// `npm run agent -w kamailio` (or `npx tsx kamailio/agent/main.ts`): the edge agent, configured
// from the environment. Exits 2 when configuration is missing, 0 after a clean SIGINT/SIGTERM.
import { resolve } from 'node:path';
import { createLogger } from './log';
import { isLoopbackHost } from './loopback';
import { startEdgeAgent } from './server';

const log = createLogger();

function fail(message: string): never {
  log('error', 'agent.config', { problem: message });
  process.stderr.write(`edge agent: ${message}\n`);
  process.exit(2);
}

function readConfig() {
  const env = process.env;
  const edgeSecret = env.EDGE_SECRET ?? '';
  if (!edgeSecret) fail("EDGE_SECRET is not set: use the same value as the Worker's EDGE_SECRET.");
  if (edgeSecret.length < 16)
    fail('EDGE_SECRET is shorter than 16 characters: the Worker refuses it.');
  const token = env.EDGE_AGENT_TOKEN ?? '';
  if (!token) fail('EDGE_AGENT_TOKEN is not set: use the token rendered into the Kamailio cfg.');
  const port = Number(env.EDGE_AGENT_PORT ?? 8090);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail('EDGE_AGENT_PORT must be a port number.');
  const budgetMs = Number(env.DECISION_BUDGET_MS ?? 800);
  // Kamailio waits 1 s at most for the agent (http_client counts whole seconds), then fails open.
  if (!Number.isInteger(budgetMs) || budgetMs < 150 || budgetMs > 1000) {
    fail(
      'DECISION_BUDGET_MS must be a whole number of milliseconds from 150 to 1000 ' +
        '(Kamailio waits 1 s at most).',
    );
  }
  const metricsToken = env.EDGE_METRICS_TOKEN ?? '';
  if (metricsToken && metricsToken === token) {
    fail(
      'EDGE_METRICS_TOKEN equals EDGE_AGENT_TOKEN: give Prometheus its own token, or leave ' +
        'EDGE_METRICS_TOKEN unset to use the agent token for /metrics.',
    );
  }
  const host = env.EDGE_AGENT_HOST ?? '127.0.0.1';
  if (!isLoopbackHost(host) && env.EDGE_AGENT_ALLOW_REMOTE !== '1') {
    fail(
      `EDGE_AGENT_HOST=${host} is not a loopback address: the agent takes Kamailio's credentials and ` +
        `should listen on 127.0.0.1 or ::1. To listen beyond this host on purpose, also set ` +
        `EDGE_AGENT_ALLOW_REMOTE=1.`,
    );
  }
  const workerUrl = env.WORKER_URL ?? 'http://127.0.0.1:8787';
  if (!/^https?:\/\/[^/@]+\/?$/.test(workerUrl))
    fail('WORKER_URL must be an http(s) origin, like https://bridge.example.com.');
  const worker = new URL(workerUrl);
  if (worker.protocol === 'http:' && !isLoopbackHost(worker.hostname)) {
    fail(
      'WORKER_URL must use https: the edge secret signs every request, but the call facts ' +
        '(caller numbers) would travel in clear. Plain http is allowed only to a loopback address.',
    );
  }
  const aclDir = env.EDGE_ACL_SYNC_DIR ?? '';
  const intervalMs = Number(env.EDGE_ACL_SYNC_INTERVAL_MS ?? 2000);
  if (aclDir && (!Number.isInteger(intervalMs) || intervalMs < 500 || intervalMs > 3_600_000)) {
    fail('EDGE_ACL_SYNC_INTERVAL_MS must be a whole number of milliseconds from 500 to 3600000.');
  }
  const rpcUrl = env.KAMAILIO_RPC_URL ?? 'http://127.0.0.1:5080/RPC';
  const reconcileMs = Number(env.EDGE_RECONCILE_INTERVAL_MS ?? 60_000);
  if (
    reconcileMs !== 0 &&
    (!Number.isInteger(reconcileMs) || reconcileMs < 1000 || reconcileMs > 3_600_000)
  ) {
    fail('EDGE_RECONCILE_INTERVAL_MS must be 0 (off) or whole milliseconds from 1000 to 3600000.');
  }
  const commandsMs = Number(env.EDGE_COMMANDS_INTERVAL_MS ?? 1000);
  if (
    commandsMs !== 0 &&
    (!Number.isInteger(commandsMs) || commandsMs < 200 || commandsMs > 5000)
  ) {
    // An admin's hang-up must reach Kamailio within 5 s of the click.
    fail('EDGE_COMMANDS_INTERVAL_MS must be 0 (off) or whole milliseconds from 200 to 5000.');
  }
  if ((aclDir || reconcileMs || commandsMs) && !/^https?:\/\/[^/]+\/\S*$/.test(rpcUrl))
    fail('KAMAILIO_RPC_URL must be an http URL, like http://127.0.0.1:5080/RPC.');
  return {
    host,
    port,
    token,
    // Unset: /metrics takes the agent token (documented in docs/operators.md).
    ...(metricsToken ? { metricsToken } : {}),
    edgeSecret,
    workerUrl,
    budgetMs,
    spoolDir: resolve(env.EDGE_SPOOL_DIR ?? '.run/spool'),
    // Off unless EDGE_ACL_SYNC_DIR names the renderer's --out directory.
    ...(aclDir ? { aclSync: { renderDir: resolve(aclDir), rpcUrl, intervalMs } } : {}),
    // On by default: no call record stays "in progress" after Kamailio lost its dialog.
    ...(reconcileMs ? { reconcile: { rpcUrl, intervalMs: reconcileMs } } : {}),
    // On by default: an admin's hang-up (the console's Live calls) reaches Kamailio within ~1 s.
    ...(commandsMs ? { commands: { rpcUrl, intervalMs: commandsMs } } : {}),
  };
}

const config = readConfig();
const { url, close, agent } = await startEdgeAgent({ ...config, log });
log('info', 'agent.started', {
  url,
  worker: config.workerUrl,
  spool: config.spoolDir,
  depth: agent.spool.depth,
  budget_ms: config.budgetMs,
  acl_sync: config.aclSync ? config.aclSync.renderDir : 'off',
  reconcile_ms: config.reconcile ? config.reconcile.intervalMs : 'off',
  commands_ms: config.commands ? config.commands.intervalMs : 'off',
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log('info', 'agent.stopping', { signal, depth: agent.spool.depth });
    close().then(
      () => {
        log('info', 'agent.stopped', { depth: agent.spool.depth });
        process.exit(0);
      },
      (err: unknown) => {
        log('error', 'agent.stop_failed', { error: (err as Error).message });
        process.exit(1);
      },
    );
  });
}
