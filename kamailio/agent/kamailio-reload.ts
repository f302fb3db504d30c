// Kamailio's permissions and dispatcher modules refuse a reload within reload_delta (5 s) of the
// last one; the sync's reloads wait that out instead of failing.
import { KamailioRpcError } from 'kamailio-jsonrpc';

/** Runs a reload RPC, trying again while Kamailio answers "ongoing reload". */
export type Reload = (run: () => Promise<unknown>) => Promise<void>;

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
  now?: () => number;
}): Reload {
  const now = options.now ?? Date.now;
  const { signal } = options;

  /** Waits `ms`, or less when aborted; leaves no listener behind (the agent runs for months). */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });

  return async (run) => {
    const deadline = now() + options.waitMs;
    for (;;) {
      try {
        return void (await run());
      } catch (err) {
        const ongoing =
          err instanceof KamailioRpcError && /^ongoing reload$/i.test(err.kamailioMessage);
        if (!ongoing || now() > deadline || signal.aborted) throw err;
      }
      await sleep(250);
    }
  };
}
