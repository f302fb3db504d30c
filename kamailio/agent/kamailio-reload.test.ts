import { KamailioRpcError } from 'kamailio-jsonrpc';
import { describe, expect, it } from 'vitest';
import { createReload } from './kamailio-reload';

const ongoing = (message: string) =>
  new KamailioRpcError('permissions.addressReload', 500, message);

describe('Kamailio reloads', () => {
  it('tries again while Kamailio says "ongoing reload" (either spelling), then succeeds', async () => {
    const reload = createReload({ waitMs: 3000, signal: new AbortController().signal });
    const answers = [ongoing('ongoing reload'), ongoing('Ongoing reload')];
    let calls = 0;
    await reload(async () => {
      calls++;
      const answer = answers.shift();
      if (answer) throw answer;
    });
    expect(calls).toBe(3);
  });

  it('gives up after waitMs, and at once on any other error or when stopped', async () => {
    let t = 0;
    const stop = new AbortController();
    const reload = createReload({ waitMs: 1000, signal: stop.signal, now: () => t });
    let calls = 0;
    await expect(
      reload(async () => {
        calls++;
        t += 600;
        throw ongoing('ongoing reload');
      }),
    ).rejects.toThrow(KamailioRpcError);
    expect(calls).toBe(2);

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
