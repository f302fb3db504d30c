import { runCli } from '../renderer/command';
import type { CliResult, Env } from './args';

const CHECK_USAGE = `usage: sipbridge check --config <sipbridge.yaml> [--kamailio <path>]

Validates the config and runs kamailio -c on a scratch render; writes nothing.
Same as: sipbridge render --config <sipbridge.yaml> --check`;

/** `sipbridge render …`: the renderer CLI (kamailio/renderer/command.ts), its exit codes kept. */
export async function runRender(args: string[], env: Env): Promise<CliResult> {
  return prefixed(await runCli(args, env));
}

/** `sipbridge check …`: `render --check`. */
export async function runCheck(args: string[], env: Env): Promise<CliResult> {
  if (args.includes('--help') || args.includes('-h')) {
    return { code: 0, stdout: [CHECK_USAGE], stderr: [] };
  }
  return prefixed(await runCli([...args, '--check'], env));
}

/** The renderer's usage names itself `render`; as a subcommand it is `sipbridge render`. */
function prefixed(result: CliResult): CliResult {
  const fix = (line: string) => line.replace(/^usage: render /, 'usage: sipbridge render ');
  return { ...result, stdout: result.stdout.map(fix), stderr: result.stderr.map(fix) };
}
