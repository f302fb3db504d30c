// `npm run bench:sip`: calls per second and INVITE→200 latency through the full edge path
// (sipp caller → Kamailio → edge agent → Worker on workerd → sipp standing in for Zendesk).
// By default the AI-agent mix (bench/mix-run.mjs: Zendesk requests per call by kind, edge CPU
// beside a plain relay); BENCH_SIP_PROFILE=repeat the ceiling with cached repeat callers, against
// the same sipp calls sent straight to the stand-in. Loopback only, on high ports (no clash with
// `npm start`); every step is bounded in calls and time and the run stops by itself.
import { randomBytes } from 'node:crypto';
import { randomWorkerSecrets } from './lib/local-worker.mjs';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { edgeMemory, renderEdge, startKamailio } from './bench/edge.mjs';
import { cpuSnapshot, cpuUsage } from './bench/procfs.mjs';
import { createLoad, machineFacts } from './bench/measure.mjs';
import { printReport } from './bench/report.mjs';
import { printMixReport } from './bench/mix-report.mjs';
import { runMix } from './bench/mix-run.mjs';
import { killLoad, SIPP, uasArgs, writeCallerPool } from './bench/sipp-load.mjs';
import {
  RUNTIME_LABEL,
  exportedCalls,
  startAgent,
  startBackend,
  startStubWorker,
  stubDecisions,
} from './bench/stack.mjs';
import { ROOT } from './lib/bootstrap.mjs';
import { startProcess, stopAll } from './lib/processes.mjs';

// BENCH_SIP_WORKER=stub: the edge alone (Kamailio and the agent) against an instant stub Worker,
// with the repeat profile.
const STUB = process.env.BENCH_SIP_WORKER === 'stub';
// BENCH_SIP_PROFILE: `mix` (default, the headline) the AI-agent mix (bench/mix-run.mjs), or
// `repeat` cached repeat callers passing no ticket, looking for the ceiling (this file).
const PROFILE = STUB || process.env.BENCH_SIP_PROFILE === 'repeat' ? 'repeat' : 'mix';
const RATES = (
  process.env.BENCH_SIP_RATES ?? (PROFILE === 'mix' ? '10,25,50,100,150' : '50,100,200,300,500,700')
)
  .split(',')
  .map(Number);
const STEP_SECONDS = 5; // each step offers rate × 5 s calls, at most 3000
const MAX_STEP_CALLS = 3000;
const POOL = 20; // caller numbers, warmed first: the steps measure the cached decision path
const HOLD_MS = 10; // between ACK and BYE
// TOOLCHAIN.md: async_workers ≥ calls/s × lookup p99 (700 calls/s × ~40 ms under load).
const LIMITS = {
  cps_per_line: 0, // no CPS limit: the benchmark looks for the ceiling
  async_workers: Number(process.env.BENCH_SIP_ASYNC_WORKERS ?? 32),
  event_workers: Number(process.env.BENCH_SIP_EVENT_WORKERS ?? 8),
  sip_children: Number(process.env.BENCH_SIP_CHILDREN ?? 4),
  shared_memory_mb: 512,
};
// Fixed ports below Linux's ephemeral range (32768-60999): an outgoing connection's TIME_WAIT on a
// port there makes Kamailio's bind fail. Clear of npm start (5060, 8787...) and of the suites'
// blocks: test/sip/harness/ports.ts reserves 29000..29299 for this.
const BASE = Number(process.env.BENCH_SIP_PORT_BASE ?? 29000);
const PORTS = {
  sip: BASE + 60,
  uac: BASE + 62,
  relay: BASE + 64,
  uas: BASE + 70,
  rpc: BASE + 80,
  relayRpc: BASE + 84,
  agent: BASE + 90,
};
const UAS = { port: PORTS.uas, mediaPort: BASE + 100, controlPort: BASE + 91 };
const UAC = { port: PORTS.uac, mediaPort: BASE + 200, controlPort: BASE + 92 };
const TAKEN = [...Object.values(PORTS), ...Object.values(UAS), ...Object.values(UAC)];
// The whole run stops by itself after 4 minutes (the mix: 7, for its minute of index wait).
const DEADLINE_MS = (PROFILE === 'mix' ? 7 : 4) * 60_000;
const startedAt = Date.now();
const timeLeft = () => startedAt + DEADLINE_MS - Date.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const secrets = randomWorkerSecrets('bench-token');
const agentToken = randomBytes(24).toString('base64url');
const target = `sip:zendesk@127.0.0.1:${PORTS.uas}`;
const dir = mkdtempSync(join(process.env.BENCH_STATE_DIR ?? os.tmpdir(), 'sip-bridge-bench-sip-'));
const callers = join(dir, 'callers.csv');
const groups = {}; // process group per part, for CPU per call: { kamailio: pgid, ... }

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

const load = createLoad({ dir, groups, ports: UAC, holdMs: HOLD_MS });

/** The load steps towards `remote`, each followed by a 2 s settle (no drain: see the report). */
async function steps(name, remote, stack) {
  const results = [];
  for (const [index, rate] of RATES.entries()) {
    const calls = Math.min(MAX_STEP_CALLS, rate * STEP_SECONDS);
    if (timeLeft() < (calls / rate) * 1000 + 40_000) {
      console.log(`  ${name} ${rate} calls/s: skipped (too close to the deadline)`);
      continue;
    }
    // Its own directory per step: sipp's files of a repeated rate must not be read twice.
    const r = await load(`${name}-${index + 1}-${rate}`, remote, rate, calls, stack, { callers });
    const c = r.cpu;
    console.log(
      `  ${name} ${rate} calls/s: ${r.successful}/${calls} ok, ${r.failed} failed, ` +
        `${r.achievedCps ?? '-'} calls/s answered, p50 ${r.p50} ms, p99 ${r.p99} ms, ` +
        `max ${r.max} ms, ${r.retransmissions} retransmissions` +
        (r.atEnd ? `; spool ${r.atEnd.spoolDepth}, agent breaker ${r.atEnd.agentBreaker}` : '') +
        [
          ['decision', r.agentDecision],
          ['event spooled', r.agentEvent],
        ]
          .filter(([, q]) => q)
          .map(([what, q]) => `; agent ${what} p50 ≤ ${q.p50Ms} ms, p99 ≤ ${q.p99Ms} ms`)
          .join(''),
    );
    console.log(
      `    CPU: machine ${c.machineBusyPct} % busy, other work ${c.othersCores} of ${c.cores} cores; ` +
        `ms per call ${Object.entries(c.perCallMs)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
    );
    if (r.failed > 0)
      console.log(`    failed: ${JSON.stringify(r.failures)}, never completed ${r.notCompleted}`);
    results.push(r);
    await sleep(2000);
  }
  return results;
}

/**
 * Warm-up: every pool number once per pass (first-time callers: Zendesk search), until a pass
 * gets all its decisions from the Worker, so the steps measure the cached decision path.
 */
async function warmUp(stack) {
  const passes = [];
  for (let pass = 1; pass <= 5 && timeLeft() > 150_000; pass++) {
    const r = await load(`warm-up-${pass}`, `127.0.0.1:${PORTS.sip}`, 10, POOL, stack, {
      callers,
    });
    passes.push(r);
    const clean =
      r.failed === 0 &&
      Object.values(r.logged).every((n) => n === 0) &&
      r.atEnd.agentBreaker === 'closed';
    console.log(
      `warm-up pass ${pass}: ${r.successful}/${POOL} ok, p99 ${r.p99} ms, ${JSON.stringify(r.logged)}`,
    );
    if (clean) return passes;
  }
  console.log('warm-up: decisions still fail open; measuring anyway (see the decision share)');
  return passes;
}

/** The AI-agent mix: bench/mix-run.mjs runs it, bench/mix-report.mjs prints it. */
async function mainMix() {
  console.log(
    `bench:sip AI-agent mix: ${RATES.join(', ')} calls/s (${STEP_SECONDS} s each) through the ` +
      `full stack, beside a plain stateful Kamailio relay; loopback; ${os.cpus().length} cores, ` +
      `load average ${os.loadavg()[0].toFixed(2)}`,
  );
  const result = await runMix({
    dir,
    load,
    groups,
    ports: PORTS,
    uas: UAS,
    target,
    secrets,
    agentToken,
    startEdge,
    rates: RATES,
    stepSeconds: STEP_SECONDS,
    timeLeft,
    limits: LIMITS,
    taken: TAKEN,
  });
  result.targets = printMixReport(result);
  mkdirSync(join(ROOT, 'test-results'), { recursive: true });
  writeFileSync(join(ROOT, 'test-results', 'bench-sip-mix.json'), JSON.stringify(result, null, 2));
  console.log('figures written to test-results/bench-sip-mix.json');
}

async function main() {
  console.log(
    `bench:sip${STUB ? ' (edge alone: a stub in place of the Worker)' : ''}: ` +
      `${RATES.join(', ')} calls/s (≤ ${MAX_STEP_CALLS} calls or ${STEP_SECONDS} s each), ` +
      `straight to the stand-in, then through the proxy; ${POOL} cached callers; loopback; ` +
      `${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(2)}`,
  );
  const loadavg = os.loadavg();
  const edge = await startEdge();
  const uas = startProcess('uas', SIPP, uasArgs(UAS, DEADLINE_MS / 1000 + 30), {
    cwd: dir,
    quiet: true,
  });
  const { url: worker, pgids } = STUB
    ? await startStubWorker({ taken: TAKEN })
    : await startBackend({
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
    rpcUrl: `http://127.0.0.1:${PORTS.rpc}/RPC`,
  });
  Object.assign(groups, { kamailio: edge.pid, agent: agent.pid, ...pgids, uas: uas.pid });
  writeCallerPool(
    callers,
    Array.from({ length: POOL }, (_, i) => `+1415${2000000 + i * 7}`),
  );
  const memoryBefore = await edgeMemory(edge);

  console.log('baseline: sipp → stand-in, no proxy');
  const direct = await steps('direct', `127.0.0.1:${PORTS.uas}`);
  const stack = { agent, edge };
  // The stub has no cache to warm.
  const warm = STUB ? [] : await warmUp(stack);
  console.log(
    `through the proxy: sipp → Kamailio → agent → ${STUB ? 'stub Worker' : 'Worker'}, then → stand-in`,
  );
  const proxy = await steps('proxy', `127.0.0.1:${PORTS.sip}`, stack);
  const memoryAfter = await edgeMemory(edge);
  const activeDialogs = await edge.rpc.stats('dialog:active_dialogs').catch(() => null);
  const depth = (await agent.health()).spool.depth;
  const drainCpu = cpuSnapshot(groups);
  const spool = await agent.drain(Math.max(0, Math.min(30_000, timeLeft() - 25_000)));
  const drainUsage = cpuUsage(drainCpu, cpuSnapshot(groups), 1);
  const exported = STUB
    ? await stubDecisions(worker)
    : await exportedCalls({
        worker,
        adminToken: secrets.ADMIN_TOKEN,
        slug: 'bench',
        deadline: startedAt + DEADLINE_MS - 10_000,
      });
  // Decided by the Worker: it recorded the decision (export, by the step's sipp pid) and neither the
  // agent nor Kamailio logged a fail-open for it. The rest failed open (logged, or breaker open).
  for (const r of [...warm, ...proxy]) {
    const decided = exported.decidedByPid[r.pid] ?? 0;
    r.sourceWorker = Math.min(
      decided,
      r.calls - r.logged.failOpenAgent - r.logged.failOpenKamailio,
    );
  }
  const proxied = [...warm, ...proxy];
  const sum = (f) => proxied.reduce((n, r) => n + f(r), 0);
  const result = {
    at: new Date().toISOString(),
    // 'full': the real Worker on workerd; 'edge': a stub in its place (BENCH_SIP_WORKER=stub).
    mode: STUB ? 'edge' : 'full',
    runtime: STUB ? 'stub' : RUNTIME_LABEL,
    machine: machineFacts(loadavg),
    settings: {
      rates: RATES,
      stepSeconds: STEP_SECONDS,
      maxStepCalls: MAX_STEP_CALLS,
      callerPool: POOL,
      holdMs: HOLD_MS,
      limits: LIMITS,
      ports: PORTS,
    },
    direct,
    warmUp: warm,
    proxy,
    memory: { before: memoryBefore, after: memoryAfter, activeDialogsAtEnd: activeDialogs },
    decisions: {
      proxiedCalls: sum((r) => r.calls),
      sourceWorker: sum((r) => r.sourceWorker),
      failOpenAgent: agent.counts.failOpen,
      failOpenAgentReasons: agent.counts.failOpenReasons,
      failOpenKamailio: edge.counts.noDecision,
      // Lines logged as the circuit opened (the agent logs one per call in flight at that moment).
      breakerOpenLogs: { agent: agent.counts.breakerOpen, kamailio: edge.counts.breakerOpen },
      workerExport: { ...exported, decidedByPid: undefined },
    },
    events: {
      spoolDepthAfterSteps: depth,
      spoolDepthAtEnd: spool.depth,
      drainWaitMs: spool.waitedMs,
      drainEventsPerSecond: Math.round(
        ((depth - spool.depth) * 1000) / Math.max(1, spool.waitedMs),
      ),
      // Cores the Worker's runtime kept busy while it only ingested events.
      workerCoresDuringDrain: Math.round(drainUsage.perCallMs.worker / drainUsage.seconds) / 1000,
      deliverRetries: agent.counts.deliverRetry,
      spoolFailures: agent.counts.spoolFailed,
      notSpooledByKamailio: edge.counts.eventNotSpooled,
    },
  };
  result.targets = printReport(result);
  mkdirSync(join(ROOT, 'test-results'), { recursive: true });
  const file = STUB ? 'bench-sip-edge.json' : 'bench-sip.json';
  writeFileSync(join(ROOT, 'test-results', file), JSON.stringify(result, null, 2));
  console.log(`figures written to test-results/${file}`);
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
  await (PROFILE === 'mix' ? mainMix() : main());
  await finish(0);
} catch (err) {
  console.error(`✖ bench:sip failed: ${err.message}`);
  await finish(1);
}
