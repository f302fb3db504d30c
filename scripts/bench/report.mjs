// bench:sip's summary: the step table, memory, decision path, events, and the two targets.

/**
 * The highest offered rate answered with no failed call and at least 95 % of the offered rate;
 * with `workerShare`, also with at least that share of the calls decided by the Worker.
 */
function sustainedRate(steps, workerShare = 0) {
  const ok = steps.filter(
    (s) =>
      s.failed === 0 &&
      (s.achievedCps ?? 0) >= 0.95 * s.rate &&
      (s.sourceWorker ?? 0) >= workerShare * s.calls,
  );
  return ok.length ? Math.max(...ok.map((s) => s.rate)) : 0;
}

const cell = (v, width) => String(v ?? '-').padStart(width);
const msCell = (v) => cell(Number.isFinite(v) ? `${v} ms` : '-', 8);
const pct = (n, of) => `${of ? Math.round((100 * n) / of) : 0} %`;
const side = (s) =>
  s
    ? `${cell(s.calls, 6)}${cell(s.failed, 7)}${cell(s.achievedCps, 8)}${msCell(s.p50)}${msCell(s.p99)}`
    : `${cell('-', 6)}${cell('-', 7)}${cell('-', 8)}${msCell()}${msCell()}`;

/** Prints the report and returns the targets, for the JSON file. */
export function printReport(r) {
  const edge = r.mode === 'edge';
  const rates = [...new Set([...r.proxy, ...r.direct].map((s) => s.rate))].sort((a, b) => a - b);
  console.log(`
 offered │ ${(edge ? 'through the edge alone (stub Worker)' : 'through the proxy (full path)').padEnd(46)}│ straight to the stand-in               │  added
 calls/s │  calls failed calls/s     p50     p99  worker │  calls failed calls/s     p50     p99 │    p99
─────────┼───────────────────────────────────────────────┼────────────────────────────────────────┼────────`);
  for (const rate of rates) {
    const p = r.proxy.find((s) => s.rate === rate);
    const d = r.direct.find((s) => s.rate === rate);
    const added = p && d ? p.p99 - d.p99 : NaN;
    const share = p ? cell(pct(p.sourceWorker, p.calls), 7) : cell('-', 7);
    console.log(` ${cell(rate, 7)} │ ${side(p)} ${share} │ ${side(d)} │${msCell(added)}`);
  }
  console.log(
    'INVITE→200 of answered calls, sipp -trace_rtt in whole ms (0 ms = under 1 ms); calls/s = answered per\n' +
      'second, first to last 200 OK; worker = calls decided by the Worker (the rest failed open).',
  );

  const m = r.memory;
  console.log(
    `Kamailio memory: shm used ${m.before.shm.usedMb} → ${m.after.shm.usedMb} MB (max ${m.after.shm.maxUsedMb} of ` +
      `${m.after.shm.totalMb} MB); ${m.after.processes} processes, PSS ${m.before.pssSumMb} → ${m.after.pssSumMb} MB, ` +
      `RSS summed ${m.before.rssSumMb} → ${m.after.rssSumMb} MB; active dialogs at the end ` +
      `${Object.values(m.activeDialogsAtEnd ?? {})[0] ?? '?'}`,
  );
  const d = r.decisions;
  const failOpen = d.proxiedCalls - d.sourceWorker;
  console.log(
    `Decisions (warm-up included): ${d.proxiedCalls} calls, source worker ${d.sourceWorker} ` +
      `(${pct(d.sourceWorker, d.proxiedCalls)}), fail open ${failOpen} (${pct(failOpen, d.proxiedCalls)}): ` +
      `${d.failOpenAgent} logged by the agent ${JSON.stringify(d.failOpenAgentReasons)}, ` +
      `${d.failOpenKamailio} by Kamailio, the rest while a breaker was open ` +
      `(breaker-open log lines: agent ${d.breakerOpenLogs.agent}, Kamailio ${d.breakerOpenLogs.kamailio})`,
  );
  const x = d.workerExport;
  console.log(
    `Worker export: ${x.records} records, ${x.decidedByWorker} with the Worker's decision, ` +
      `${x.decisionNotReceived} from events only; status ${JSON.stringify(x.byStatus)}`,
  );
  const e = r.events;
  console.log(
    `Event spool: ${e.spoolDepthAfterSteps} after the steps → ${e.spoolDepthAtEnd} after ${e.drainWaitMs} ms ` +
      `(${e.drainEventsPerSecond} events/s delivered, Worker busy ${e.workerCoresDuringDrain} cores); ` +
      `retries ${e.deliverRetries}, ` +
      `spool failures ${e.spoolFailures}, not spooled ${e.notSpooledByKamailio}`,
  );

  const sustained = sustainedRate(r.proxy);
  // "Through the full path": the calls also got the Worker's decision (not a fail-open relay).
  const decided = sustainedRate(r.proxy, 0.99);
  const at = r.proxy.find((s) => s.rate === 500);
  const base = r.direct.find((s) => s.rate === 500);
  const added = at && base ? at.p99 - base.p99 : NaN;
  const targets = {
    sustainedCps: sustained,
    sustainedCpsWorkerDecided: decided,
    cps: {
      target: `≥ 500 calls/s through the ${edge ? 'edge alone (stub Worker)' : 'full path'} with no failed call`,
      met: decided >= 500,
    },
    latency: {
      target: 'p99 added latency < 20 ms',
      met: Number.isFinite(added) && added < 20,
      addedP99At500: Number.isFinite(added) ? added : null,
    },
  };
  const mark = (ok) => (ok ? 'met' : 'MISSED');
  console.log(
    `\ntarget: ${targets.cps.target} → ${mark(targets.cps.met)} (sustained ${sustained} calls/s, ` +
      `${decided} calls/s with ≥ 99 % of decisions from the Worker` +
      (at
        ? `; at 500: ${at.failed} failed, ${at.achievedCps} calls/s answered)`
        : '; 500 not run)'),
  );
  console.log(
    `target: ${targets.latency.target} → ${mark(targets.latency.met)} (` +
      (Number.isFinite(added)
        ? `at 500 calls/s: p99 ${at.p99} ms through the proxy − ${base.p99} ms direct = ${added} ms)`
        : 'no 500 calls/s figures)'),
  );
  return targets;
}
