import { describe, expect, it } from 'vitest';
import { createRestartWatch } from './restart-watch';

describe('restart watch', () => {
  it('says true once per change of up_since; the first answer and an unreachable Kamailio say false', async () => {
    let upSince: string | Error = 'Sat Nov 21 09:00:00 2026';
    const watch = createRestartWatch({
      async coreUptime() {
        if (upSince instanceof Error) throw upSince;
        return { now: 'now', up_since: upSince, uptime: 1 };
      },
    });
    expect(await watch.restarted()).toBe(false);
    expect(await watch.restarted()).toBe(false);
    upSince = 'Sat Nov 21 09:05:00 2026';
    expect(await watch.restarted()).toBe(true);
    expect(await watch.restarted()).toBe(false);
    upSince = new Error('connection refused');
    expect(await watch.restarted()).toBe(false);
    // Kamailio back up after a restart the watch could not see: still noticed.
    upSince = 'Sat Nov 21 09:10:00 2026';
    expect(await watch.restarted()).toBe(true);
  });
});
