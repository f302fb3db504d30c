// bench:sip's summary: the step table, memory, decision path, and the two targets (met/MISSED).

/** The highest offered rate answered with no failed call and at least 95 % of the offered rate. */
export function sustainedRate(steps) {
  const ok = steps.filter((s) => s.failed === 0 && (s.achievedCps ?? 0) >= 0.95 * s.rate);
  return ok.length ? Math.max(...ok.map((s) => s.rate)) : 0;
}

const cell = (v, width) => String(v ?? '-').padStart(width);
const msCell = (v) => cell(Number.isFinite(v) ? `${v} ms` : '-', 8);

/** Prints the report and returns the targets as data for the JSON file. */
export function printReport(r) {
  const rates = [...new Set([...r.proxy, ...r.direct].map((s) => s.rate))].sort((a, b) => a - b);
  const side = (s) =>
    s
      ? `${cell(s.calls, 6)}${cell(s.failed, 7)}${cell(s.achievedCps, 8)}${msCell(s.p50)}${msCell(s.p99)}`
      : `${cell('-', 6)}${cell('-', 7)}${cell('-', 8)}${msCell()}${msCell()}`;
  console.log(`
 offered │ through the proxy (full path)          │ direct to the stand-in (baseline)      │ added
 calls/s │  calls failed calls/s     p50     p99 │  calls failed calls/s     p50     p99 │   p99
─────────┼────────────────────────────────────────┼────────────────────────────────────────┼────────`);
  for (const rate of rates) {
    const p = r.proxy.find((s) => s.rate === rate);
    const d = r.direct.find((s) => s.rate === rate);
    const added = p && d && Number.isFinite(p.p99 - d.p99) ? p.p99 - d.p99 : undefined;
    console.log(` ${cell(rate, 7)} │ ${side(p)} │ ${side(d)} │${msCell(added)}`);
  }
  console.log(
    'INVITE→200 times from sipp -trace_rtt, whole milliseconds (sipp clock; 0 ms = under 1 ms);',
  );
  console.log('calls/s achieved = answered calls per second, first to last 200 OK of the step.');

  const m = r.memory;
  console.log(
    `Kamailio memory: shm used ${m.before.shm.usedMb} → ${m.after.shm.usedMb} MB (max ${m.after.shm.maxUsedMb} of ${m.after.shm.totalMb} MB); ` +
      `${m.after.processes} processes, PSS ${m.before.pssSumMb} → ${m.after.pssSumMb} MB, RSS sum ${m.before.rssSumMb} → ${m.after.rssSumMb} MB; ` +
      `active dialogs at the end ${JSON.stringify(m.activeDialogsAtEnd)}`,
  );
  const d = r.decisions;
  const x = d.workerExport;
  console.log(
    `Decisions: ${d.proxiedCalls} calls through the proxy (warm-up included): source worker ${d.sourceWorker ?? 'unknown (a breaker opened)'}, ` +
      `fail open ${d.failOpenAgent} in the agent ${JSON.stringify(d.failOpenAgentReasons)} + ${d.failOpenKamailio} in Kamailio; ` +
      `breaker opened agent ${d.breakerOpened.agent}× / Kamailio ${d.breakerOpened.kamailio}×`,
  );
  console.log(
    `Worker export: ${x.records} call records, ${x.decidedByWorker} with the Worker's decision, ${x.decisionNotReceived} recorded from events only; status ${JSON.stringify(x.byStatus)}`,
  );
  const e = r.events;
  console.log(
    `Event spool depth at the end: ${e.spoolDepthAtEnd} (after waiting ${e.drainWaitMs} ms); delivery retries ${e.deliverRetries}, spool failures ${e.spoolFailures}, not spooled ${e.notSpooledByKamailio}`,
  );

  const sustained = sustainedRate(r.proxy);
  const at = r.proxy.find((s) => s.rate === 500);
  const base = r.direct.find((s) => s.rate === 500);
  const added = at && base ? at.p99 - base.p99 : NaN;
  const targets = {
    sustainedCps: sustained,
    cps: {
      target: '≥ 500 calls/s through the full path with no failed call',
      met: sustained >= 500,
    },
    latency: {
      target: 'p99 added latency < 20 ms',
      met: Number.isFinite(added) && added < 20,
      addedP99At500: Number.isFinite(added) ? added : null,
    },
  };
  const mark = (ok) => (ok ? 'met' : 'MISSED');
  console.log(
    `\ntarget: ${targets.cps.target} → ${mark(targets.cps.met)} (sustained ${sustained} calls/s` +
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
