// Kamailio's permissions and dispatcher modules refuse a reload within reload_delta (5 s) of the
// last one; the sync's reloads wait that out instead of failing.
import { KamailioRpcError } from 'kamailio-jsonrpc';
import { retry } from './retry';
import type { Timers } from './timers';

/** Runs a reload RPC, trying again while Kamailio answers "ongoing reload". */
export type Reload = (run: () => Promise<unknown>) => Promise<void>;

/** permissions says "ongoing reload", dispatcher "Ongoing reload". */
const ongoingReload = (err: unknown) =>
  err instanceof KamailioRpcError && /^ongoing reload$/i.test(err.kamailioMessage);

/**
 * Reloads that retry every 250 ms while Kamailio says "ongoing reload" (permissions) or
 * "Ongoing reload" (dispatcher), up to `waitMs`; any other error, or `signal` aborted, ends it.
 * @example
 * const reload = createReload({ waitMs: 8000, signal: controller.signal });
 * await reload(() => rpc.addressReload());
 */
export function createReload(options: {
  waitMs: number;
  signal: AbortSignal;
  /** The clock the waits run on (tests: fake timers). */
  timers?: Timers;
}): Reload {
  return (run) =>
    retry(async () => void (await run()), {
      delay: 250,
      withinMs: options.waitMs,
      retryIf: ongoingReload,
      signal: options.signal,
      timers: options.timers,
    });
}
