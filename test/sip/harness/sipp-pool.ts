import { runSipp, startSipp } from './sipp';
import { defaultCallVars } from './suite';

type Sipp = ReturnType<typeof startSipp>;

/**
 * The sipp ends of a suite on ports around `base`: UAS n listens on base+70+n (the line targets),
 * UACs rotate over base+30..base+69 and call the edge on `base`. `stop()` ends every UAS still up.
 * @example const pool = createSippPool(PORT_BLOCKS.decide); const uas = pool.uas(0, 'uas-answer');
 */
export function createSippPool(base: number) {
  const running = new Set<Sipp>();
  let nextUacPort = base + 30;
  return {
    /** Starts a UAS (a Zendesk stand-in) on target n, serving `calls` calls (within `timeoutS`). */
    uas(
      n: number,
      scenario: string,
      vars: Record<string, string> = {},
      calls = 1,
      timeoutS = 15,
    ): Sipp {
      const proc = startSipp({
        scenario,
        vars,
        ip: '127.0.0.1',
        port: base + 70 + n,
        calls,
        timeoutS,
      });
      running.add(proc);
      void proc.done.then(() => running.delete(proc));
      return proc;
    },
    /** Runs a UAC scenario against the edge from `ip` (127.0.0.x, or ::1 for IPv6). */
    uac(
      scenario: string,
      vars: Record<string, string> = {},
      ip = '127.0.0.1',
      transport: 'u1' | 't1' = 'u1',
      timeoutS = 10,
    ) {
      const port = nextUacPort;
      nextUacPort = nextUacPort >= base + 69 ? base + 30 : nextUacPort + 1;
      return runSipp({
        scenario,
        vars: { ...defaultCallVars, ...vars },
        ip,
        port,
        remote: ip.includes(':') ? `[::1]:${base}` : `127.0.0.1:${base}`,
        transport,
        timeoutS,
      });
    },
    async stop() {
      await Promise.all([...running].map((p) => p.stop()));
    },
  };
}

/** What a suite offers its tests: `uas(n, …)` for target n, `uac(…)` calling the edge. */
export type SippPool = Pick<ReturnType<typeof createSippPool>, 'uas' | 'uac'>;
