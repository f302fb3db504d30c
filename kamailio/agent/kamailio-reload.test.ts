import { KamailioRpcError } from 'kamailio-jsonrpc';
import { describe, expect, it } from 'vitest';
import { createReload } from './kamailio-reload';
import { createFakeTimers, type FakeTimers } from './testing/fake-timers';

const ongoing = (message: string) =>
  new KamailioRpcError('permissions.addressReload', 500, message);

/** Moves the fake clock 250 ms (one wait) whenever the reload is waiting, until it settles. */
async function drive(timers: FakeTimers, reload: Promise<void>): Promise<void> {
  let settled = false;
  const done = reload.finally(() => (settled = true));
  done.catch(() => {}); // asserted on by the caller
  for (let i = 0; i < 1000 && !settled; i++) {
    await new Promise((r) => setImmediate(r));
    if (!settled && timers.pending > 0) timers.advance(250);
  }
  return done;
}

describe('Kamailio reloads', () => {
  it('tries again 250 ms apart while Kamailio says "ongoing reload" (either spelling), then succeeds', async () => {
    const timers = createFakeTimers();
    const reload = createReload({ waitMs: 3000, signal: new AbortController().signal, timers });
    const answers = [ongoing('ongoing reload'), ongoing('Ongoing reload')];
    const tries: number[] = [];
    const started = timers.now();
    await drive(
      timers,
      reload(async () => {
        tries.push(timers.now() - started);
        const answer = answers.shift();
        if (answer) throw answer;
      }),
    );
    expect(tries).toEqual([0, 250, 500]);
  });

  it('gives up after waitMs, and at once on any other error or when stopped', async () => {
    const timers = createFakeTimers();
    const stop = new AbortController();
    const reload = createReload({ waitMs: 1000, signal: stop.signal, timers });
    let calls = 0;
    await expect(
      drive(
        timers,
        reload(async () => {
          calls++;
          throw ongoing('ongoing reload');
        }),
      ),
    ).rejects.toThrow(KamailioRpcError);
    expect(calls).toBe(6); // at 0, 250, … 1250 ms: the last failure came after waitMs

    await expect(reload(() => Promise.reject(new Error('connection refused')))).rejects.toThrow(
      'connection refused',
    );

    stop.abort();
    calls = 0;
    await expect(
      reload(async () => {
        calls++;
        throw ongoing('ongoing reload');
      }),
    ).rejects.toThrow(KamailioRpcError);
    expect(calls).toBe(1);
  });
});
