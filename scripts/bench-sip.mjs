// `npm run bench:sip`: calls per second and INVITE→200 latency through the full edge path
// (sipp caller → Kamailio → edge agent → Worker on wrangler dev → sipp standing in for Zendesk),
// against the same sipp calls sent straight to the stand-in. Loopback only, on high ports (no clash
// with `npm start`); every step is bounded in calls and time and the run stops by itself.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { edgeMemory, renderEdge, startKamailio } from './bench/edge.mjs';
import { printReport } from './bench/report.mjs';
import { killLoad, runLoad, SIPP, uasArgs, writeCallerPool } from './bench/sipp-load.mjs';
import { exportedCalls, startAgent, startBackend } from './bench/stack.mjs';
import { ROOT } from './lib/bootstrap.mjs';
import { startProcess, stopAll } from './lib/processes.mjs';

const RATES = (process.env.BENCH_SIP_RATES ?? '100,200,300,500,700').split(',').map(Number);
const STEP_SECONDS = 5; // each step offers rate × 5 s calls, at most 3000
const MAX_STEP_CALLS = 3000;
const POOL = 20; // caller numbers, warmed first: the steps measure the cached decision path
const HOLD_MS = 10; // between ACK and BYE
// TOOLCHAIN.md: async_workers ≥ calls/s × lookup p99 (700 calls/s × ~40 ms under load).
const LIMITS = {
  cps_per_line: 0, // no CPS limit: the benchmark looks for the ceiling
  async_workers: Number(process.env.BENCH_SIP_ASYNC_WORKERS ?? 32),
  event_workers: 8,
  sip_children: 4,
  shared_memory_mb: 512,
};
const PORTS = { sip: 35060, rpc: 35080, agent: 38090, uas: 35070, uac: 35062 };
const UAS = { port: PORTS.uas, mediaPort: 36000, controlPort: 35091 };
const UAC = { port: PORTS.uac, mediaPort: 36100, controlPort: 35092 };
const TAKEN = [...Object.values(PORTS), ...Object.values(UAS), ...Object.values(UAC)];
const DEADLINE_MS = 4 * 60_000; // the whole run stops by itself after 4 minutes
const startedAt = Date.now();
const timeLeft = () => startedAt + DEADLINE_MS - Date.now();
const secret = (n) => randomBytes(n).toString('base64url');
const secrets = {
  EDGE_SECRET: secret(24),
  ADMIN_TOKEN: secret(24),
  APP_JWT_SECRET: secret(24),
  ZENDESK_API_TOKEN: 'bench-token',
};
const agentToken = secret(24);
const target = `sip:zendesk@127.0.0.1:${PORTS.uas}`;
const dir = mkdtempSync(join(process.env.BENCH_STATE_DIR ?? os.tmpdir(), 'sip-bridge-bench-sip-'));
const callers = join(dir, 'callers.csv');

/** Kamailio first: it holds its fixed ports before anything else picks free ones. */
async function startEdge() {
  const config = {
    listen: [{ transport: 'udp', address: '127.0.0.1', port: PORTS.sip }],
    rpc: { address: '127.0.0.1', port: PORTS.rpc },
    agent: { url: `http://127.0.0.1:${PORTS.agent}`, token_env: 'BENCH_AGENT_TOKEN' },
    limits: LIMITS,
    lines: [{ slug: 'bench', targets: [target], acl: ['127.0.0.1/32'], max_cps: 0 }],
  };
  return startKamailio({
    dir,
    cfg: await renderEdge(dir, config, agentToken),
    rpcPort: PORTS.rpc,
    sharedMemoryMb: LIMITS.shared_memory_mb,
    patterns: {
      noDecision: /agent gave no decision/,
      breakerOpen: /breaker open, calls fail open/,
      eventNotSpooled: /event not spooled/,
    },
  });
}

/** One series of load steps towards `remote`; after each proxy step the agent's spool drains. */
async function steps(name, remote, agent) {
  const results = [];
  for (const rate of RATES) {
    const calls = Math.min(MAX_STEP_CALLS, rate * STEP_SECONDS);
    if (timeLeft() < (calls / rate) * 1000 + 45_000) {
      console.log(`  ${name} ${rate} calls/s: skipped (too close to the deadline)`);
      continue;
    }
    const r = await runLoad({
      dir: join(dir, `${name}-${rate}`),
      remote,
      rate,
      calls,
      limit: Math.max(100, rate), // at most one second of calls in flight
      holdMs: HOLD_MS,
      callers,
      ports: UAC,
    });
    if (agent) {
      r.spoolAtEnd = (await agent.health()).spool.depth;
      r.drain = await agent.drain(Math.min(15_000, timeLeft() - 40_000));
    }
    console.log(
      `  ${name} ${rate} calls/s: ${r.successful}/${calls} ok, ${r.failed} failed, ` +
        `${r.achievedCps ?? '-'} calls/s answered, p50 ${r.p50} ms, p99 ${r.p99} ms, ` +
        `max ${r.max} ms, ${r.retransmissions} retransmissions` +
        (r.drain ? `; spool ${r.spoolAtEnd} → ${r.drain.depth} in ${r.drain.waitedMs} ms` : ''),
    );
    if (r.failed > 0) console.log(`    sipp: ${r.errors || r.output}`.slice(0, 1500));
    results.push(r);
  }
  return results;
}

async function main() {
  console.log(
    `bench:sip: ${RATES.join(', ')} calls/s (≤ ${MAX_STEP_CALLS} calls or ${STEP_SECONDS} s each), ` +
      `straight to the stand-in, then through the proxy; ${POOL} cached callers; loopback; ` +
      `${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(2)}`,
  );
  const loadavg = os.loadavg();
  const edge = await startEdge();
  startProcess('uas', SIPP, uasArgs(UAS, DEADLINE_MS / 1000 + 30), { cwd: dir, quiet: true });
  const worker = await startBackend({
    dir: join(dir, 'worker'),
    secrets,
    slug: 'bench',
    target,
    taken: TAKEN,
  });
  const agent = await startAgent({
    port: PORTS.agent,
    token: agentToken,
    edgeSecret: secrets.EDGE_SECRET,
    worker,
    spoolDir: join(dir, 'spool'),
  });
  const numbers = Array.from({ length: POOL }, (_, i) => `+1415${2000000 + i * 7}`);
  writeCallerPool(callers, numbers);
  const memoryBefore = await edgeMemory(edge);

  console.log('baseline: sipp → stand-in, no proxy');
  const direct = await steps('direct', `127.0.0.1:${PORTS.uas}`);

  // Each number twice: first-time callers (Zendesk search), then every step call is a cached match.
  const warmUp = await runLoad({
    dir: join(dir, 'warm-up'),
    remote: `127.0.0.1:${PORTS.sip}`,
    rate: 20,
    calls: POOL * 2,
    limit: 100,
    holdMs: HOLD_MS,
    callers,
    ports: UAC,
  });
  if (warmUp.failed > 0)
    throw new Error(`warm-up calls failed:\n${warmUp.errors}\n${warmUp.output}`);
  console.log(`warm-up: ${warmUp.successful} calls through the proxy, p99 ${warmUp.p99} ms`);

  console.log('through the proxy: sipp → Kamailio → agent → Worker, then → stand-in');
  const proxy = await steps('proxy', `127.0.0.1:${PORTS.sip}`, agent);
  const memoryAfter = await edgeMemory(edge);
  const activeDialogs = await edge.rpc('stats.fetchn', ['dialog:active_dialogs']).catch(() => null);
  const spool = await agent.drain(Math.max(0, Math.min(60_000, timeLeft() - 25_000)));
  const exported = await exportedCalls({
    worker,
    adminToken: secrets.ADMIN_TOKEN,
    slug: 'bench',
    deadline: startedAt + DEADLINE_MS - 10_000,
  });
  const proxiedCalls = warmUp.calls + proxy.reduce((n, s) => n + s.calls, 0);
  const a = agent.counts;
  const k = edge.counts;
  const result = {
    at: new Date().toISOString(),
    machine: {
      cores: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      memoryGb: Math.round(os.totalmem() / 2 ** 27) / 8,
      loadavgAtStart: loadavg.map((l) => Math.round(l * 100) / 100),
      node: process.version,
    },
    settings: { rates: RATES, stepSeconds: STEP_SECONDS, maxStepCalls: MAX_STEP_CALLS },
    ...{ callerPool: POOL, holdMs: HOLD_MS, limits: LIMITS, ports: PORTS },
    direct,
    warmUp,
    proxy,
    memory: { before: memoryBefore, after: memoryAfter, activeDialogsAtEnd: activeDialogs },
    decisions: {
      proxiedCalls,
      // When no breaker opened, every call that did not fail open got the Worker's answer.
      sourceWorker: a.breakerOpen + k.breakerOpen === 0 ? proxiedCalls - a.failOpen - k.noDecision : null,
      failOpenAgent: a.failOpen,
      failOpenAgentReasons: a.failOpenReasons,
      failOpenKamailio: k.noDecision,
      breakerOpened: { agent: a.breakerOpen, kamailio: k.breakerOpen },
      workerExport: exported,
    },
    events: {
      spoolDepthAtEnd: spool.depth,
      drainWaitMs: spool.waitedMs,
      deliverRetries: a.deliverRetry,
      spoolFailures: a.spoolFailed,
      notSpooledByKamailio: k.eventNotSpooled,
    },
  };
  result.targets = printReport(result);
  mkdirSync(join(ROOT, 'test-results'), { recursive: true });
  writeFileSync(join(ROOT, 'test-results', 'bench-sip.json'), JSON.stringify(result, null, 2));
  console.log('figures written to test-results/bench-sip.json');
}

let finishing = false;
async function finish(code) {
  if (finishing) return;
  finishing = true;
  killLoad();
  await stopAll(code, { exit: false });
  process.exit(code);
}
// On Ctrl+C processes.mjs stops its children and exits; this ends the load step and the temp dir.
process.on('exit', () => {
  killLoad();
  rmSync(dir, { recursive: true, force: true });
});
setTimeout(() => {
  console.error(`✖ bench:sip reached its ${DEADLINE_MS / 60_000}-minute deadline; stopping.`);
  finish(1);
}, DEADLINE_MS);

try {
  await main();
  await finish(0);
} catch (err) {
  console.error(`✖ bench:sip failed: ${err.message}`);
  await finish(1);
}
