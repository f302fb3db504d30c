// The spool holds caller numbers and SIP facts: no other user on the edge host may read it.
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Spool } from './spool';
import { callEvent, tempDir } from './testing/fixtures';
import { startTestAgent, type TestAgent } from './testing/harness';

const mode = (path: string) => statSync(path).mode & 0o777;
let t: TestAgent | undefined;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
  cleanups.splice(0).forEach((c) => c());
});

describe('spool file modes', () => {
  it('makes the spool directory 0700, even one that existed with a wider mode', async () => {
    const tmp = tempDir('spool-modes-');
    cleanups.push(tmp.remove);
    const fresh = join(tmp.dir, 'fresh', 'spool');
    const existing = join(tmp.dir, 'existing');
    mkdirSync(existing, { mode: 0o755 });
    for (const dir of [fresh, existing]) {
      const spool = await Spool.open({ dir });
      await spool.append(callEvent(1));
      await spool.close();
      expect(mode(dir).toString(8)).toBe('700');
    }
  });

  it('writes segments, ack files and rejected.jsonl as 0600', async () => {
    t = await startTestAgent({
      delivery: { backoff: { initialMs: 50, maxMs: 200 }, idlePollMs: 60_000 },
    });
    await t.worker.stop();
    for (let n = 0; n < 3; n++) expect((await t.post('/v1/events', callEvent(n))).status).toBe(202);
    await t.post('/v1/events', { ...callEvent(99), call_id: 'poison@127.0.0.1' });
    t.worker.state.events = (events) =>
      events.some((e) => e.call_id === 'poison@127.0.0.1')
        ? { status: 400, body: { error: 'invalid_request', message: 'events[3].call_id: poison' } }
        : undefined;
    await t.worker.start();
    await expect.poll(() => t!.agent.spool.depth, { timeout: 5000 }).toBe(0);
    const names = readdirSync(t.spoolDir);
    expect(names).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\.jsonl$/),
        expect.stringMatching(/\.acks$/),
        'rejected.jsonl',
      ]),
    );
    for (const name of names)
      expect([name, mode(join(t.spoolDir, name)).toString(8)]).toEqual([name, '600']);
  });
});
