// bench:sip's summary of the AI-agent mix: the step table beside the plain relay, Zendesk requests
// per call by kind, and the targets of issue 15 (requests per call, 100 calls/s, edge CPU ratio).
import { callPathRequests, totalRequests as sum } from './mix.mjs';

const cell = (v, width) => String(v ?? '-').padStart(width);
const ms = (v) => cell(Number.isFinite(v) ? `${v} ms` : '-', 8);
const round2 = (n) => Math.round(n * 100) / 100;
const edgeMs = (s) => round2(s.cpu.perCallMs.kamailio + s.cpu.perCallMs.agent);

/** Prints the report; returns the targets, for the JSON file. */
export function printMixReport(r) {
  console.log(`
 offered │ AI-agent mix through the full stack                              │ plain relay
 calls/s │  calls failed degraded     p50     p99  Zendesk/call  edge CPU  │     p99  CPU/call  ratio
─────────┼──────────────────────────────────────────────────────────────────┼────────────────────────`);
  for (const s of r.mixSteps) {
    const perCall = round2(callPathRequests(s.zendeskDuring) / s.calls);
    const relayCpu = s.relay.cpu.perCallMs.relay;
    const ratio = relayCpu > 0 ? round2(edgeMs(s) / relayCpu) : NaN;
    console.log(
      ` ${cell(s.rate, 7)} │ ${cell(s.calls, 6)}${cell(s.failed, 7)}${cell(s.degradedCalls, 9)}` +
        `${ms(s.p50)}${ms(s.p99)}${cell(perCall, 14)}${cell(`${edgeMs(s)} ms`, 10)}  │` +
        `${ms(s.relay.p99)}${cell(`${relayCpu} ms`, 10)}${cell(`${ratio}×`, 7)}`,
    );
  }
  console.log(
    'INVITE→200 of answered calls (sipp, whole ms). degraded = calls whose record lists a degraded\n' +
      'step. Zendesk/call = requests in the call path (match, ticket check, user and ticket creation)\n' +
      'during the step, per call. edge CPU = Kamailio + agent CPU ms per call; ratio to the plain\n' +
      'relay (Kamailio alone: tm, dialog, record-route, permissions) at the same rate, same run.',
  );
  for (const s of r.mixSteps) {
    if (Object.keys(s.degradedSteps).length)
      console.log(`  ${s.rate} calls/s degraded steps: ${JSON.stringify(s.degradedSteps)}`);
  }
  const cpu = r.mixSteps.at(-1)?.cpu.perCallMs;
  if (cpu)
    console.log(
      `CPU ms per call at ${r.mixSteps.at(-1).rate} calls/s by process: ${Object.entries(cpu)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );

  console.log('\nZendesk requests per call, each kind alone (notes included, after they settled):');
  const perKind = {};
  for (const [kind, pass] of Object.entries(r.kindPasses)) {
    const total = sum(pass.zendesk);
    perKind[kind] = round2(total / pass.calls);
    console.log(
      `  ${kind.padEnd(10)} ${cell(perKind[kind], 5)} per call (${total} for ${pass.calls} calls: ` +
        `${JSON.stringify(pass.zendesk)}), ${pass.failed} failed, ${pass.degradedCalls} degraded`,
    );
  }
  const mixCalls = r.mixSteps.reduce((n, s) => n + s.calls, 0);
  const mixTotal = sum(r.mixZendesk);
  console.log(
    `  the mix     ${cell(round2(mixTotal / Math.max(1, mixCalls)), 5)} per call (${mixTotal} for ` +
      `${mixCalls} calls: ${JSON.stringify(r.mixZendesk)})`,
  );
  console.log(
    `  handoff preparation (POST /v1/handoffs, before the calls): ${sum(r.handoffSetup.zendesk)} ` +
      `requests for ${r.handoffSetup.handoffs} handoffs ${JSON.stringify(r.handoffSetup.zendesk)}`,
  );

  const at100 = r.mixSteps.find((s) => s.rate === 100);
  const ratio100 = at100 ? round2(edgeMs(at100) / at100.relay.cpu.perCallMs.relay) : null;
  const targets = {
    requestsPerCall: {
      target: '≤ 0.05 repeat and handed-off (passed) tickets, ≤ 1.05 when the bridge creates it',
      perKind,
      met:
        perKind.repeat <= 0.05 &&
        perKind.handoff <= 0.05 &&
        perKind.first_time <= 1.05 &&
        perKind.withheld <= 1.05,
    },
    at100: {
      target: '100 calls/s of the mix: 0 failed, none degraded, INVITE→200 p99 ≤ 100 ms',
      met: Boolean(at100 && at100.failed === 0 && at100.degradedCalls === 0 && at100.p99 <= 100),
      ...(at100
        ? { failed: at100.failed, degraded: at100.degradedCalls, p99: at100.p99, p50: at100.p50 }
        : {}),
    },
    edgeCpu: {
      target: 'edge CPU per call ≤ 3× a plain stateful relay',
      met: ratio100 !== null && ratio100 <= 3,
      ratioAt100: ratio100,
    },
  };
  const mark = (ok) => (ok ? 'met' : 'MISSED');
  console.log(
    `\ntarget: Zendesk requests per call ${targets.requestsPerCall.target} → ` +
      `${mark(targets.requestsPerCall.met)} (${JSON.stringify(perKind)})`,
  );
  console.log(
    `target: ${targets.at100.target} → ${mark(targets.at100.met)}` +
      (at100
        ? ` (${at100.failed} failed, ${at100.degradedCalls} degraded, p99 ${at100.p99} ms)`
        : ' (100 calls/s not run)'),
  );
  console.log(
    `target: ${targets.edgeCpu.target} → ${mark(targets.edgeCpu.met)} (${ratio100 ?? '-'}× at 100 calls/s)`,
  );
  return targets;
}
