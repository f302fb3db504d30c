// Runs the Worker locally with wrangler dev (workerd + local D1), for npm start, benchmarks and tests.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT, WRANGLER_ENV } from './bootstrap.mjs';
import { importTs } from './typescript.mjs';

const WORKER_DIR = join(ROOT, 'worker');
const WRANGLER = join(ROOT, 'node_modules', '.bin', 'wrangler');

/** Applies the D1 migrations to the local database (in `persistTo`, or wrangler's default). */
export function applyLocalMigrations({ persistTo } = {}) {
  const args = [
    'd1',
    'migrations',
    'apply',
    'DB',
    '--local',
    ...(persistTo ? ['--persist-to', persistTo] : []),
  ];
  const res = spawnSync(WRANGLER, args, {
    cwd: WORKER_DIR,
    env: { ...process.env, ...WRANGLER_ENV, CI: 'true' },
    encoding: 'utf8',
  });
  if (res.status !== 0)
    throw new Error(`applying the D1 migrations failed:\n${res.stderr || res.stdout}`);
}

/** 32 random bytes, base64url: the shortest secret the Worker accepts (APP_JWT_SECRET). */
const randomSecret = () => randomBytes(32).toString('base64url');

/**
 * Fresh random secrets for a throwaway local Worker (benchmarks, tests), with the Zendesk token
 * its stand-in will expect.
 */
export function randomWorkerSecrets(zendeskApiToken) {
  const secret = randomSecret;
  return {
    EDGE_SECRET: secret(),
    ADMIN_TOKEN: secret(),
    APP_JWT_SECRET: secret(),
    ZENDESK_API_TOKEN: zendeskApiToken,
  };
}

/** A loopback port that was free a moment ago (wrangler needs fixed ports). */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Command and arguments for `wrangler dev` on loopback; `vars` become `--var NAME:value`
 * (secrets included: local runs only). Give each concurrent instance its own `inspectorPort`.
 */
export function wranglerDevCommand({
  port,
  persistTo,
  vars = {},
  testScheduled = false,
  inspectorPort,
}) {
  return {
    cmd: WRANGLER,
    args: [
      'dev',
      '--local',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      ...(persistTo ? ['--persist-to', persistTo] : []),
      ...(testScheduled ? ['--test-scheduled'] : []),
      ...(inspectorPort ? ['--inspector-port', String(inspectorPort)] : []),
      '--show-interactive-dev-session=false',
      // Local runs only: the Worker may talk to a loopback Zendesk stand-in.
      ...Object.entries({ ZENDESK_ALLOW_LOCAL: '1', ...vars }).flatMap(([k, v]) => [
        '--var',
        `${k}:${v}`,
      ]),
    ],
    options: { cwd: WORKER_DIR, env: { ...process.env, ...WRANGLER_ENV } },
  };
}

/**
 * Starts the Worker for a test or script and resolves once /health answers.
 * `port` defaults to a free one.
 * `testScheduled` serves GET /__scheduled, which runs the cron (a test can sync the phone index).
 * @example const worker = await startLocalWorker({ persistTo: dir, vars: { EDGE_SECRET } });
 *          ...; await worker.stop();
 */
export async function startLocalWorker({
  port,
  persistTo,
  vars,
  testScheduled = false,
  timeoutMs = 60_000,
}) {
  const { retry } = await importTs('@sip-bridge/edge/agent/retry');
  applyLocalMigrations({ persistTo });
  port ??= await freePort();
  const inspectorPort = await freePort();
  const { cmd, args, options } = wranglerDevCommand({
    port,
    persistTo,
    vars,
    testScheduled,
    inspectorPort,
  });
  const child = spawn(cmd, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk) => (output = (output + chunk).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 3000);
    await exited;
    clearTimeout(timer);
    // workerd may outlive wrangler by a moment: wait (bounded) until the port refuses connections.
    const gone = () =>
      fetch(`${url}/health`, { signal: AbortSignal.timeout(200) }).then(
        () => Promise.reject(new Error('still answering')),
        () => undefined,
      );
    await retry(gone, { delay: 100, attempts: 50 }).catch(() => {});
  };
  const url = `http://127.0.0.1:${port}`;
  const exitedEarly = new Error('wrangler dev exited early');
  const up = async () => {
    if (child.exitCode !== null) throw exitedEarly;
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  };
  try {
    await retry(up, { delay: 200, withinMs: timeoutMs, retryIf: (e) => e !== exitedEarly });
    return { url, port, stop, output: () => output };
  } catch (error) {
    if (error === exitedEarly)
      throw new Error(`wrangler dev exited early:\n${output}`, { cause: error });
    await stop();
    throw new Error(
      `wrangler dev did not answer on ${url} within ${timeoutMs / 1000} s:\n${output}`,
      { cause: error },
    );
  }
}
