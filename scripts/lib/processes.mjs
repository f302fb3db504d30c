// Starts child processes with prefixed logs, waits for them, and stops every one on exit.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { importTs } from './typescript.mjs';

const children = [];
const COLORS = [36, 35, 33, 32, 34, 31];

/** Spawns a process in its own group, prefixing each line of its output with `[name]`. */
export function startProcess(name, cmd, args, options = {}) {
  const { quiet = false, ...spawnOptions } = options;
  const color = COLORS[children.length % COLORS.length];
  const prefix = process.stdout.isTTY ? `\x1b[${color}m[${name}]\x1b[0m` : `[${name}]`;
  const child = spawn(cmd, args, {
    ...spawnOptions,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const entry = { name, child, exited: false, lines: [] };
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      // Quiet processes keep their last lines, printed only if they die.
      if (quiet) entry.lines = [...entry.lines.slice(-40), line];
      else console.log(`${prefix} ${line}`);
    });
  }
  child.on('exit', (code, signal) => {
    entry.exited = true;
    if (!stopping) {
      for (const line of entry.lines) console.error(`${prefix} ${line}`);
      console.error(`${prefix} exited (${signal ?? code}); stopping everything.`);
      stopAll(1);
    }
  });
  children.push(entry);
  return child;
}

/** Polls an HTTP URL until it answers (any status below 500), within `timeoutMs`. */
export async function waitForHttp(url, timeoutMs = 30_000, init = {}) {
  const { retry } = await importTs('@sip-bridge/edge/agent/retry');
  try {
    return await retry(
      async () => {
        const res = await fetch(url, { ...init, signal: AbortSignal.timeout(1000) });
        if (res.status >= 500) throw new Error(`HTTP ${res.status}`);
        return res;
      },
      { delay: { initialMs: 100, maxMs: 500, jitter: 0 }, withinMs: timeoutMs },
    );
  } catch (error) {
    throw new Error(`${url} did not answer within ${timeoutMs / 1000} s (${error.message})`, {
      cause: error,
    });
  }
}

let stopping = false;

/** Stops every child process group (TERM, then KILL after 3 s); exits unless `exit` is false. */
export async function stopAll(code = 0, { exit = true } = {}) {
  if (stopping) return;
  stopping = true;
  for (const { child, exited } of children) {
    if (!exited)
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
  }
  const until = Date.now() + 3000;
  while (children.some((c) => !c.exited) && Date.now() < until)
    await new Promise((r) => setTimeout(r, 50));
  for (const { child, exited } of children) {
    if (!exited)
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
  }
  if (exit) process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stopAll(0));
