import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
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
    const until = Date.now() + 10_000;
    while (!run.lines.some((l) => l.includes('agent.started')) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = /url=(\S+)/.exec(run.lines.find((l) => l.includes('agent.started')) ?? '')?.[1];
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
});
