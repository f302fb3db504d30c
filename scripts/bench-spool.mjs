// `npm run bench:spool`: how many events per second the edge agent's spool makes durable (each
// write followed by fdatasync), and how many appends share one write+fsync (group commit), with
// 200 concurrent writers as Kamailio's event workers and a burst of calls would be. On the disk of
// BENCH_STATE_DIR (default the OS temp dir); bounded in events (BENCH_SPOOL_EVENTS) and time.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Spool } from '@sip-bridge/edge/agent/spool';
import { ROOT } from './lib/bootstrap.mjs';

const EVENTS = Number(process.env.BENCH_SPOOL_EVENTS ?? 20_000);
const WRITERS = 200;
const LIMIT_MS = 60_000; // stops by itself, whatever the disk

const dir = mkdtempSync(join(process.env.BENCH_STATE_DIR ?? tmpdir(), 'sip-bridge-bench-spool-'));
try {
  const spool = await Spool.open({ dir });
  const started = performance.now();
  const deadline = started + LIMIT_MS;
  let next = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < EVENTS && performance.now() < deadline) {
        const n = next++;
        await spool.append({ call_id: `bench-${n}@127.0.0.1`, kind: 'answered', n });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const appended = spool.depth;
  const result = {
    at: new Date().toISOString(),
    events: appended,
    writers: WRITERS,
    seconds: Number(seconds.toFixed(3)),
    perSecond: Math.round(appended / seconds),
    perCommit: Number((appended / spool.commits).toFixed(1)),
  };
  await spool.close();
  console.log(
    `spool: ${result.perSecond} appends/s, ${result.perCommit} appends per write+fsync ` +
      `(${appended} events from ${WRITERS} writers in ${result.seconds} s)`,
  );
  mkdirSync(join(ROOT, 'test-results'), { recursive: true });
  writeFileSync(join(ROOT, 'test-results', 'bench-spool.json'), JSON.stringify(result, null, 2));
  console.log('figures written to test-results/bench-spool.json');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
