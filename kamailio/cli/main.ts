// `sipbridge`: the operator CLI of the Kamailio edge. One command, one subcommand per task:
//   npx sipbridge status | calls | hangup <call-id> | sync | render … | check …
// runSipbridge() is the CLI as a function (no process.exit, output collected) for tests;
// entry.ts prints its result and sets the exit code.
import { type CliDeps, type CliResult, type Env } from './args';
import { CALLS_USAGE, runCalls } from './calls';
import { CONNECTION_HELP } from './connection';
import { CliError, EXIT, EXIT_CODES_HELP } from './exit-codes';
import { HANGUP_USAGE, runHangup } from './hangup';
import { runCheck, runRender } from './render-check';
import { runStatus, STATUS_USAGE } from './status';
import { runSync, SYNC_USAGE } from './sync';

export const USAGE = `usage: sipbridge <command> [options]

Operates the Kamailio edge of the SIP bridge for Zendesk Talk.

commands:
  status [--json] [--sample-ms N]   Kamailio version and uptime, calls per second, active calls
                                    and ACL entries per line, the agent's spool, Worker, breaker
                                    and ACL sync
  calls [--json]                    active calls: Call-ID, line, caller, state, answered time
  hangup <call-id> [--json]         end an answered call (BYE to both sides)
  sync [--json]                     make the agent sync the ACL from the Worker now
                                    (needs EDGE_AGENT_TOKEN in the environment)
  render --config F --out D [--check]
                                    render the edge config into D (checked with kamailio -c)
  check --config F                  validate the config and run kamailio -c; write nothing

connection (on the commands that use them):
${CONNECTION_HELP.rpc}
${CONNECTION_HELP.agent}
${CONNECTION_HELP.dir}
  EDGE_AGENT_TOKEN is read from the environment only, never from a flag, and never printed.

"sipbridge <command> --help" shows a command's options.

${EXIT_CODES_HELP}`;

type Command = {
  usage: string | null;
  run: (args: string[], env: Env, deps: CliDeps) => Promise<CliResult>;
};

const COMMANDS: Record<string, Command> = {
  status: { usage: STATUS_USAGE, run: runStatus },
  calls: { usage: CALLS_USAGE, run: runCalls },
  hangup: { usage: HANGUP_USAGE, run: runHangup },
  sync: { usage: SYNC_USAGE, run: runSync },
  // The renderer parses its own arguments and prints its own help.
  render: { usage: null, run: (args, env) => runRender(args, env) },
  check: { usage: null, run: (args, env) => runCheck(args, env) },
};

/**
 * Runs `sipbridge` with `argv` (without node and the script) and returns what it would print.
 * @example
 * const { code, stdout } = await runSipbridge(['calls', '--json'], process.env);
 */
export async function runSipbridge(
  argv: string[],
  env: Env = process.env,
  deps: CliDeps = {},
): Promise<CliResult> {
  const [name, ...args] = argv;
  if (name === undefined) {
    return { code: EXIT.usage, stdout: [], stderr: [USAGE] };
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    return { code: EXIT.ok, stdout: [USAGE], stderr: [] };
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    const what = name.startsWith('-') ? `option ${name} before a command` : `command ${name}`;
    return {
      code: EXIT.usage,
      stdout: [],
      stderr: [
        `sipbridge: unknown ${what}; commands: ${Object.keys(COMMANDS).join(', ')} (see: sipbridge --help)`,
      ],
    };
  }
  if (command.usage && (args.includes('--help') || args.includes('-h'))) {
    return { code: EXIT.ok, stdout: [command.usage, '', EXIT_CODES_HELP], stderr: [] };
  }
  try {
    return await command.run(args, env, deps);
  } catch (error) {
    if (error instanceof CliError) {
      return { code: error.code, stdout: [], stderr: [`sipbridge: ${error.message}`] };
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    return { code: EXIT.failed, stdout: [], stderr: [`sipbridge: unexpected error: ${message}`] };
  }
}
