// One measured bench:sip load step: the sipp run, the CPU each process group spent on it, and (with
// the proxy stack) the agent's and Kamailio's fail-open counters and latency histograms around it.
import os from 'node:os';
import { join } from 'node:path';
import { cpuSnapshot, cpuUsage } from './procfs.mjs';
import { runLoad } from './sipp-load.mjs';

/** The machine a run measured, for the JSON results: `loadavg` as it was when the run began. */
export function machineFacts(loadavg) {
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memoryGb: Math.round(os.totalmem() / 2 ** 27) / 8,
    loadavgAtStart: loadavg.map((l) => Math.round(l * 100) / 100),
    node: process.version,
  };
}

/** Fail-open and breaker counters from the agent's and Kamailio's logs, to diff around a run. */
function counters(agent, edge) {
  return {
    failOpenAgent: agent.counts.failOpen,
    failOpenKamailio: edge.counts.noDecision,
    breakerOpenLogs: agent.counts.breakerOpen + edge.counts.breakerOpen,
  };
}
const diff = (a, b) => Object.fromEntries(Object.keys(a).map((k) => [k, b[k] - a[k]]));

/**
 * p50 and p99 over one step of one of the agent's Prometheus histograms (decision time, event
 * spool time): the upper bound of the bucket each falls in, in ms; "> 1600" beyond the last.
 */
function quantiles(before, after) {
  const bounds = Object.keys(after)
    .filter((le) => le !== '+Inf')
    .sort((a, b) => Number(a) - Number(b));
  const count = (le) => (after[le] ?? 0) - (before[le] ?? 0);
  const total = count('+Inf');
  if (!total) return null;
  const at = (q) => {
    const le = bounds.find((b) => count(b) >= q * total);
    return le === undefined ? `> ${Number(bounds.at(-1)) * 1000}` : Number(le) * 1000;
  };
  return { count: total, p50Ms: at(0.5), p99Ms: at(0.99) };
}

/**
 * A load function for this run: `dir` holds each step's sipp files, `groups` names the process
 * groups CPU is counted for ({ name: pgid }, filled in as parts start), `ports` the caller's.
 */
export function createLoad({ dir, groups, ports, holdMs }) {
  /** One bounded sipp run towards `remote`, with its CPU and (stack given) the agent's state. */
  return async function load(name, remote, rate, calls, stack, options = {}) {
    const cpuBefore = cpuSnapshot(groups);
    const before = stack && counters(stack.agent, stack.edge);
    const bucketsBefore = stack && (await stack.agent.histograms());
    const r = await runLoad({
      dir: join(dir, name),
      remote,
      rate,
      calls,
      limit: Math.max(100, 2 * rate), // at most two seconds of calls in flight
      holdMs,
      callers: options.callers,
      scenario: options.scenario,
      ports,
    });
    r.cpu = cpuUsage(cpuBefore, cpuSnapshot(groups), calls, r.callerCpuS);
    r.cpu.perCallMs.caller = Math.round((r.callerCpuS * 1e5) / calls) / 100;
    if (stack) {
      r.logged = diff(before, counters(stack.agent, stack.edge));
      const health = await stack.agent.health();
      r.atEnd = { spoolDepth: health.spool.depth, agentBreaker: health.worker.breaker };
      const bucketsAfter = await stack.agent.histograms();
      r.agentDecision = quantiles(bucketsBefore.decision, bucketsAfter.decision);
      r.agentEvent = quantiles(bucketsBefore.event, bucketsAfter.event);
    }
    return r;
  };
}
