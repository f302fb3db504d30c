import { join } from 'node:path';
import { CliError, EXIT } from './exit-codes';
import type { Env } from './args';

const DEFAULT_RPC_URL = 'http://127.0.0.1:5080/RPC';
const DEFAULT_AGENT_URL = 'http://127.0.0.1:8090';
const DEFAULT_RENDER_DIR = '/etc/kamailio/sipbridge';

/** parseArgs options for the connection flags; a subcommand takes the ones it needs. */
export const CONNECTION_OPTIONS = {
  rpc: { type: 'string' },
  agent: { type: 'string' },
  dir: { type: 'string' },
} as const;

export const CONNECTION_HELP = {
  rpc: `  --rpc URL     Kamailio JSON-RPC (else $KAMAILIO_RPC_URL, else ${DEFAULT_RPC_URL})`,
  agent: `  --agent URL   the edge agent (else $EDGE_AGENT_URL, else ${DEFAULT_AGENT_URL})`,
  dir: `  --dir D       the render directory holding line-ids.json (else $EDGE_ACL_SYNC_DIR,
                else ${DEFAULT_RENDER_DIR})`,
};

function httpUrl(flag: string, value: string, origin: boolean): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(EXIT.usage, `${flag} ${JSON.stringify(value)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(EXIT.usage, `${flag} ${value}: use an http:// or https:// URL`);
  }
  if (url.username || url.password) {
    throw new CliError(EXIT.usage, `${flag}: put no credentials in the URL`);
  }
  return origin ? url.origin : url.href;
}

/** Kamailio's JSON-RPC URL: --rpc, else KAMAILIO_RPC_URL, else the edge template's default. */
export function rpcUrl(flag: string | undefined, env: Env): string {
  const [name, value] =
    flag !== undefined ? ['--rpc', flag] : ['KAMAILIO_RPC_URL', env.KAMAILIO_RPC_URL];
  return httpUrl(name, value || DEFAULT_RPC_URL, false);
}

/** The edge agent's origin: --agent, else EDGE_AGENT_URL, else its default address. */
export function agentUrl(flag: string | undefined, env: Env): string {
  const [name, value] =
    flag !== undefined ? ['--agent', flag] : ['EDGE_AGENT_URL', env.EDGE_AGENT_URL];
  return httpUrl(name, value || DEFAULT_AGENT_URL, true);
}

/** line-ids.json in the render directory: --dir, else EDGE_ACL_SYNC_DIR, else the default. */
export function lineIdsPath(flag: string | undefined, env: Env): string {
  return join(flag || env.EDGE_ACL_SYNC_DIR || DEFAULT_RENDER_DIR, 'line-ids.json');
}

/**
 * The agent's bearer token, from the environment only: a flag would show in `ps` and in the
 * shell history. Never printed.
 */
export function agentToken(env: Env): string {
  const token = env.EDGE_AGENT_TOKEN ?? '';
  if (!token) {
    throw new CliError(
      EXIT.usage,
      'EDGE_AGENT_TOKEN is not set: export the token from the agent environment ' +
        '(/etc/sipbridge/agent.env) first, e.g. set -a; . /etc/sipbridge/agent.env; set +a',
    );
  }
  return token;
}
