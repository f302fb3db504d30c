// What bench:sip reads from /proc: memory of a process group, and CPU time per process group
// against the whole machine (so a step shows which part saturates, and how busy others kept it).
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

const TICKS = 100; // USER_HZ: /proc/stat and /proc/<pid>/stat count in 1/100 s

/** Fields of /proc/<pid>/stat after "pid (comm) ": [0] state, [2] pgrp, [11] utime, [12] stime. */
function statFields(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

const pids = () => readdirSync('/proc').filter((n) => /^\d+$/.test(n));
const round = (n, d = 10) => Math.round(n * d) / d;

/** CPU seconds one process has used so far (0 once it is gone). */
export function processCpu(pid) {
  try {
    const f = statFields(pid);
    return (Number(f[11]) + Number(f[12])) / TICKS;
  } catch {
    return 0;
  }
}

/** RSS (each process counts the shared memory it touched) and PSS (shared pages split) of a group. */
export function groupMemory(pgid) {
  let rssKb = 0;
  let pssKb = 0;
  let processes = 0;
  for (const pid of pids()) {
    try {
      if (Number(statFields(pid)[2]) !== pgid) continue;
      rssKb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      pssKb += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      processes++;
    } catch {
      // the process ended meanwhile
    }
  }
  return { processes, rssSumMb: round(rssKb / 1024), pssSumMb: round(pssKb / 1024) };
}

/** CPU seconds so far of each named process group ({ name: pgid }) and of the whole machine. */
export function cpuSnapshot(groups) {
  const [, ...t] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .map(Number);
  // user nice system idle iowait irq softirq steal
  const busy = t[0] + t[1] + t[2] + t[5] + t[6] + t[7];
  const byGroup = Object.fromEntries(Object.keys(groups).map((name) => [name, 0]));
  const names = new Map(Object.entries(groups).map(([name, pgid]) => [pgid, name]));
  for (const pid of pids()) {
    try {
      const f = statFields(pid);
      const name = names.get(Number(f[2]));
      if (name) byGroup[name] += (Number(f[11]) + Number(f[12])) / TICKS;
    } catch {
      // the process ended meanwhile
    }
  }
  return { at: Date.now(), busy: busy / TICKS, all: (busy + t[3] + t[4]) / TICKS, byGroup };
}

/**
 * CPU used between two snapshots: how busy the machine was (0-100 % of all cores), each group's
 * milliseconds per call, and `othersCores`: cores kept busy by everything not in `groups` minus
 * `extraCpuS` (CPU seconds measured elsewhere, e.g. the caller sipp), i.e. other work on the host.
 */
export function cpuUsage(before, after, calls, extraCpuS = 0) {
  const seconds = (after.at - before.at) / 1000;
  const busy = after.busy - before.busy;
  const perCallMs = {};
  let ours = extraCpuS;
  for (const name of Object.keys(after.byGroup)) {
    const used = after.byGroup[name] - before.byGroup[name];
    ours += used;
    perCallMs[name] = round((used * 1000) / calls, 100);
  }
  return {
    seconds: round(seconds),
    machineBusyPct: Math.round((100 * busy) / (after.all - before.all)),
    perCallMs,
    othersCores: round(Math.max(0, busy - ours) / seconds, 100),
    cores: os.cpus().length,
  };
}
