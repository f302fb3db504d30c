import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { callEvent, SECRET, tempDir, TOKEN } from './testing/fixtures';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

/** Runs main.ts as its own process (node --import tsx, so signals reach it directly). */
function runMain(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'main.ts')], {
    cwd: join(__dirname, '..', '..'), // where `--import tsx` resolves
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => lines.push(l));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000); // bounded, whatever happens
  cleanups.push(() => clearTimeout(timer));
  return { child, lines, exited };
}

describe('main.ts', () => {
  it('exits 2 with a clear message when EDGE_SECRET is missing', async () => {
    const run = runMain({ EDGE_AGENT_TOKEN: TOKEN });
    expect(await run.exited).toBe(2);
    expect(run.lines.join('\n')).toMatch(/EDGE_SECRET is not set/);
  });

  it('exits 2 when EDGE_AGENT_TOKEN is missing', async () => {
    const run = runMain({ EDGE_SECRET: SECRET });
    expect(await run.exited).toBe(2);
    expect(run.lines.join('\n')).toMatch(/EDGE_AGENT_TOKEN is not set/);
  });

  it('serves, spools, and exits 0 on SIGTERM without leaking secrets into its log', async () => {
    const spool = tempDir('agent-main-');
    cleanups.push(spool.remove);
    const run = runMain({
      EDGE_SECRET: SECRET,
      EDGE_AGENT_TOKEN: TOKEN,
      EDGE_AGENT_PORT: '0',
      EDGE_SPOOL_DIR: spool.dir,
      WORKER_URL: 'http://127.0.0.1:9', // nothing listens there: events stay spooled
    });
    const startedLine = await vi.waitFor(
      () => {
        const line = run.lines.find((l) => l.includes('agent.started'));
        expect(line, run.lines.join('\n')).toBeDefined();
        return line!;
      },
      { timeout: 10_000, interval: 50 },
    );
    const url = /url=(\S+)/.exec(startedLine)?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(callEvent(1)),
    });
    expect(res.status).toBe(202);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.lines.some((l) => l.includes('agent.stopped') && l.includes('depth=1'))).toBe(true);
    expect(readdirSync(spool.dir).some((f) => f.endsWith('.jsonl'))).toBe(true);
    const log = run.lines.join('\n');
    expect(log).not.toContain(SECRET);
    expect(log).not.toContain(TOKEN);
  });

  it.each([
    [
      'EDGE_METRICS_TOKEN equals the agent token',
      { EDGE_METRICS_TOKEN: TOKEN },
      /EDGE_METRICS_TOKEN equals EDGE_AGENT_TOKEN: give Prometheus its own token/,
    ],
    [
      'EDGE_AGENT_HOST is not loopback',
      { EDGE_AGENT_HOST: '0.0.0.0' },
      /EDGE_AGENT_HOST=0\.0\.0\.0 is not a loopback address.*EDGE_AGENT_ALLOW_REMOTE=1/,
    ],
    [
      'WORKER_URL is plain http to another host',
      { WORKER_URL: 'http://bridge.example.com' },
      /WORKER_URL must use https.*only to a loopback address/,
    ],
  ])('exits 2 when %s', async (_label, extra, message) => {
    const run = runMain({ EDGE_SECRET: SECRET, EDGE_AGENT_TOKEN: TOKEN, ...extra });
    expect(await run.exited).toBe(2);
    const log = run.lines.join('\n');
    expect(log).toMatch(message);
    expect(log).not.toContain(TOKEN);
  });

  /** Starts main.ts and resolves with its URL once it logs agent.started. */
  async function started(env: Record<string, string>) {
    const spool = tempDir('agent-main-');
    cleanups.push(spool.remove);
    const run = runMain({
      EDGE_SECRET: SECRET,
      EDGE_AGENT_TOKEN: TOKEN,
      EDGE_AGENT_PORT: '0',
      EDGE_SPOOL_DIR: spool.dir,
      EDGE_RECONCILE_INTERVAL_MS: '0',
      ...env,
    });
    cleanups.push(() => run.child.kill('SIGKILL'));
    // Started, or gone without starting (the caller then sees no URL and the log).
    await vi.waitFor(
      () =>
        expect(
          run.lines.some((l) => l.includes('agent.started')) || run.child.exitCode !== null,
        ).toBe(true),
      { timeout: 10_000, interval: 50 },
    );
    const url = /url=(\S+)/.exec(run.lines.find((l) => l.includes('agent.started')) ?? '')?.[1];
    return { run, url };
  }

  it('serves /metrics with EDGE_METRICS_TOKEN only, not with the agent token', async () => {
    const metricsToken = 'prometheus-token-0123456789abcdef';
    const { run, url } = await started({
      EDGE_METRICS_TOKEN: metricsToken,
      WORKER_URL: 'https://bridge.example.com', // https: accepted for any host (nothing is sent)
    });
    expect(url, run.lines.join('\n')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const get = (token: string) =>
      fetch(`${url}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
    expect((await get(metricsToken)).status).toBe(200);
    expect((await get(TOKEN)).status).toBe(401);
    expect(run.lines.join('\n')).not.toContain(metricsToken);
  });

  it('listens beyond loopback only when EDGE_AGENT_ALLOW_REMOTE=1', async () => {
    const { url } = await started({ EDGE_AGENT_HOST: '0.0.0.0', EDGE_AGENT_ALLOW_REMOTE: '1' });
    expect(url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
  });
});
