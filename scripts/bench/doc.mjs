// docs/benchmarks.md from the benchmarks' JSON results and scripts/bench/benchmarks.template.md:
// the prose stays in the template, the figures, tables and met/MISSED verdicts are filled in here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { callPathRequests, totalRequests as total } from './mix.mjs';

const TEMPLATE = join(import.meta.dirname, 'benchmarks.template.md');
const DASH = '–';

/** The targets, as the issue states them. */
const TARGETS = {
  zendesk: 'repeat caller: Zendesk requests per call = 0',
  cached: 'cached decision p99 < 5 ms in workerd (in-Worker `Server-Timing`)',
  cps: '≥ 500 calls/s through the full path with no failed call',
  latency: 'p99 added latency < 20 ms',
  bundle: 'app initial download ≤ 100 KB gzipped',
};

const num = (v, digits = 1) => (Number.isFinite(v) ? `${Number(v.toFixed(digits))}` : DASH);
const msOf = (v, digits = 1) => (Number.isFinite(v) ? `${num(v, digits)} ms` : DASH);
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const mark = (met) => (met ? 'met' : '**MISSED**');
const day = (iso) => iso.slice(0, 10);
const range = (values, digits = 1) => {
  const ok = values.filter(Number.isFinite);
  if (!ok.length) return DASH;
  const [lo, hi] = [Math.min(...ok), Math.max(...ok)].map((v) => num(v, digits));
  return lo === hi ? lo : `${lo}–${hi}`;
};
const failedLine = (step) =>
  `**FAILED in this run** (\`${step.command}\`: ${step.failure}); no figures for this section.\n\n`;

/** Replaces each `{{key}}`; a key the values lack is an error, not an empty string. */
function fill(template, values) {
  return template.replace(/\{\{([\w.]+)\}\}/g, (_, key) => {
    if (!(key in values)) throw new Error(`benchmarks template: no value for {{${key}}}`);
    return String(values[key]);
  });
}

function workerSection(step, calls, runDate) {
  const r = step.data;
  const values = {
    'worker.status': step.data ? '' : failedLine(step),
    'worker.date': r ? day(r.at) : runDate,
    'worker.calls': (r?.first.decisions ?? calls).toLocaleString('en'),
    'worker.baselineP99': r ? `~${msOf(r.devServerBaseline.p99, 0)}` : 'not measured',
    'worker.runtime': r?.runtime ?? 'workerd',
  };
  if (!r) {
    return {
      ...values,
      'worker.table': '_No figures: bench:worker failed in this run._',
      'worker.targets': '',
      rows: [
        [TARGETS.zendesk, DASH, '**FAILED** (bench:worker)'],
        [TARGETS.cached, DASH, '**FAILED** (bench:worker)'],
      ],
    };
  }
  const { first, repeat, devServerBaseline: base } = r;
  const perCall = (n) => `${n.toFixed(2)}${n.toFixed(2) === '1.00' ? ' (one user search)' : ''}`;
  const pair = (l, d) => `${msOf(l.p50, d)} / ${msOf(l.p99, d)}`;
  const zendeskMet = repeat.zendeskRequestsPerCall === 0;
  const cachedMet = repeat.worker.p99 < 5;
  const by = repeat.worker.p99 - 5;
  const table = [
    '| callers | Zendesk requests per call | in the Worker p50 / p99 | client p50 / p99 |',
    '|---|---|---|---|',
    `| first-time (no cached match) | ${perCall(first.zendeskRequestsPerCall)} | ${pair(first.worker, 1)} | ${pair(first.http, 1)} |`,
    `| repeat (cached match) | **${num(repeat.zendeskRequestsPerCall, 2)}** | **${pair(repeat.worker, 1)}** | ${pair(repeat.http, 1)} |`,
    `| ${r.runtime ?? 'wrangler dev'} alone, a 404 with no I/O | ${DASH} | ${DASH} | ${pair(base, 1)} |`,
  ].join('\n');
  const targets =
    `Targets: a repeat caller costs 0 Zendesk requests: **${zendeskMet ? 'met' : 'MISSED'}** ` +
    `(${num(repeat.zendeskRequestsPerCall, 2)}). A cached decision's p99 under 5 ms in local ` +
    `workerd: **${cachedMet ? 'met' : `MISSED by ${msOf(by)}`}** (p50 ${msOf(repeat.worker.p50)}, ` +
    `p99 ${msOf(repeat.worker.p99)} in the Worker).`;
  return {
    ...values,
    'worker.table': table,
    'worker.targets': targets,
    rows: [
      [TARGETS.zendesk, num(repeat.zendeskRequestsPerCall, 2), mark(zendeskMet)],
      [
        TARGETS.cached,
        `p99 ${msOf(repeat.worker.p99)} (p50 ${msOf(repeat.worker.p50)})`,
        mark(cachedMet),
      ],
    ],
  };
}

function appSection(step, timing, { runDate, versions, lastTiming }) {
  const r = step.data;
  const timingCell = timing.data
    ? `${range(timing.data.samples, 0)} ms (${num(median(timing.data.samples), 0)} ms typical, ` +
      `${timing.data.samples.length} run${timing.data.samples.length === 1 ? '' : 's'})`
    : `${lastTiming}; not re-measured in this run (${timing.failure ?? 'skipped'})`;
  const timingRow = `| \`app.registered\` → call details shown, headless Chromium, real Worker on loopback | ${timingCell} | ${DASH} |`;
  const values = {
    'app.status': r ? '' : failedLine(step),
    'app.date': r ? day(r.at) : runDate,
    'app.versions': versions,
  };
  if (!r) {
    return {
      ...values,
      'app.table': timingRow,
      rows: [[TARGETS.bundle, DASH, '**FAILED** (app:build)']],
    };
  }
  const { initial } = r;
  const met = initial.gzipped <= r.budgetBytes;
  const budget = (bytes) => kb(bytes).replace('.0 ', ' ');
  const table = [
    `| initial download, gzipped (HTML, CSS and JS to the first paint, with the largest locale chunk${initial.locale ? `, ${initial.locale}` : ''}) | **${kb(initial.gzipped)}** | ${budget(r.budgetBytes)}: ${mark(met)} |`,
    `| of which an agent in English (no locale chunk) | ${kb(initial.englishGzipped)} | ${DASH} |`,
    ...r.lazy.map(
      (c) =>
        `| ${c.what}, loaded when the agent opens it | ${kb(c.gzipped)} | ${budget(c.budgetBytes)}: ${mark(c.gzipped <= c.budgetBytes)} |`,
    ),
    `| every file together (all locales, all lazy chunks) | ${kb(r.totalGzipped)} | ${DASH} |`,
    timingRow,
  ].join('\n');
  return {
    ...values,
    'app.table': table,
    rows: [[TARGETS.bundle, kb(initial.gzipped), mark(met)]],
  };
}

/** The bench:spool section: the agent's durable appends per second and per write+fsync. */
function spoolSection(step, runDate) {
  const r = step?.data;
  const values = {
    'spool.status': r ? '' : step ? failedLine(step) : '',
    'spool.date': r ? day(r.at) : runDate,
  };
  if (!r) return { ...values, 'spool.table': '_No figures: bench:spool did not run._' };
  const table = [
    '| figure | measured |',
    '|---|---|',
    `| events made durable (write + fdatasync) per second, ${r.writers} concurrent writers | **${r.perSecond.toLocaleString('en')}** |`,
    `| appends sharing one write + fdatasync (group commit) | ${num(r.perCommit)} |`,
    `| events, seconds | ${r.events.toLocaleString('en')}, ${num(r.seconds, 2)} s |`,
  ].join('\n');
  return { ...values, 'spool.table': table };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The bench:sip section: `key` 'sip' for the full path, 'edge' for the edge alone
 * (BENCH_SIP_WORKER=stub), whose decisions come from the stub and whose targets rows say so.
 */
function sipSection(step, runDate, settings, key = 'sip') {
  const edge = key === 'edge';
  const who = edge ? 'the stub' : 'the Worker';
  const label = (target) =>
    edge
      ? target.includes('full path')
        ? target.replace('full path', 'edge alone (stub Worker)')
        : `${target} (edge alone, stub Worker)`
      : target;
  const command = edge ? 'bench:sip, edge alone' : 'bench:sip';
  const r = step.data;
  const s = r?.settings ?? settings;
  const values = {
    [`${key}.status`]: r ? '' : failedLine(step),
    [`${key}.date`]: r ? day(r.at) : runDate,
    [`${key}.asyncWorkers`]: s.limits.async_workers,
    [`${key}.eventWorkers`]: s.limits.event_workers,
    [`${key}.pool`]: s.callerPool,
    [`${key}.maxStepCalls`]: s.maxStepCalls.toLocaleString('en'),
    [`${key}.stepSeconds`]: s.stepSeconds,
  };
  if (!r) {
    return {
      ...values,
      [`${key}.table`]: `_No figures: ${command} failed in this run._`,
      [`${key}.targets`]: '',
      [`${key}.cpu`]: 'Where the cores go, per call: not measured in this run.',
      rows: [
        [label(TARGETS.cps), DASH, `**FAILED** (${command})`],
        [label(TARGETS.latency), DASH, `**FAILED** (${command})`],
      ],
    };
  }
  const rates = [...new Set([...r.proxy, ...r.direct].map((x) => x.rate))].sort((a, b) => a - b);
  const added = (rate) => {
    const p = r.proxy.find((x) => x.rate === rate);
    const d = r.direct.find((x) => x.rate === rate);
    return p && d ? p.p99 - d.p99 : NaN;
  };
  const rows = rates.map((rate) => {
    const p = r.proxy.find((x) => x.rate === rate);
    const d = r.direct.find((x) => x.rate === rate);
    const proxy = p
      ? `${p.failed} / ${p.achievedCps ?? DASH} | ${p.p50} / ${p.p99} ms | ${Math.round((100 * p.sourceWorker) / p.calls)} %`
      : `not run | ${DASH} | ${DASH}`;
    return `| ${rate} | ${proxy} | ${d ? `${d.p99} ms` : 'not run'} | ${msOf(added(rate), 0)} |`;
  });
  const skipped = s.rates.filter((rate) => !rates.includes(rate));
  const table = [
    `| offered calls/s | through the proxy: failed / answered per s | p50 / p99 | decided by ${who} | straight to the UAS: p99 | added p99 |`,
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  const note = skipped.length
    ? `\n\nNot run (too close to the run's 4-minute deadline): ${skipped.join(', ')} calls/s.`
    : '';

  // The verdicts are bench:sip's own (report.mjs), so the page and the console agree.
  const t = r.targets;
  const sustained = t.sustainedCps;
  const decided = t.sustainedCpsWorkerDecided;
  const at500 = r.proxy.find((x) => x.rate === 500);
  const lowest = rates.find((rate) => Number.isFinite(added(rate)));
  const addedText =
    (Number.isFinite(t.latency.addedP99At500)
      ? `${msOf(t.latency.addedP99At500, 0)} at 500 calls/s`
      : 'no 500 calls/s figures') +
    (lowest !== undefined && lowest !== 500
      ? `; ${msOf(added(lowest), 0)} at ${lowest} calls/s`
      : '');
  const cpsText =
    `sustained ${sustained} calls/s, ${decided} calls/s with ≥ 99 % of decisions from ${who}` +
    (at500 ? `; at 500: ${at500.failed} failed, ${at500.achievedCps} answered per s` : '');
  const targets =
    `Targets: at least 500 calls/s through the ${edge ? 'edge alone' : 'full path'} with no failed call: ` +
    `**${t.cps.met ? 'met' : 'MISSED'}** (${cpsText}). p99 added latency under 20 ms: ` +
    `**${t.latency.met ? 'met' : 'MISSED'}** (${addedText}).`;

  // Where the CPU goes, per call, over the proxied steps.
  const per = (key) => range(r.proxy.map((x) => x.cpu?.perCallMs?.[key]));
  const sipp = range(
    r.proxy.flatMap((x) => [x.cpu?.perCallMs?.uas, x.cpu?.perCallMs?.caller]),
    2,
  );
  const top = r.proxy.at(-1);
  const m = r.memory.after.shm;
  const e = r.events;
  const cpu =
    `Where the ${r.machine.cores} cores go, per call (CPU time from \`/proc\`, over the proxied ` +
    `steps): ${edge ? 'the stub Worker' : `the Worker on ${r.runtime ?? 'wrangler dev'}`} ${per('worker')} ms, the edge agent ${per('agent')} ms, ` +
    `Kamailio ${per('kamailio')} ms, each sipp ${sipp} ms.` +
    (top
      ? ` At ${top.rate} calls/s the box was ${top.cpu.machineBusyPct} % busy, with ` +
        `${top.retransmissions} INVITE retransmissions adding to the load.`
      : '') +
    ` Other work on the host (outside the benchmark's processes) kept ` +
    `${range(
      r.proxy.map((x) => x.cpu?.othersCores),
      2,
    )} cores busy during these steps.` +
    ` The event spool held ${e.spoolDepthAfterSteps} events after the steps and ${e.spoolDepthAtEnd} ` +
    `at the end; Kamailio's shared memory peaked at ${m.maxUsedMb} MB of ${m.totalMb} MB.`;
  return {
    ...values,
    [`${key}.table`]: table + note,
    [`${key}.targets`]: targets,
    [`${key}.cpu`]: cpu,
    rows: [
      [
        label(TARGETS.cps),
        `sustained ${sustained} calls/s (${decided} decided by ${who})`,
        mark(t.cps.met),
      ],
      [label(TARGETS.latency), addedText, mark(t.latency.met)],
    ],
  };
}

const MIX_TARGETS = {
  requests:
    'Zendesk requests per call: ≤ 0.05 repeat and handed-off, ≤ 1.05 when the bridge creates the ticket',
  at100: '100 calls/s of the AI-agent mix: 0 failed, none degraded, INVITE→200 p99 ≤ 100 ms',
  cpu: 'edge CPU per call (Kamailio + agent) ≤ 3× a plain stateful relay',
};

const classes = (byClass = {}) =>
  Object.entries(byClass)
    .map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`)
    .join(', ') || 'none';

/** The AI-agent mix section (bench:sip's default profile, test-results/bench-sip-mix.json). */
export function mixSection(step, runDate) {
  const r = step.data;
  const values = {
    'mix.status': r ? '' : failedLine(step),
    'mix.date': r ? day(r.at) : runDate,
    'mix.machine': r
      ? `${r.machine.cores} × ${r.machine.cpu}, load average ${r.machine.loadavgAtStart[0]} at the start`
      : 'the same machine',
  };
  if (!r) {
    return {
      ...values,
      'mix.table': '_No figures: bench:sip (AI-agent mix) failed in this run._',
      'mix.kinds': '',
      'mix.targets': '',
      'mix.cpu': '',
      rows: Object.values(MIX_TARGETS).map((t) => [t, DASH, '**FAILED** (bench:sip, mix)']),
    };
  }
  const edge = (x) => x.cpu.perCallMs.kamailio + x.cpu.perCallMs.agent;
  const table = [
    '| offered calls/s | failed | degraded | p50 / p99 | Zendesk requests in the call path, per call | edge CPU per call | plain relay p99 | plain relay CPU per call | ratio |',
    '|---|---|---|---|---|---|---|---|---|',
    ...r.mixSteps.map((x) => {
      const relay = x.relay.cpu.perCallMs.relay;
      return (
        `| ${x.rate} | ${x.failed} | ${x.degradedCalls} | ${x.p50} / ${x.p99} ms | ` +
        `${num(callPathRequests(x.zendeskDuring) / x.calls, 2)} | ${num(edge(x), 2)} ms | ` +
        `${x.relay.p99} ms | ${num(relay, 2)} ms | ${num(edge(x) / relay, 1)}× |`
      );
    }),
  ].join('\n');
  const kinds = [
    `| kind (${r.settings.kindPass.calls} calls at ${r.settings.kindPass.rate} calls/s) | requests per call | requests, by what for | failed | degraded |`,
    '|---|---|---|---|---|',
    ...Object.entries(r.kindPasses).map(
      ([kind, x]) =>
        `| ${kind.replace('_', '-')} | ${num(total(x.zendesk) / x.calls, 2)} | ${classes(x.zendesk)} | ${x.failed} | ${x.degradedCalls} |`,
    ),
  ].join('\n');
  const mixCalls = r.mixSteps.reduce((n, x) => n + x.calls, 0);
  const t = r.targets;
  const perKind = Object.entries(t.requestsPerCall.perKind)
    .map(([k, v]) => `${k.replace('_', '-')} ${num(v, 2)}`)
    .join(', ');
  const at100 =
    t.at100.met || t.at100.p99 !== undefined
      ? `${t.at100.failed} failed, ${t.at100.degraded} degraded, p99 ${t.at100.p99} ms`
      : '100 calls/s not run';
  const targets =
    `The whole mix cost ${total(r.mixZendesk)} requests for ${mixCalls} calls ` +
    `(${num(total(r.mixZendesk) / mixCalls, 2)} per call: ${classes(r.mixZendesk)}). Preparing the ` +
    `${r.handoffSetup.handoffs} handoffs beforehand (\`POST /v1/handoffs\`, not a call) cost ` +
    `${classes(r.handoffSetup.zendesk)}.`;
  const top = r.mixSteps.at(-1);
  const cpu = top
    ? `CPU per call at ${top.rate} calls/s, by process: ` +
      Object.entries(top.cpu.perCallMs)
        .filter(([k]) => k !== 'relay')
        .map(([k, v]) => `${k} ${num(v, 2)} ms`)
        .join(', ') +
      `; the machine was ${top.cpu.machineBusyPct} % busy.`
    : '';
  return {
    ...values,
    'mix.table': table,
    'mix.kinds': kinds,
    'mix.targets': targets,
    'mix.cpu': cpu,
    rows: [
      [MIX_TARGETS.requests, perKind, mark(t.requestsPerCall.met)],
      [MIX_TARGETS.at100, at100, mark(t.at100.met)],
      [MIX_TARGETS.cpu, `${num(t.edgeCpu.ratioAt100, 1)}× at 100 calls/s`, mark(t.edgeCpu.met)],
    ],
  };
}

/**
 * The page, from `steps` (each { name, command, data, failure, seconds }) and the run's context:
 * { at, machine: { text, cores }, calls, sipSettings, app: { versions, lastTiming } }.
 */
export function renderBenchmarks({ steps, context }) {
  const runDate = day(context.at);
  const worker = workerSection(steps.worker, context.calls, runDate);
  const mix = mixSection(steps.mix, runDate);
  const sip = sipSection(steps.sip, runDate, context.sipSettings);
  const edge = sipSection(steps.edge, runDate, context.sipSettings, 'edge');
  const app = appSection(steps.app, steps.timing, { runDate, ...context.app });
  const spool = spoolSection(steps.spool, runDate);
  const summary = Object.values(steps)
    .map((s) =>
      s.data
        ? `\`${s.command}\` ${Math.round(s.seconds)} s`
        : `\`${s.command}\` ${s.optional && !s.ran ? 'skipped' : '**FAILED**'} (${s.failure})`,
    )
    .join(', ');
  const failed = Object.values(steps).filter((s) => !s.data && (s.ran || !s.optional));
  const run =
    `Run on ${runDate} (${context.at.slice(11, 16)} UTC): ${summary}.` +
    (failed.length
      ? ` **${failed.length} benchmark${failed.length === 1 ? '' : 's'} failed**: the sections` +
        ' marked FAILED below have no figures from this run.'
      : '');
  const targets = [...worker.rows, ...mix.rows, ...sip.rows, ...edge.rows, ...app.rows]
    .map((row) => `| ${row.join(' | ')} |`)
    .join('\n');
  const page = fill(readFileSync(TEMPLATE, 'utf8'), {
    run,
    machine: context.machine.text,
    cores: `${context.machine.cores} cores`,
    targets,
    ...worker,
    ...mix,
    ...sip,
    ...edge,
    ...app,
    ...spool,
  });
  // A failed section leaves empty placeholders: no run of blank lines for them.
  return page.replace(/\n{3,}/g, '\n\n');
}
