// sipp for bench:sip: the answering UAS's arguments, and one bounded UAC load step with its figures.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quantile } from '../lib/stats.mjs';
import { processCpu } from './procfs.mjs';

export const SIPP = process.env.SIPP_BIN ?? '/usr/bin/sipp';
const HERE = new URL('.', import.meta.url).pathname;
const running = new Set();

/** Kills the load steps still running (their process groups); synchronous, for exit handlers. */
export function killLoad() {
  for (const child of running) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** The caller pool as a sipp injection file: calls take the numbers in turn ([field0]). */
export function writeCallerPool(file, numbers) {
  writeFileSync(file, ['SEQUENTIAL', ...numbers.map((n) => `${n};`)].join('\n') + '\n');
}

/**
 * Flags every sipp here shares: loopback only, one UDP socket for all calls, no keyboard, its own
 * control port (sipp binds 8888 by default) and socket buffers up to net.core.rmem_max (4 MB).
 */
function base({ port, mediaPort, controlPort }) {
  return [
    '-i', '127.0.0.1', '-p', String(port), '-mp', String(mediaPort), '-cp', String(controlPort),
    '-t', 'u1', '-nostdin', '-buff_size', String(4 << 20),
  ]; // prettier-ignore
}

/** Arguments for the UAS standing in for Zendesk: answers 200, waits for the caller's BYE. */
export function uasArgs(ports, maxSeconds) {
  return ['-sf', join(HERE, 'uas-answer.xml'), ...base(ports), '-timeout', `${maxSeconds}s`];
}

/**
 * One bounded load step: `calls` calls at `rate` calls/s to `remote`, at most `limit` at once, each
 * held `holdMs`. sipp stops by itself (-m, -timeout); a kill 5 s later is the last guard. A call that
 * did not complete successfully, for whatever reason, counts as failed. `scenario`: a file here,
 * uac-load.xml (pooled callers) or uac-mix.xml (the AI-agent mix).
 */
export async function runLoad({
  dir,
  remote,
  rate,
  calls,
  limit,
  holdMs,
  callers,
  ports,
  scenario = 'uac-load.xml',
}) {
  mkdirSync(dir, { recursive: true });
  const timeoutS = Math.ceil(calls / rate) + 10;
  const args = [
    '-sf', join(HERE, scenario), '-inf', callers, ...base(ports),
    '-r', String(rate), '-rp', '1000', '-m', String(calls), '-l', String(limit),
    '-d', String(holdMs), '-recv_timeout', '5000', '-timeout', `${timeoutS}s`,
    '-trace_stat', '-stf', join(dir, 'stat.csv'), '-fd', '1',
    '-trace_rtt', '-rtt_freq', '1',
    '-trace_err', '-error_file', join(dir, 'errors.log'),
    remote,
  ]; // prettier-ignore
  const started = Date.now();
  const child = spawn(SIPP, args, { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const keep = (chunk) => (output = (output + chunk).slice(-6000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const guard = setTimeout(() => killLoad(), (timeoutS + 5) * 1000);
  // sipp's own CPU time, sampled while it runs (its /proc entry goes when it exits).
  let cpuS = 0;
  const sampler = setInterval(() => (cpuS = processCpu(child.pid) || cpuS), 100);
  const exit = await new Promise((resolve) =>
    child.on('close', (code, signal) => resolve(code ?? signal)),
  );
  clearTimeout(guard);
  clearInterval(sampler);
  running.delete(child);
  const seconds = (Date.now() - started) / 1000;
  return {
    ...summarize({ dir, rate, calls, exit, seconds, output }),
    pid: child.pid,
    callerCpuS: cpuS,
  };
}

/** The last line of sipp's -trace_stat file, as { column: value } (cumulative counters). */
function finalStats(file) {
  if (!existsSync(file)) return {};
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const head = lines[0].split(';');
  const last = lines.at(-1).split(';');
  return Object.fromEntries(head.map((name, i) => [name, last[i]]));
}

/** INVITE→200 times from -trace_rtt (Date_ms;response_time_ms;rtd_no), whole milliseconds. */
function responseTimes(dir) {
  const file = readdirSync(dir).find((f) => f.endsWith('_rtt.csv'));
  if (!file) return [];
  return readFileSync(join(dir, file), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(';').map(Number))
    .filter(([at, rt]) => Number.isFinite(at) && Number.isFinite(rt))
    .map(([at, rt]) => ({ at, rt }));
}

function summarize({ dir, rate, calls, exit, seconds, output }) {
  const stats = finalStats(join(dir, 'stat.csv'));
  const times = responseTimes(dir);
  const successful = Number(stats['SuccessfulCall(C)'] ?? 0);
  const rts = times.map((t) => t.rt);
  // Answered calls per second, from the first to the last 200 OK.
  const span = times.length > 1 ? (times.at(-1).at - times[0].at) / 1000 : 0;
  const errorsFile = join(dir, 'errors.log');
  return {
    rate,
    calls,
    successful,
    failed: calls - successful,
    achievedCps: span > 0 ? Math.round((times.length - 1) / span) : null,
    p50: quantile(rts, 0.5),
    p99: quantile(rts, 0.99),
    max: rts.length ? Math.max(...rts) : NaN,
    // sipp's reasons (FailedTimeoutOnRecv, FailedMaxUDPRetrans, ...); the rest never completed.
    failures: Object.fromEntries(
      Object.entries(stats)
        .filter(([name, v]) => /^Failed.+\(C\)$/.test(name) && name !== 'FailedCall(C)' && v > 0)
        .map(([name, v]) => [name.slice(6, -3), Number(v)]),
    ),
    notCompleted: calls - successful - Number(stats['FailedCall(C)'] ?? 0),
    retransmissions: Number(stats['Retransmissions(C)'] ?? 0),
    sippExit: exit,
    seconds,
    errors: existsSync(errorsFile)
      ? readFileSync(errorsFile, 'utf8').split('\n').slice(0, 12).join('\n')
      : '',
    output: successful < calls ? output.slice(-2000) : '',
  };
}
