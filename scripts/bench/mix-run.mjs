// bench:sip's headline profile: the AI-agent mix (mix.mjs) through the full stack, the Zendesk
// requests it costs by kind, and the edge's CPU beside a plain stateful relay in the same run.
//
// Order: start everything; seed the repeat callers in Zendesk; run the plain relay reference (the
// export leaves out the last minute, so the seeded users reach the phone index a minute later);
// sync the phone index (the cron, run on demand); prepare the handoffs; warm up; the mix steps;
// then each kind alone, to count its requests per call; drain and read the call records.
import { join } from 'node:path';
import os from 'node:os';
import { machineFacts } from './measure.mjs';
import { SIPP, uasArgs } from './sipp-load.mjs';
import { RUNTIME_LABEL, exportedCalls, startAgent, startBackend } from './stack.mjs';
import { startPlainRelay } from './plain-relay.mjs';
import {
  KINDS,
  countRequests,
  createMixPlan,
  handoffsFor,
  kindsOf,
  prepareHandoffs,
  seedRepeatCallers,
  writeMixCalls,
} from './mix.mjs';
import { startProcess } from '../lib/processes.mjs';

const REPEAT_CALLERS = 50; // repeat callers, each with an open ticket
const KIND_PASS = { calls: 200, rate: 100 }; // each kind alone, at the headline rate
// Notes linger 5 s; then the callers' users job and its polls (1, 2, 4 s), then the notes and
// requesters job and its polls.
const SETTLE_MS = 20_000;
const EXPORT_EXCLUDES_MS = 61_000; // Zendesk's export leaves out the last minute
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Counts of the stand-in's request log from `from` on, and its length now. */
async function standinRequests(standin, from = 0) {
  const { requests } = await (await fetch(`${standin}/__standin/requests`)).json();
  return { count: requests.length, byClass: countRequests(requests.slice(from)) };
}

/** Runs the cron until the phone index has caught up with the export (at most 10 runs). */
async function syncPhoneIndex(worker, adminToken) {
  let status;
  for (let run = 0; run < 10; run++) {
    const cron = await fetch(`${worker}/cdn-cgi/handler/scheduled?cron=*/5+*+*+*+*`);
    if (cron.status !== 200) throw new Error(`running the cron answered ${cron.status}`);
    await sleep(500); // the cron's work runs in waitUntil
    const res = await fetch(`${worker}/v1/admin/phone-index`, {
      headers: { Authorization: `Bearer ${adminToken}` },
    });
    ({ phone_index: status } = await res.json());
    if (status.trust === 'all') return status;
  }
  return status;
}

/**
 * The mix profile. `ctx`: dir, load (measure.mjs), groups, ports, uas, target, secrets,
 * agentToken, startEdge, rates, stepSeconds, timeLeft, limits, taken.
 */
export async function runMix(ctx) {
  const { dir, load, groups, ports, rates, stepSeconds } = ctx;
  const loadavg = os.loadavg();
  const edge = await ctx.startEdge();
  const relay = await startPlainRelay({
    dir: join(dir, 'plain-relay'),
    sipPort: ports.relay,
    rpcPort: ports.relayRpc,
    target: ctx.target,
    children: ctx.limits.sip_children,
    sharedMemoryMb: ctx.limits.shared_memory_mb,
  });
  const uas = startProcess('uas', SIPP, uasArgs(ctx.uas, ctx.timeLeft() / 1000 + 30), {
    cwd: dir,
    quiet: true,
  });
  const backend = await startBackend({
    dir: join(dir, 'worker'),
    secrets: ctx.secrets,
    slug: 'bench',
    target: ctx.target,
    taken: ctx.taken,
    line: { create_ticket: true, max_creations_per_minute: 10_000, call_summary: 'private_note' },
  });
  const agent = await startAgent({
    port: ports.agent,
    token: ctx.agentToken,
    edgeSecret: ctx.secrets.EDGE_SECRET,
    worker: backend.url,
    spoolDir: join(dir, 'spool'),
    rpcUrl: `http://127.0.0.1:${ports.rpc}/RPC`,
  });
  Object.assign(groups, {
    kamailio: edge.pid,
    agent: agent.pid,
    ...backend.pgids,
    uas: uas.pid,
    relay: relay.pid,
  });
  const stack = { agent, edge };
  const adminToken = ctx.secrets.ADMIN_TOKEN;

  console.log(`seeding ${REPEAT_CALLERS} repeat callers with an open ticket each in the stand-in`);
  const repeat = await seedRepeatCallers({
    standin: backend.standin,
    email: 'bridge@example.com',
    apiToken: ctx.secrets.ZENDESK_API_TOKEN,
    count: REPEAT_CALLERS,
  });
  const seededAt = Date.now();
  const stepCalls = rates.map((rate) => rate * stepSeconds);
  const mixCalls = stepCalls.reduce((a, b) => a + b, 0);
  const warmCalls = 40;
  // Each handoff is dialled once: the warm-up's, the steps', and a kind pass of its own.
  const handoffCount = handoffsFor(warmCalls + mixCalls, KIND_PASS.calls);

  // The reference while the seeded users age past the export's last minute.
  const plan0 = createMixPlan({ repeat, handoffs: null });
  const relaySteps = [];
  console.log(
    'reference: sipp → plain stateful Kamailio relay (dialog, record-route, permissions)',
  );
  for (const [i, rate] of rates.entries()) {
    const calls = stepCalls[i];
    const file = join(dir, `relay-${rate}.csv`);
    // The relay only forwards: INVITEs like the mix's (a handoff's is a passed ticket's).
    writeMixCalls(file, plan0.take(calls));
    const r = await load(`relay-${i + 1}-${rate}`, `127.0.0.1:${ports.relay}`, rate, calls, null, {
      callers: file,
      scenario: 'uac-mix.xml',
    });
    relaySteps.push(r);
    console.log(
      `  relay ${rate} calls/s: ${r.successful}/${calls} ok, p50 ${r.p50} ms, p99 ${r.p99} ms; ` +
        `Kamailio ${r.cpu.perCallMs.relay} ms CPU per call`,
    );
    await sleep(1000);
  }
  const wait = seededAt + EXPORT_EXCLUDES_MS - Date.now();
  if (wait > 0) {
    console.log(`waiting ${Math.ceil(wait / 1000)} s: the export leaves out the last minute`);
    await sleep(wait);
  }
  const index = await syncPhoneIndex(backend.url, adminToken);
  console.log(
    `phone index: ${index.status}, trust ${index.trust}, ${index.numbers} numbers, ${index.pages} pages`,
  );
  console.log(`preparing ${handoffCount} handoffs (POST /v1/handoffs)`);
  const beforeHandoffs = await standinRequests(backend.standin);
  const handoffs = await prepareHandoffs({
    worker: backend.url,
    adminToken,
    slug: 'bench',
    count: handoffCount,
  });
  const afterHandoffs = await standinRequests(backend.standin, beforeHandoffs.count);
  const plan = createMixPlan({ repeat, handoffs });

  const runCalls = async (name, rate, calls) => {
    const file = join(dir, `${name}.csv`);
    writeMixCalls(file, calls);
    const before = await standinRequests(backend.standin);
    const r = await load(name, `127.0.0.1:${ports.sip}`, rate, calls.length, stack, {
      callers: file,
      scenario: 'uac-mix.xml',
    });
    r.kinds = kindsOf(calls);
    r.zendeskDuring = (await standinRequests(backend.standin, before.count)).byClass;
    r.requestLogFrom = before.count;
    return r;
  };

  const warm = await runCalls('warm-up', 10, plan.take(warmCalls));
  console.log(`warm-up: ${warm.successful}/${warmCalls} ok, p99 ${warm.p99} ms`);
  await sleep(SETTLE_MS);

  console.log('the AI-agent mix through the full stack');
  const mixSteps = [];
  const mixFrom = (await standinRequests(backend.standin)).count;
  for (const [i, rate] of rates.entries()) {
    if (ctx.timeLeft() < stepSeconds * 1000 + 120_000) {
      console.log(`  mix ${rate} calls/s: skipped (too close to the deadline)`);
      continue;
    }
    const r = await runCalls(`mix-${i + 1}-${rate}`, rate, plan.take(stepCalls[i]));
    r.relay = relaySteps[i];
    mixSteps.push(r);
    const edgeMs = r.cpu.perCallMs.kamailio + r.cpu.perCallMs.agent;
    console.log(
      `  mix ${rate} calls/s: ${r.successful}/${r.calls} ok, ${r.failed} failed, p50 ${r.p50} ms, ` +
        `p99 ${r.p99} ms; Zendesk during the step ${JSON.stringify(r.zendeskDuring)}; edge ` +
        `${edgeMs.toFixed(2)} ms CPU per call (relay ${r.relay.cpu.perCallMs.relay})`,
    );
    await sleep(2000);
  }
  await sleep(SETTLE_MS);
  const mixZendesk = (await standinRequests(backend.standin, mixFrom)).byClass;

  console.log(`each kind alone: ${KIND_PASS.calls} calls at ${KIND_PASS.rate} calls/s`);
  const kindPasses = {};
  for (const kind of KINDS) {
    if (ctx.timeLeft() < 60_000) break;
    const from = (await standinRequests(backend.standin)).count;
    const r = await runCalls(`kind-${kind}`, KIND_PASS.rate, plan.take(KIND_PASS.calls, kind));
    await sleep(SETTLE_MS);
    r.zendesk = (await standinRequests(backend.standin, from)).byClass;
    kindPasses[kind] = r;
    console.log(`  ${kind}: ${r.successful}/${r.calls} ok; Zendesk ${JSON.stringify(r.zendesk)}`);
  }

  await agent.drain(Math.max(0, Math.min(20_000, ctx.timeLeft() - 30_000)));
  const exported = await exportedCalls({
    worker: backend.url,
    adminToken,
    slug: 'bench',
    deadline: Date.now() + Math.max(5_000, ctx.timeLeft() - 10_000),
    withRecords: true,
  });
  for (const r of [warm, ...mixSteps, ...Object.values(kindPasses)]) {
    const mine = exported.all.filter((c) => c.call_id.includes(`-${r.pid}@`));
    r.recorded = mine.length;
    r.degradedCalls = mine.filter((c) => c.decision.degraded.length > 0).length;
    r.degradedSteps = {};
    for (const c of mine)
      for (const d of c.decision.degraded) r.degradedSteps[d] = (r.degradedSteps[d] ?? 0) + 1;
  }
  return {
    at: new Date().toISOString(),
    profile: 'mix',
    runtime: RUNTIME_LABEL,
    machine: machineFacts(loadavg),
    settings: {
      rates,
      stepSeconds,
      repeatCallers: REPEAT_CALLERS,
      kindPass: KIND_PASS,
      limits: ctx.limits,
      noteLingerMs: 5000,
    },
    phoneIndex: index,
    handoffSetup: { handoffs: handoffCount, zendesk: afterHandoffs.byClass },
    relaySteps,
    warm,
    mixSteps,
    mixZendesk,
    kindPasses,
    export: { records: exported.records, byStatus: exported.byStatus },
  };
}
