// The benchmarks' backend: the Zendesk stand-in and the Worker on workerd with a line (both
// benchmarks), and for bench:sip the real edge agent, its spool depth and the Worker's call export.
import { join } from 'node:path';
import { ROOT } from '../lib/bootstrap.mjs';
import { applyLocalMigrations, freePort, wranglerDevCommand } from '../lib/local-worker.mjs';
import { startProcess, waitForHttp } from '../lib/processes.mjs';
import { workerdCommand } from './workerd.mjs';

const bin = (name) => join(ROOT, 'node_modules', '.bin', name);

/** A free loopback port that is not one of `taken` (free ports come from the same range). */
async function pickPort(taken) {
  for (;;) {
    const port = await freePort();
    if (!taken.includes(port)) return port;
  }
}

/**
 * Where the benchmarks run the Worker: `workerd` (default) runs the deploy bundle straight on
 * workerd; `wrangler` (BENCH_WORKER_RUNTIME=wrangler) goes through `wrangler dev`, whose proxy
 * Worker and per-request log cost more CPU than the Worker itself on these cores.
 */
const RUNTIME = process.env.BENCH_WORKER_RUNTIME === 'wrangler' ? 'wrangler' : 'workerd';
/** How the reports name it. */
export const RUNTIME_LABEL = RUNTIME === 'wrangler' ? 'wrangler dev' : 'workerd';

/**
 * Starts the stand-in and the Worker (fresh local D1 in `dir`) and creates line `slug` allowing
 * 127.0.0.1/32 towards `target`, with `line`'s settings on top. Resolves with the Worker's and the stand-in's base URLs and the
 * process group ids.
 */
export async function startBackend({ dir, secrets, slug, target, taken, line: lineSettings = {} }) {
  const [workerPort, standinPort, inspectorPort] = [
    await pickPort(taken),
    await pickPort(taken),
    await pickPort(taken),
  ];
  const worker = `http://127.0.0.1:${workerPort}`;
  const standin = `http://127.0.0.1:${standinPort}`;
  applyLocalMigrations({ persistTo: dir });
  const zendesk = startProcess('zendesk', bin('tsx'), ['test/zendesk-standin/server.ts'], {
    cwd: ROOT,
    quiet: true,
    env: {
      ...process.env,
      ZENDESK_STANDIN_PORT: String(standinPort),
      ZENDESK_API_TOKEN: secrets.ZENDESK_API_TOKEN,
      ZENDESK_STANDIN_LOG: 'false',
    },
  });
  // The stand-in is local: lift the per-account Zendesk budget so it does not shape the figures.
  const vars = {
    ...secrets,
    ZENDESK_BASE_URL: standin,
    ZENDESK_ALLOW_LOCAL: '1',
    ZENDESK_REQUESTS_PER_MINUTE: '1000000',
  };
  const w =
    RUNTIME === 'wrangler'
      ? wranglerDevCommand({ port: workerPort, persistTo: dir, vars, inspectorPort })
      : workerdCommand({ port: workerPort, persistTo: dir, vars });
  const workerProcess = startProcess('worker', w.cmd, w.args, { ...w.options, quiet: true });
  await waitForHttp(`${standin}/__standin/state`);
  await waitForHttp(`${worker}/health`, 60_000);
  const line = await fetch(`${worker}/v1/admin/lines`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${secrets.ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      slug,
      name: `Benchmark (${slug})`,
      sip_targets: [target],
      default_country: 'US',
      acl: [{ cidr: '127.0.0.1/32' }],
      ...lineSettings,
    }),
  });
  if (line.status !== 201) throw new Error(`creating the line answered ${line.status}`);
  return { url: worker, standin, pgids: { worker: workerProcess.pid, standin: zendesk.pid } };
}

/** The stub Worker (bench/stub-worker.mjs) on a free port, for measuring the edge alone. */
export async function startStubWorker({ taken }) {
  const port = await pickPort(taken);
  const url = `http://127.0.0.1:${port}`;
  const child = startProcess('worker', process.execPath, ['scripts/bench/stub-worker.mjs'], {
    cwd: ROOT,
    quiet: true,
    env: { ...process.env, STUB_WORKER_PORT: String(port) },
  });
  await waitForHttp(`${url}/health`);
  return { url, pgids: { worker: child.pid } };
}

/** The stub's decision counts, in the shape exportedCalls() gives for the real Worker. */
export async function stubDecisions(url) {
  const res = await fetch(`${url}/__stub/decided`);
  const { decisions, decidedByPid } = await res.json();
  return {
    records: decisions,
    decidedByWorker: decisions,
    decisionNotReceived: 0,
    byStatus: {},
    complete: true,
    decidedByPid,
  };
}

/**
 * Starts the edge agent (kamailio/agent/main.ts, as deployed) and resolves once /health answers.
 * `counts` follows its log: decisions that failed open (by reason), breaker openings, retries.
 */
export async function startAgent({ port, token, edgeSecret, worker, spoolDir, rpcUrl }) {
  // BENCH_AGENT_PROF=<dir>: the agent writes a V8 CPU profile there when it stops.
  const prof = process.env.BENCH_AGENT_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_AGENT_PROF}`]
    : [];
  const child = startProcess('agent', bin('tsx'), [...prof, 'kamailio/agent/main.ts'], {
    cwd: ROOT,
    quiet: true,
    env: {
      ...process.env,
      EDGE_SECRET: edgeSecret,
      EDGE_AGENT_TOKEN: token,
      EDGE_AGENT_HOST: '127.0.0.1',
      EDGE_AGENT_PORT: String(port),
      WORKER_URL: worker,
      EDGE_SPOOL_DIR: spoolDir,
      // The reconciler reads this edge's dialogs, never those of an npm start on 5080.
      KAMAILIO_RPC_URL: rpcUrl,
    },
  });
  const counts = {
    failOpen: 0,
    failOpenReasons: {},
    breakerOpen: 0,
    deliverRetry: 0,
    spoolFailed: 0,
  };
  let rest = '';
  child.stderr.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop();
    for (const line of lines) {
      const event = line.split(' ')[2];
      if (event === 'decide.fail_open') {
        counts.failOpen++;
        const reason = /reason=("[^"]*"|\S+)/.exec(line)?.[1] ?? '?';
        counts.failOpenReasons[reason] = (counts.failOpenReasons[reason] ?? 0) + 1;
      } else if (event === 'breaker.open') counts.breakerOpen++;
      else if (event === 'deliver.retry') counts.deliverRetry++;
      else if (event === 'events.spool_failed') counts.spoolFailed++;
    }
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health`);
  const health = async () =>
    (await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) })).json();
  /** Waits until the spool is empty (every event delivered to the Worker), at most `ms`. */
  const drain = async (ms) => {
    const started = Date.now();
    let depth = (await health()).spool.depth;
    while (depth > 0 && Date.now() - started < ms) {
      await new Promise((r) => setTimeout(r, 250));
      depth = (await health()).spool.depth;
    }
    return { depth, waitedMs: Date.now() - started };
  };
  /** The agent's decision-latency histogram: cumulative counts by upper bound in seconds. */
  // The agent's latency histograms from /metrics: { decision: { le: count }, event: { le: count } }.
  const histograms = async () => {
    const res = await fetch(`${url}/metrics`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(2000),
    });
    const series = { decision: 'decision_duration', event: 'event_spool_duration' };
    const found = { decision: {}, event: {} };
    for (const line of (await res.text()).split('\n')) {
      const m = /^sipbridge_(\w+)_seconds_bucket\{le="([^"]+)"\} (\d+)/.exec(line);
      const name = m && Object.keys(series).find((k) => series[k] === m[1]);
      if (name) found[name][m[2]] = Number(m[3]);
    }
    return found;
  };
  return { pid: child.pid, counts, health, drain, histograms };
}

/**
 * The Worker's call records for `slug` (incremental export, latest state of each call), counted;
 * `withRecords` adds the records themselves (`all`).
 */
export async function exportedCalls({ worker, adminToken, slug, deadline, withRecords = false }) {
  const records = new Map();
  let url = `${worker}/v1/reports/calls/export?start_time=0&limit=1000`;
  for (let page = 0; url && page < 100 && Date.now() < deadline; page++) {
    const res = await fetch(url, { headers: { Authorization: `Bearer ${adminToken}` } });
    if (res.status !== 200) throw new Error(`the export answered ${res.status}`);
    const body = await res.json();
    for (const c of body.calls) if (c.line === slug) records.set(c.call_id, c);
    url = body.end_of_stream ? null : body.after_url;
  }
  const all = [...records.values()];
  const eventsOnly = new Set(
    all.filter((c) => c.decision.degraded.includes('decision:not_received')),
  );
  const byStatus = {};
  // sipp's Call-IDs are "<call number>-<sipp pid>@<ip>": the pid tells which step made the call.
  const decidedByPid = {};
  for (const c of all) {
    byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
    if (eventsOnly.has(c)) continue;
    const pid = /^\d+-(\d+)@/.exec(c.call_id)?.[1];
    if (pid) decidedByPid[pid] = (decidedByPid[pid] ?? 0) + 1;
  }
  return {
    records: all.length,
    decidedByWorker: all.length - eventsOnly.size,
    decisionNotReceived: eventsOnly.size,
    byStatus,
    complete: url === null,
    decidedByPid,
    ...(withRecords ? { all } : {}),
  };
}
