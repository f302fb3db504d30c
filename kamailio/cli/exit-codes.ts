// The exit codes of `sipbridge`, the same for every subcommand (render and check keep the
// renderer's 0, 1, 2), so scripts and monitors can branch on them.

export const EXIT = {
  /** Done; `status`: everything reachable and healthy. */
  ok: 0,
  /** The operation failed; `status`: degraded (agent degraded, ACL sync error, a line with no target up). */
  failed: 1,
  /** Usage or configuration error: bad flag, EDGE_AGENT_TOKEN missing or refused, sync off. */
  usage: 2,
  /** Kamailio's JSON-RPC or the edge agent could not be reached. */
  unreachable: 3,
  /** `hangup`: no active call with that Call-ID. */
  noSuchCall: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `exit codes:
  0  done; status: Kamailio and the agent reachable and healthy
  1  the operation failed; status: degraded (agent degraded, ACL sync error, a line down)
  2  usage or configuration error (bad flag, EDGE_AGENT_TOKEN missing or refused by the agent,
     ACL sync off in the agent)
  3  Kamailio's JSON-RPC or the edge agent could not be reached
  4  no such call (hangup)`;

/** A failure that ends the command with `code` and one line on stderr. */
export class CliError extends Error {
  constructor(
    readonly code: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
