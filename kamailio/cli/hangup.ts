import { endCall } from 'kamailio-jsonrpc';
import {
  jsonLines,
  parseCommand,
  usageError,
  type CliDeps,
  type CliResult,
  type Env,
} from './args';
import { CONNECTION_HELP, CONNECTION_OPTIONS, rpcUrl } from './connection';
import { lineOf } from './dialogs';
import { CliError, EXIT } from './exit-codes';
import { connectKamailio, rpcFailure } from './kamailio';

export const HANGUP_USAGE = `usage: sipbridge hangup <call-id> [--json] [--rpc URL]

Ends an answered call: Kamailio sends BYE to both sides (the call record then says it was ended
by the proxy). Find the Call-ID with: sipbridge calls

  --json        one JSON object: {"ended":true,"call_id","line"}
${CONNECTION_HELP.rpc}`;

export async function runHangup(args: string[], env: Env, deps: CliDeps): Promise<CliResult> {
  const { values, positionals } = parseCommand(
    'hangup',
    args,
    { json: { type: 'boolean' }, rpc: CONNECTION_OPTIONS.rpc },
    1,
  );
  const callId = positionals[0];
  if (!callId) throw usageError('hangup', 'name the call: sipbridge hangup <call-id>');
  const url = rpcUrl(values.rpc, env);
  const kamailio = connectKamailio(url, deps.rpcTimeoutMs);
  const noSuchCall = new CliError(
    EXIT.noSuchCall,
    `no active call with Call-ID ${callId} (sipbridge calls lists them)`,
  );

  let outcome;
  try {
    outcome = await endCall(kamailio, callId);
  } catch (error) {
    throw rpcFailure(error, url);
  }
  if (!outcome.ended) {
    if (outcome.reason === 'no_such_call') throw noSuchCall;
    throw new CliError(
      EXIT.failed,
      `call ${callId} is not answered yet (${outcome.stateName}): Kamailio can end only answered calls`,
    );
  }
  const line = lineOf(outcome.dialogs[0]!);
  if (values.json) {
    return { code: EXIT.ok, stdout: jsonLines({ ended: true, call_id: callId, line }), stderr: [] };
  }
  return {
    code: EXIT.ok,
    stdout: [`ended call ${callId} on line ${line}: BYE sent to both sides`],
    stderr: [],
  };
}
