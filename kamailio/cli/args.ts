import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError, EXIT, type ExitCode } from './exit-codes';

/** What a subcommand produced: lines for stdout and stderr, and the exit code. */
export interface CliResult {
  code: ExitCode;
  stdout: string[];
  stderr: string[];
}

/** Injected by tests; the defaults are the real clock and timeouts. */
export interface CliDeps {
  /** Milliseconds since the epoch (call durations). */
  now?: () => number;
  /** A monotonic clock in ms for the calls-per-second sample; default performance.now. */
  monotonicNow?: () => number;
  /** Waits out the calls-per-second sample; default a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Per Kamailio JSON-RPC call; default 2000. */
  rpcTimeoutMs?: number;
  /** Per agent request (GET /health); default 2000. */
  agentTimeoutMs?: number;
  /** POST /v1/acl/sync, which may wait for Kamailio's 5 s reload delay; default 15000. */
  syncTimeoutMs?: number;
}

export type Env = Record<string, string | undefined>;

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>
>;

/**
 * node:util parseArgs, strict, with its errors turned into one short usage line (exit 2).
 * @example parseCommand('calls', ['--json'], { json: { type: 'boolean' } }, 0)
 */
export function parseCommand<O extends Options>(
  command: string,
  args: string[],
  options: O,
  positionals: number,
): Parsed<O> {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: positionals > 0 });
  } catch (error) {
    // Node adds advice about `--` that does not apply here: keep the first sentence.
    const first = (error as Error).message.split(/\.\s/)[0]!.replace(/\.$/, '');
    throw usageError(command, first.charAt(0).toLowerCase() + first.slice(1));
  }
  if (parsed.positionals.length > positionals) {
    throw usageError(command, `unexpected argument '${parsed.positionals[positionals]}'`);
  }
  return parsed;
}

/** A usage error naming the subcommand and where its options are listed. */
export function usageError(command: string, problem: string): CliError {
  return new CliError(EXIT.usage, `${command}: ${problem} (see: sipbridge ${command} --help)`);
}

/** The JSON document `--json` prints: one object, two-space indented. */
export function jsonLines(value: unknown): string[] {
  return [JSON.stringify(value, null, 2)];
}
