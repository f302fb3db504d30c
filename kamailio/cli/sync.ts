import { forceAclSync, type AclSnapshot } from './agent';
import { jsonLines, parseCommand, type CliDeps, type CliResult, type Env } from './args';
import { agentToken, agentUrl, CONNECTION_HELP, CONNECTION_OPTIONS } from './connection';
import { EXIT } from './exit-codes';
import { formatFields } from './table';

export const SYNC_USAGE = `usage: sipbridge sync [--json] [--agent URL]

Makes the edge agent sync the ACL now: it fetches the lines' allowlists from the Worker, rewrites
address.list, reloads Kamailio's permissions and checks what Kamailio loaded. Needs the agent's
token in the environment (never as a flag): EDGE_AGENT_TOKEN.

  --json        one JSON object: {"synced":true,"acl":{"last_sync_at","etag","entries",
                "last_error"}}, or {"synced":false,"error","message","acl"}
${CONNECTION_HELP.agent}`;

function aclFields(acl: AclSnapshot): [string, string][] {
  return [
    ['entries', String(acl.entries)],
    ['etag', acl.etag ?? '-'],
    ['last sync', acl.last_sync_at ?? 'never'],
  ];
}

export async function runSync(args: string[], env: Env, deps: CliDeps): Promise<CliResult> {
  const { values } = parseCommand(
    'sync',
    args,
    { json: { type: 'boolean' }, agent: CONNECTION_OPTIONS.agent },
    0,
  );
  const base = agentUrl(values.agent, env);
  const outcome = await forceAclSync(base, agentToken(env), deps.syncTimeoutMs);
  if (outcome.synced) {
    return {
      code: EXIT.ok,
      stdout: values.json
        ? jsonLines(outcome)
        : [
            'ACL synced: Kamailio loaded the Worker allowlists',
            ...formatFields(aclFields(outcome.acl)),
          ],
      stderr: [],
    };
  }
  return {
    code: EXIT.failed,
    stdout: values.json
      ? jsonLines(outcome)
      : ['ACL in force (the previous one):', ...formatFields(aclFields(outcome.acl))],
    stderr: [`sipbridge: ACL sync failed: ${outcome.message}`],
  };
}
