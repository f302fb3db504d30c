import { fetchHealth, type AgentHealth } from './agent';
import {
  jsonLines,
  parseCommand,
  usageError,
  type CliDeps,
  type CliResult,
  type Env,
} from './args';
import { agentUrl, CONNECTION_HELP, CONNECTION_OPTIONS, lineIdsPath, rpcUrl } from './connection';
import { EXIT, type CliError, type ExitCode } from './exit-codes';
import { connectKamailio, withKamailio } from './kamailio';
import {
  countByState,
  lineRows,
  readKamailio,
  readLineNames,
  settle,
  type KamailioFacts,
  type LineRow,
  type Part,
} from './status-read';
import { formatDuration, formatFields, formatTable } from './table';

export const STATUS_USAGE = `usage: sipbridge status [--json] [--sample-ms N] [--rpc URL] [--agent URL] [--dir D]

Kamailio's version and uptime, calls per second, active calls, ACL entries and targets (those
OPTIONS probing marked down named) per line, and the edge agent's health: spool, Worker
reachability, circuit breaker, ACL sync. When Kamailio or the agent cannot be reached, the rest is
still shown and that part is marked UNREACHABLE.

  --json        one JSON object with snake_case keys (see docs/operators.md)
  --sample-ms N measure calls per second over N ms (default 1000; 0 skips the measurement):
                new dialogs, answered or not (Kamailio's dialog:processed_dialogs)
${CONNECTION_HELP.rpc}
${CONNECTION_HELP.agent}
${CONNECTION_HELP.dir}`;

const describeStates = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([state, n]) => `${state.replace(/_/g, '-')} ${n}`)
    .join(', ');

/** Why the agent says degraded, from the parts of its report the CLI knows. */
function degradedReasons(health: AgentHealth): string[] {
  return [
    ...(health.worker.reachable ? [] : ['Worker unreachable']),
    ...(health.worker.breaker === 'open' ? ['breaker open'] : []),
    ...(health.acl?.last_error ? ['ACL sync error'] : []),
    ...(health.reconcile?.last_error
      ? [`call reconciliation: ${health.reconcile.last_error}`]
      : []),
    ...(health.commands?.last_error ? [`hang-up commands: ${health.commands.last_error}`] : []),
  ];
}

/** The Targets field: how many are up, and each one probing marked down. */
function describeTargets(targets: KamailioFacts['targets']): string {
  if (targets === null) return 'unknown (dispatcher.list could not be read)';
  const down = targets.filter((t) => !t.up);
  if (!down.length) return `${targets.length} up`;
  const named = down.map((t) => `${t.uri}${t.line ? ` (${t.line})` : ''}`).join(', ');
  return `${targets.length - down.length} up, ${down.length} DOWN (probing, skipped): ${named}`;
}

const entries = (n: number) => `${n} entr${n === 1 ? 'y' : 'ies'}`;

function parseSampleMs(value: string | undefined): number {
  if (value === undefined) return 1000;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 60_000) {
    throw usageError('status', `--sample-ms ${value}: use whole milliseconds from 0 to 60000`);
  }
  return n;
}

export async function runStatus(args: string[], env: Env, deps: CliDeps): Promise<CliResult> {
  const { values } = parseCommand(
    'status',
    args,
    { json: { type: 'boolean' }, 'sample-ms': { type: 'string' }, ...CONNECTION_OPTIONS },
    0,
  );
  const sampleMs = parseSampleMs(values['sample-ms']);
  const rpc = rpcUrl(values.rpc, env);
  const agent = agentUrl(values.agent, env);
  const idsPath = lineIdsPath(values.dir, env);
  const kamailio = connectKamailio(rpc, deps.rpcTimeoutMs);

  const [k, a, ids] = await Promise.all([
    settle(() => withKamailio(rpc, () => readKamailio(kamailio, sampleMs, deps))),
    settle(() => fetchHealth(agent, deps.agentTimeoutMs)),
    readLineNames(idsPath),
  ]);

  const failures = [k, a].flatMap((p) => (p.ok ? [] : [p.error]));
  const lines = k.ok
    ? lineRows(ids.names, k.value.groups, k.value.dialogs, k.value.targets ?? [])
    : null;
  // A line whose every target probing marked down takes no call (503 No target for this line):
  // degraded. One down among others that are up is shown, not a failure: calls fail over. A
  // routing rule's set (`<slug>/<rule>`) all down is shown too, but its calls go to the line's.
  const stranded = (lines ?? []).filter(
    (l) => l.targets > 0 && l.targets_down.length === l.targets && !l.line.includes('/'),
  );
  const degraded = (a.ok && a.value.status === 'degraded') || stranded.length > 0;
  const code: ExitCode = failures.some((f) => f.code === EXIT.unreachable)
    ? EXIT.unreachable
    : failures.length > 0 || degraded
      ? EXIT.failed
      : EXIT.ok;
  const overall = code === EXIT.ok ? 'ok' : code === EXIT.unreachable ? 'unreachable' : 'degraded';
  const stderr = [
    ...failures.map((f) => `sipbridge: ${f.message}`),
    ...stranded.map(
      (l) => `sipbridge: line ${l.line} has no target up (${l.targets} of ${l.targets} down)`,
    ),
  ];
  const gathered: Gathered = { overall, sampleMs, rpc, agent, idsPath, k, a, ids, lines };
  const stdout = values.json ? jsonLines(jsonReport(gathered)) : textReport(gathered);
  return { code, stdout, stderr };
}

/** What runStatus gathered: each side's facts or the reason it could not be read. */
interface Gathered {
  overall: 'ok' | 'degraded' | 'unreachable';
  sampleMs: number;
  rpc: string;
  agent: string;
  idsPath: string;
  k: Part<KamailioFacts>;
  a: Part<AgentHealth>;
  ids: Awaited<ReturnType<typeof readLineNames>>;
  lines: LineRow[] | null;
}

/** `--json`: one object with snake_case keys, every key present (null when unknown). */
function jsonReport({ overall, sampleMs, rpc, agent, idsPath, k, a, ids, lines }: Gathered) {
  const health = a.ok ? a.value : null;
  const acl = health?.acl;
  const report = {
    status: overall,
    kamailio: {
      url: rpc,
      reachable: k.ok || k.error.code !== EXIT.unreachable,
      error: k.ok ? null : k.error.message,
      version: k.ok ? k.value.version : null,
      uptime_s: k.ok ? k.value.uptimeS : null,
      up_since: k.ok ? k.value.upSince : null,
      calls_per_second: k.ok ? k.value.callsPerSecond : null,
      sample_ms: sampleMs,
      active_calls: k.ok ? k.value.dialogs.length : null,
      calls_by_state: k.ok ? countByState(k.value.dialogs) : null,
      events_queued: k.ok ? k.value.eventsQueued : null,
      targets_down: k.ok && k.value.targets ? k.value.targets.filter((t) => !t.up).length : null,
    },
    lines,
    line_ids: { path: idsPath, error: ids.error },
    agent: {
      url: agent,
      reachable: a.ok || a.error.code !== EXIT.unreachable,
      error: a.ok ? null : a.error.message,
      status: health?.status ?? null,
      spool_depth: health?.spool.depth ?? null,
      spool_oldest_at: health?.spool.oldest_at ?? null,
      worker_reachable: health?.worker.reachable ?? null,
      worker_last_ok_at: health?.worker.last_ok_at ?? null,
      worker_last_error: health?.worker.last_error ?? null,
      breaker: health?.worker.breaker ?? null,
      acl_sync: health
        ? {
            enabled: acl !== undefined,
            last_sync_at: acl?.last_sync_at ?? null,
            etag: acl?.etag ?? null,
            entries: acl?.entries ?? null,
            last_error: acl?.last_error ?? null,
          }
        : null,
    },
  };
  return report;
}

/** The human report: status, aligned fields, then one table row per line. */
function textReport({ overall, sampleMs, k, a, ids, lines }: Gathered): string[] {
  const unreachable = (e: CliError) =>
    `${e.code === EXIT.unreachable ? 'UNREACHABLE' : 'ERROR'}: ${e.message}`;
  const fields: [string, string][] = [];
  if (k.ok) {
    const f = k.value;
    fields.push(
      ['Kamailio', `${f.version}, up ${formatDuration(f.uptimeS)} (since ${f.upSince})`],
      [
        'Calls',
        `${f.dialogs.length} active${f.dialogs.length ? ` (${describeStates(countByState(f.dialogs))})` : ''}`,
      ],
      [
        'Calls/s',
        f.callsPerSecond === null
          ? 'not measured (--sample-ms 0)'
          : `${f.callsPerSecond.toFixed(2)} (new calls over ${(sampleMs / 1000).toFixed(1)} s)`,
      ],
      ['Targets', describeTargets(f.targets)],
      [
        'Events',
        f.eventsQueued === null
          ? 'unknown (this cfg has no events queue: render it again)'
          : `${f.eventsQueued} queued in Kamailio for the agent`,
      ],
    );
  } else {
    fields.push(
      ['Kamailio', unreachable(k.error)],
      ['Calls', 'unknown'],
      ['Calls/s', 'unknown'],
      ['Targets', 'unknown'],
      ['Events', 'unknown'],
    );
  }
  if (a.ok) {
    const h = a.value;
    const reasons = degradedReasons(h);
    const worker = h.worker.reachable
      ? 'reachable'
      : `UNREACHABLE (${h.worker.last_error ?? 'no answer'}; last ok ${h.worker.last_ok_at ?? 'never'})`;
    const acl = h.acl;
    fields.push(
      [
        'Agent',
        h.status === 'ok'
          ? 'ok'
          : `DEGRADED${reasons.length ? `: ${reasons.join(', ')}` : ' (see its /health)'}`,
      ],
      [
        'Spool',
        `${h.spool.depth} event${h.spool.depth === 1 ? '' : 's'} waiting` +
          (h.spool.oldest_at ? `, oldest from ${h.spool.oldest_at}` : ''),
      ],
      ['Worker', `${worker}, breaker ${h.worker.breaker}`],
      [
        'ACL sync',
        !acl
          ? 'off (EDGE_ACL_SYNC_DIR not set in the agent)'
          : acl.last_error
            ? `ERROR: ${acl.last_error} (${entries(acl.entries)} in force, last sync ${acl.last_sync_at ?? 'never'})`
            : `${entries(acl.entries)}, last sync ${acl.last_sync_at ?? 'never'}`,
      ],
    );
  } else {
    fields.push(
      ['Agent', unreachable(a.error)],
      ['Spool', 'unknown'],
      ['Worker', 'unknown'],
      ['ACL sync', 'unknown'],
    );
  }
  const stdout = [`Status: ${overall.toUpperCase()}`, ...formatFields(fields), ''];
  if (lines) {
    stdout.push(
      ...formatTable(
        ['LINE', 'GROUP', 'ACL ENTRIES', 'TARGETS', 'CALLS', 'STATES'],
        lines.map((l) => [
          l.line,
          l.group ?? '-',
          l.acl_entries,
          l.targets_down.length ? `${l.targets} (${l.targets_down.length} DOWN)` : l.targets,
          l.active_calls,
          describeStates(l.calls_by_state),
        ]),
      ),
    );
    if (lines.length === 0) stdout.push('(no lines: Kamailio has no ACL entries and no calls)');
    if (ids.error && lines.some((l) => l.line.startsWith('group '))) {
      stdout.push(`(line names: ${ids.error}; pass --dir with the render directory)`);
    }
  } else {
    stdout.push('Lines: unknown (Kamailio could not be asked)');
  }
  return stdout;
}
