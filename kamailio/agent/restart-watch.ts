// Kamailio keeps some of what the sync applies only in memory (the linecps htable): a restart
// loses it, so the sync watches core.uptime's up_since and applies everything again after one.
import type { KamailioRpc } from 'kamailio-jsonrpc';

/** The RPC the watch needs (a fake in unit tests). */
export type RestartRpc = Pick<KamailioRpc, 'coreUptime'>;

/**
 * `restarted()` is true once per Kamailio restart seen (core.uptime's up_since changed). The
 * first answer only sets the baseline; when Kamailio cannot be asked it says false (the reload
 * that follows will say why).
 * @example
 * const restarts = createRestartWatch(rpc);
 * if (await restarts.restarted()) force = true;
 */
export function createRestartWatch(rpc: RestartRpc) {
  let upSince: string | null = null;
  return {
    async restarted(): Promise<boolean> {
      let now: string;
      try {
        now = (await rpc.coreUptime()).up_since;
      } catch {
        return false;
      }
      const restarted = upSince !== null && upSince !== now;
      upSince = now;
      return restarted;
    },
  };
}
