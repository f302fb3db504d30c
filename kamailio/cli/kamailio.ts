import {
  createKamailioRpc,
  KamailioRpcConnectionError,
  KamailioRpcError,
  KamailioRpcTimeoutError,
  type KamailioRpc,
} from 'kamailio-jsonrpc';
import { CliError, EXIT } from './exit-codes';

const RPC_TIMEOUT_MS = 2000;

/** The typed JSON-RPC client with the CLI's short timeout: an operator should not wait. */
export function connectKamailio(url: string, timeoutMs = RPC_TIMEOUT_MS): KamailioRpc {
  return createKamailioRpc({ url, timeoutMs });
}

/**
 * One line for a failed JSON-RPC call, with the exit code: 3 when Kamailio could not be reached
 * (refused, reset, timeout), 1 when it answered with an error or something unexpected.
 */
export function rpcFailure(error: unknown, url: string): CliError {
  if (error instanceof KamailioRpcConnectionError) {
    return new CliError(
      EXIT.unreachable,
      `cannot reach Kamailio JSON-RPC at ${url} (${error.errorCode ?? 'connection failed'}); ` +
        'is kamailio running?',
    );
  }
  if (error instanceof KamailioRpcTimeoutError) {
    return new CliError(
      EXIT.unreachable,
      `Kamailio JSON-RPC at ${url} did not answer within ${error.timeoutMs} ms; ` +
        'is kamailio running (and is that its RPC port)?',
    );
  }
  if (error instanceof KamailioRpcError) {
    return new CliError(EXIT.failed, `Kamailio refused ${error.method}: ${error.kamailioMessage}`);
  }
  return new CliError(EXIT.failed, `Kamailio JSON-RPC at ${url}: ${(error as Error).message}`);
}

/** Runs `fn` and turns a JSON-RPC failure into a CliError. */
export async function withKamailio<T>(url: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw rpcFailure(error, url);
  }
}
