import type { Dialog } from 'kamailio-jsonrpc';
import { jsonLines, parseCommand, type CliDeps, type CliResult, type Env } from './args';
import { CONNECTION_HELP, CONNECTION_OPTIONS, rpcUrl } from './connection';
import { activeDialogs, answeredSeconds, callerOf, lineOf } from './dialogs';
import { EXIT } from './exit-codes';
import { connectKamailio, withKamailio } from './kamailio';
import { formatDuration, formatTable } from './table';

export const CALLS_USAGE = `usage: sipbridge calls [--json] [--rpc URL]

Lists the calls up now (Kamailio's dialogs): Call-ID, line, caller, state, and how long since
the call was answered (0 while it rings).

  --json        one JSON object: {"calls":[{"call_id","line","from","from_uri","state",
                "answered_s"}]}
${CONNECTION_HELP.rpc}`;

export interface CallRow {
  call_id: string;
  line: string;
  from: string;
  from_uri: string;
  state: string;
  answered_s: number;
}

/** One row per active call, oldest answered first. */
function callRows(dialogs: Dialog[], nowMs: number): CallRow[] {
  return activeDialogs(dialogs)
    .map((d) => ({
      call_id: d.callId,
      line: lineOf(d),
      from: callerOf(d.fromUri),
      from_uri: d.fromUri,
      state: d.stateName,
      answered_s: answeredSeconds(d, nowMs),
    }))
    .sort((a, b) => b.answered_s - a.answered_s || a.call_id.localeCompare(b.call_id));
}

export async function runCalls(args: string[], env: Env, deps: CliDeps): Promise<CliResult> {
  const { values } = parseCommand(
    'calls',
    args,
    { json: { type: 'boolean' }, rpc: CONNECTION_OPTIONS.rpc },
    0,
  );
  const url = rpcUrl(values.rpc, env);
  const kamailio = connectKamailio(url, deps.rpcTimeoutMs);
  const dialogs = await withKamailio(url, () => kamailio.dialogs());
  const rows = callRows(dialogs, (deps.now ?? Date.now)());
  if (values.json) return { code: EXIT.ok, stdout: jsonLines({ calls: rows }), stderr: [] };
  if (rows.length === 0) return { code: EXIT.ok, stdout: ['no active calls'], stderr: [] };
  const table = formatTable(
    ['CALL-ID', 'LINE', 'FROM', 'STATE', 'ANSWERED'],
    rows.map((r) => [r.call_id, r.line, r.from, r.state, formatDuration(r.answered_s)]),
  );
  const count = `${rows.length} active call${rows.length === 1 ? '' : 's'}`;
  return { code: EXIT.ok, stdout: [...table, '', count], stderr: [] };
}
