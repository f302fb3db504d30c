// Runs the Worker bundle straight on workerd (Miniflare), for the benchmarks: the bundle is what
// `wrangler deploy` would upload, the bindings come from worker/wrangler.jsonc, and the local D1
// is the one `wrangler d1 migrations apply --local --persist-to` prepared. Unlike `wrangler dev`,
// no proxy Worker and no per-request log sit between the client and the Worker.
//
// Run as a process: WORKERD_BUNDLE_DIR, WORKERD_PERSIST_TO, WORKERD_PORT, WORKERD_VARS (JSON).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, WRANGLER_ENV } from '../lib/bootstrap.mjs';

const WORKER_DIR = join(ROOT, 'worker');
const CONFIG = join(WORKER_DIR, 'wrangler.jsonc');

/** Bundles the Worker as `wrangler deploy` would (nothing is uploaded) into `outDir`/index.js. */
function bundleWorker(outDir) {
  const res = spawnSync(
    join(ROOT, 'node_modules', '.bin', 'wrangler'),
    ['deploy', '--dry-run', '--outdir', outDir],
    { cwd: WORKER_DIR, env: { ...process.env, ...WRANGLER_ENV, CI: 'true' }, encoding: 'utf8' },
  );
  if (res.status !== 0) throw new Error(`bundling the Worker failed:\n${res.stderr || res.stdout}`);
}

/**
 * Bundles the Worker into `persistTo`/bundle, then gives the command and environment that serve it
 * on workerd (this file as main) with the D1 in `persistTo`.
 */
export function workerdCommand({ persistTo, port, vars }) {
  const bundleDir = join(persistTo, 'bundle');
  bundleWorker(bundleDir);
  return {
    cmd: process.execPath,
    args: [new URL(import.meta.url).pathname],
    options: {
      cwd: ROOT,
      env: {
        ...process.env,
        WORKERD_BUNDLE_DIR: bundleDir,
        WORKERD_PERSIST_TO: persistTo,
        WORKERD_PORT: String(port),
        WORKERD_VARS: JSON.stringify(vars),
      },
    },
  };
}

async function serve() {
  const { Miniflare } = await import('miniflare');
  const { unstable_getMiniflareWorkerOptions } = await import('wrangler');
  const env = process.env;
  const { workerOptions } = unstable_getMiniflareWorkerOptions(CONFIG);
  const mf = new Miniflare({
    ...workerOptions,
    modules: true,
    modulesRoot: env.WORKERD_BUNDLE_DIR,
    scriptPath: join(env.WORKERD_BUNDLE_DIR, 'index.js'),
    bindings: { ...workerOptions.bindings, ...JSON.parse(env.WORKERD_VARS ?? '{}') },
    // wrangler's --persist-to layout, where the migrations were applied.
    d1Persist: join(env.WORKERD_PERSIST_TO, 'v3', 'd1'),
    host: '127.0.0.1',
    port: Number(env.WORKERD_PORT),
    // GET /cdn-cgi/handler/scheduled runs the cron now: the benchmark syncs the phone index.
    unsafeTriggerHandlers: true,
  });
  const url = await mf.ready;
  console.log(`workerd: the Worker listens on ${url.href}`);
  const stop = () => mf.dispose().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] === new URL(import.meta.url).pathname) await serve();
