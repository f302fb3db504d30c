// What `sipbridge status` reads: Kamailio's facts over JSON-RPC (version, uptime, calls, ACL
// entries, queued events) and the line names of a render, shaped into one row per line.
import { readFile } from 'node:fs/promises';
import { isSlug } from '@sip-bridge/contract/identifiers';
import type { Dialog, KamailioRpc } from 'kamailio-jsonrpc';
import { parseDispatcherTargets, type TargetState } from '../agent/dispatcher-targets';
import { parseLineIds } from '../renderer/files';
import { activeDialogs, lineOf, stateKey } from './dialogs';
import { CliError } from './exit-codes';

/** Kamailio's dialog counter: every dialog created since start (answered or not). */
const PROCESSED_DIALOGS = 'dialog:processed_dialogs';

export interface KamailioFacts {
  version: string;
  uptimeS: number;
  upSince: string;
  callsPerSecond: number | null;
  /** Lifecycle events waiting in Kamailio's queue for the agent (null: a cfg without the queue). */
  eventsQueued: number | null;
  dialogs: Dialog[];
  /** ACL entries (addresses and subnets) per permissions group, with the tag of the last one. */
  groups: Map<number, { entries: number; tag: string | null }>;
  /** The lines' targets with their probing state (null: dispatcher.list could not be read). */
  targets: TargetState[] | null;
}

export type Part<T> = { ok: true; value: T } | { ok: false; error: CliError };

export async function settle<T>(fn: () => Promise<T>): Promise<Part<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    if (error instanceof CliError) return { ok: false, error };
    throw error;
  }
}

const timerSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** How readKamailio measures calls per second; tests pass their own. */
export interface SampleClock {
  monotonicNow?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

async function processedDialogs(kamailio: KamailioRpc): Promise<number> {
  const stats = await kamailio.stats(PROCESSED_DIALOGS);
  const value = stats[PROCESSED_DIALOGS.replace(':', '.')];
  if (value === undefined) throw new Error(`no ${PROCESSED_DIALOGS} in ${JSON.stringify(stats)}`);
  return value;
}

export async function readKamailio(
  kamailio: KamailioRpc,
  sampleMs: number,
  clock: SampleClock = {},
): Promise<KamailioFacts> {
  const now = clock.monotonicNow ?? (() => performance.now());
  const sleep = clock.sleep ?? timerSleep;
  // The version first: when Kamailio is down, that is the only call that waits.
  const version = await kamailio.coreVersion();
  const first = sampleMs > 0 ? await processedDialogs(kamailio) : 0;
  const firstAt = now();
  const [uptime, dialogs, addresses, subnets, eventsQueued, targets] = await Promise.all([
    kamailio.coreUptime(),
    kamailio.dialogs(),
    kamailio.addressDump(),
    kamailio.subnetDump(),
    kamailio.queueSize('events').catch(() => null),
    kamailio
      .call('dispatcher.list')
      .then(parseDispatcherTargets)
      .catch(() => null),
  ]);
  let callsPerSecond: number | null = null;
  if (sampleMs > 0) {
    await sleep(Math.max(0, sampleMs - (now() - firstAt)));
    const second = await processedDialogs(kamailio);
    const seconds = (now() - firstAt) / 1000;
    callsPerSecond = Math.round((Math.max(0, second - first) / seconds) * 100) / 100;
  }
  const groups = new Map<number, { entries: number; tag: string | null }>();
  for (const entry of [...addresses, ...subnets]) {
    const group = groups.get(entry.group) ?? { entries: 0, tag: null };
    groups.set(entry.group, { entries: group.entries + 1, tag: entry.tag ?? group.tag });
  }
  return {
    version,
    uptimeS: uptime.uptime,
    upSince: uptime.up_since,
    callsPerSecond,
    eventsQueued,
    dialogs: activeDialogs(dialogs),
    groups,
    targets,
  };
}

/** line-ids.json of the render directory: permissions group → line slug. */
export async function readLineNames(
  path: string,
): Promise<{ names: Map<number, string>; error: string | null }> {
  try {
    const ids = parseLineIds(await readFile(path, 'utf8'));
    return { names: new Map(Object.entries(ids.ids).map(([slug, id]) => [id, slug])), error: null };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : (error as Error).message;
    return { names: new Map(), error: `${path}: ${why}` };
  }
}

export interface LineRow {
  line: string;
  group: number | null;
  acl_entries: number;
  active_calls: number;
  calls_by_state: Record<string, number>;
  /** Targets Kamailio holds for the line, and those OPTIONS probing marked down (skipped). */
  targets: number;
  targets_down: string[];
}

/**
 * One row per line: every line in line-ids.json, every permissions group Kamailio has loaded
 * (named by line-ids.json, else by its tag, else `group N`), every line a call is on, with its
 * targets (dispatcher set = group).
 */
export function lineRows(
  names: Map<number, string>,
  groups: KamailioFacts['groups'],
  dialogs: Dialog[],
  targets: TargetState[] = [],
): LineRow[] {
  const rows = new Map<string, LineRow>();
  const row = (line: string, group: number | null) => {
    let found = rows.get(line);
    if (!found) {
      found = {
        line,
        group,
        acl_entries: 0,
        active_calls: 0,
        calls_by_state: {},
        targets: 0,
        targets_down: [],
      };
      rows.set(line, found);
    }
    return found;
  };
  for (const [group, slug] of names) row(slug, group);
  for (const [group, { entries, tag }] of groups) {
    const name =
      names.get(group) ?? (tag && isSlug(tag) && !rows.has(tag) ? tag : `group ${group}`);
    row(name, group).acl_entries += entries;
  }
  for (const target of targets) {
    const name = names.get(target.set) ?? target.line ?? `group ${target.set}`;
    const found = row(name, target.set);
    found.targets += 1;
    if (!target.up) found.targets_down.push(target.uri);
  }
  for (const dialog of dialogs) {
    const found = row(lineOf(dialog), null);
    found.active_calls += 1;
    const state = stateKey(dialog);
    found.calls_by_state[state] = (found.calls_by_state[state] ?? 0) + 1;
  }
  return [...rows.values()].sort(
    (a, b) =>
      (a.group ?? Number.MAX_SAFE_INTEGER) - (b.group ?? Number.MAX_SAFE_INTEGER) ||
      a.line.localeCompare(b.line),
  );
}

export function countByState(dialogs: Dialog[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const d of dialogs) counts[stateKey(d)] = (counts[stateKey(d)] ?? 0) + 1;
  return counts;
}
