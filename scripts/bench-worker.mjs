// `npm run bench:worker`: decision latency (p50/p99) and Zendesk requests per call for first-time
// and repeat callers, against the Worker on workerd (local D1) and the Zendesk stand-in. Loopback only.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { signEdgeRequest } from '@sip-bridge/contract/edge-signature';
import { ROOT } from './lib/bootstrap.mjs';
import { RUNTIME_LABEL, startBackend } from './bench/stack.mjs';
import { randomWorkerSecrets } from './lib/local-worker.mjs';
import { stopAll } from './lib/processes.mjs';
import { ms, quantile } from './lib/stats.mjs';

const CALLS = Number(process.env.BENCH_CALLS ?? 1000);
const DEADLINE = Date.now() + 5 * 60_000; // the whole run stops by itself after 5 minutes
/** Base URLs of the Worker and the stand-in, known once they run. */
let worker = '';
let standin = '';
const secrets = randomWorkerSecrets('bench-token');
const state = mkdtempSync(join(process.env.BENCH_STATE_DIR ?? tmpdir(), 'sip-bridge-bench-'));

async function main() {
  // The stand-in, the Worker on a fresh local D1 and a line allowing 127.0.0.1, as bench:sip has them.
  ({ url: worker, standin } = await startBackend({
    dir: state,
    secrets,
    slug: 'bench',
    target: 'sip:zendesk@127.0.0.1:5070',
    taken: [],
  }));

  // Distinct valid US numbers: each is a first-time caller once, then a repeat caller.
  const numbers = Array.from(
    { length: CALLS },
    (_, i) => `+1415${String(2000000 + i * 7).padStart(7, '0')}`,
  );
  await decide(numbers[0], 'warm-up');
  const first = await phase('first-time callers', numbers);
  const repeat = await phase('repeat callers', numbers);
  return { first, repeat };
}

let callSeq = 0;
async function decide(number) {
  const body = JSON.stringify({
    call_id: `bench-${process.pid}-${++callSeq}@127.0.0.1`,
    line: 'bench',
    source: { ip: '127.0.0.1', port: 5062, transport: 'udp' },
    sip: {
      from: `<sip:${number}@127.0.0.1;user=phone>;tag=b${callSeq}`,
      to: '<sip:zendesk@127.0.0.1>',
      request_uri: 'sip:zendesk@127.0.0.1:5060',
    },
    codecs: ['PCMU', 'telephone-event'],
  });
  const headers = await signEdgeRequest(secrets.EDGE_SECRET, {
    method: 'POST',
    url: `${worker}/v1/edge/decisions`,
    body,
  });
  const started = performance.now();
  const res = await fetch(`${worker}/v1/edge/decisions`, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body,
  });
  const decision = await res.json();
  const elapsed = performance.now() - started;
  const inWorker = Number(
    /decision;dur=(\d+(?:\.\d+)?)/.exec(res.headers.get('Server-Timing') ?? '')?.[1],
  );
  if (res.status !== 200 || decision.action !== 'relay')
    throw new Error(`decision failed: ${res.status} ${JSON.stringify(decision)}`);
  return { elapsed, inWorker, decision };
}

/** What the runtime itself costs per request, to read the client figures against. */
async function devServerBaseline() {
  const latencies = [];
  for (let i = 0; i < 500; i++) {
    const started = performance.now();
    await (await fetch(`${worker}/baseline-404`)).text();
    latencies.push(performance.now() - started);
  }
  return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

async function zendeskRequestCount() {
  const res = await fetch(`${standin}/__standin/requests`);
  return (await res.json()).requests.length;
}

async function phase(name, numbers) {
  const before = await zendeskRequestCount();
  const latencies = [];
  const inWorker = [];
  const matches = {};
  for (const number of numbers) {
    if (Date.now() > DEADLINE) throw new Error('benchmark ran out of time');
    const { elapsed, inWorker: w, decision } = await decide(number);
    latencies.push(elapsed);
    inWorker.push(w);
    matches[decision.call.match] = (matches[decision.call.match] ?? 0) + 1;
  }
  const zendesk = (await zendeskRequestCount()) - before;
  const result = {
    name,
    decisions: numbers.length,
    http: {
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      max: Math.max(...latencies),
    },
    worker: {
      p50: quantile(inWorker, 0.5),
      p99: quantile(inWorker, 0.99),
      max: Math.max(...inWorker),
    },
    zendeskRequestsPerCall: zendesk / numbers.length,
    matches,
  };
  const fmt = (l) =>
    `p50 ${ms(l.p50).padStart(9)} p99 ${ms(l.p99).padStart(9)} max ${ms(l.max).padStart(9)}`;
  console.log(
    `${name}: ${result.decisions} decisions, Zendesk requests/call ${result.zendeskRequestsPerCall.toFixed(3)}, outcomes ${JSON.stringify(matches)}`,
  );
  console.log(`  in the Worker (Server-Timing)   ${fmt(result.worker)}`);
  console.log(`  client, through ${RUNTIME_LABEL.padEnd(15)} ${fmt(result.http)}`);
  return result;
}

let code = 0;
try {
  console.log(
    `bench:worker: ${CALLS} first-time + ${CALLS} repeat decisions, sequential, ${RUNTIME_LABEL} (local D1) on loopback`,
  );
  const result = await main();
  mkdirSync(join(ROOT, 'test-results'), { recursive: true });
  const baseline = await devServerBaseline();
  console.log(
    `${RUNTIME_LABEL}'s own cost (404, no I/O): p50 ${ms(baseline.p50)} p99 ${ms(baseline.p99)}`,
  );
  const r = result.repeat;
  console.log(
    `target: repeat caller costs 0 Zendesk requests → ${r.zendeskRequestsPerCall === 0 ? 'met' : 'MISSED'} (${r.zendeskRequestsPerCall})`,
  );
  console.log(
    `target: cached decision p99 < 5 ms in workerd → ${r.worker.p99 < 5 ? 'met' : 'MISSED'} (${ms(r.worker.p99)} in the Worker)`,
  );
  writeFileSync(
    join(ROOT, 'test-results', 'bench-worker.json'),
    JSON.stringify(
      {
        at: new Date().toISOString(),
        runtime: RUNTIME_LABEL,
        ...result,
        devServerBaseline: baseline,
      },
      null,
      2,
    ),
  );
} catch (err) {
  console.error(`bench:worker failed: ${err.message}`);
  code = 1;
} finally {
  await stopAll(code, { exit: false });
  rmSync(state, { recursive: true, force: true });
  process.exit(code);
}
