import { spawn } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from './log';
import { Spool } from './spool';
import { tempDir } from './testing/fixtures';

type Ev = { call_id: string; kind: string; n: number };
const ev = (n: number): Ev => ({ call_id: `call-${n}@127.0.0.1`, kind: 'answered', n });
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function dir(): string {
  const t = tempDir('spool-');
  cleanups.push(t.remove);
  return t.dir;
}

async function drain(spool: Spool<Ev>): Promise<Array<{ id: string; event: Ev }>> {
  const out = [];
  for (let i = 0; i < 1000; i++) {
    const batch = await spool.peek(100, 1024 * 1024);
    if (batch.length === 0) break;
    out.push(...batch);
    await spool.ack(batch.map((e) => e.id));
  }
  return out;
}

describe('spool', () => {
  it('recovers every unacknowledged event after the process goes away without acking', async () => {
    const d = dir();
    const first = await Spool.open<Ev>({ dir: d, segmentMaxEvents: 100 });
    const ids = await Promise.all(Array.from({ length: 1000 }, (_, n) => first.append(ev(n))));
    expect(new Set(ids).size).toBe(1000);
    expect(first.depth).toBe(1000);
    await first.close();

    const second = await Spool.open<Ev>({ dir: d, segmentMaxEvents: 100 });
    expect(second.depth).toBe(1000);
    const events = await drain(second);
    expect(events.map((e) => e.event.n)).toEqual(Array.from({ length: 1000 }, (_, n) => n));
    expect(events.map((e) => e.id)).toEqual(ids); // ids are stable across restarts
    await second.close();
  });

  it('keeps every append it confirmed when the process is killed mid-write (SIGKILL)', async () => {
    const d = dir();
    // `node --import tsx`, not the tsx binary: the kill must hit the process that writes.
    const writer = join(__dirname, 'testing/spool-writer.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', writer, d], {
      cwd: join(__dirname, '..', '..'), // where `--import tsx` resolves
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const confirmed: string[] = [];
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (id) => {
      confirmed.push(id);
      if (confirmed.length === 3000) child.kill('SIGKILL');
    });
    await new Promise((resolve) => child.on('exit', resolve));
    expect(confirmed.length).toBeGreaterThanOrEqual(3000);

    const spool = await Spool.open<Ev>({ dir: d });
    const recovered = new Set((await drain(spool)).map((e) => e.id));
    expect(confirmed.filter((id) => !recovered.has(id))).toEqual([]);
    await spool.close();
  }, 20_000);

  it('skips a torn last line and logs it', async () => {
    const d = dir();
    const spool = await Spool.open<Ev>({ dir: d });
    for (let n = 0; n < 3; n++) await spool.append(ev(n));
    await spool.close();
    const [segment] = readdirSync(d).filter((f) => f.endsWith('.jsonl'));
    appendFileSync(join(d, segment!), '{"id":"000001-3","t":17321,"e":{"call_id":"torn');

    const logged: string[] = [];
    const log: Logger = (level, event) => logged.push(`${level} ${event}`);
    const reopened = await Spool.open<Ev>({ dir: d, log });
    expect(logged).toContain('warn spool.torn_line_skipped');
    // The torn bytes are cut off, so the file ends on a complete line again.
    expect(readFileSync(join(d, segment!), 'utf8').endsWith('\n')).toBe(true);
    expect((await drain(reopened)).map((e) => e.event.n)).toEqual([0, 1, 2]);
    await reopened.close();
  });

  it('never redelivers acknowledged events after a restart', async () => {
    const d = dir();
    const spool = await Spool.open<Ev>({ dir: d });
    for (let n = 0; n < 10; n++) await spool.append(ev(n));
    const batch = await spool.peek(4, 1024 * 1024);
    expect(await spool.ack(batch.map((e) => e.id))).toBe(4);
    expect(await spool.ack(batch.map((e) => e.id))).toBe(0); // acking twice changes nothing
    expect(await spool.ack(['000999-1', 'nonsense'])).toBe(0);
    await spool.close();

    const reopened = await Spool.open<Ev>({ dir: d });
    expect(reopened.depth).toBe(6);
    expect((await drain(reopened)).map((e) => e.event.n)).toEqual([4, 5, 6, 7, 8, 9]);
    await reopened.close();
  });

  it('ignores a torn or garbled ack line: events come back, none is lost', async () => {
    const d = dir();
    const spool = await Spool.open<Ev>({ dir: d });
    for (let n = 0; n < 5; n++) await spool.append(ev(n));
    await spool.ack(['000001-0']);
    await spool.close();
    appendFileSync(join(d, '000001.acks'), '[1,2');

    const reopened = await Spool.open<Ev>({ dir: d, segmentMaxEvents: 5 });
    expect(reopened.depth).toBe(4);
    await reopened.ack(['000001-1']);
    await reopened.close();
    // The new ack line was written after the torn bytes were cut, so it parses.
    const again = await Spool.open<Ev>({ dir: d });
    expect((await drain(again)).map((e) => e.event.n)).toEqual([2, 3, 4]);
    await again.close();
  });

  it('deletes segments once every event in them is acknowledged', async () => {
    const d = dir();
    const spool = await Spool.open<Ev>({ dir: d, segmentMaxEvents: 10 });
    for (let n = 0; n < 35; n++) await spool.append(ev(n));
    expect(readdirSync(d).filter((f) => f.endsWith('.jsonl'))).toHaveLength(4);

    const firstFifteen = await spool.peek(15, 1024 * 1024);
    await spool.ack(firstFifteen.map((e) => e.id));
    // Segment 1 (events 0-9) is gone with its ack file; segment 2 is half delivered.
    expect(readdirSync(d).sort()).toEqual([
      '000002.acks',
      '000002.jsonl',
      '000003.jsonl',
      '000004.jsonl',
    ]);

    await drain(spool);
    expect(spool.depth).toBe(0);
    expect(spool.oldestAt).toBe(null);
    // Only the segment still being written remains.
    expect(readdirSync(d)).toEqual(['000004.acks', '000004.jsonl']);
    await spool.close();

    const reopened = await Spool.open<Ev>({ dir: d });
    expect(reopened.depth).toBe(0);
    expect(readdirSync(d)).toEqual([]); // fully delivered segments are removed at start too
    await reopened.close();
  });

  it('reports depth and the time of the oldest undelivered event', async () => {
    let now = 1_700_000_000_000;
    const spool = await Spool.open<Ev>({ dir: dir(), now: () => now });
    expect(spool.oldestAt).toBe(null);
    await spool.append(ev(1));
    now += 5000;
    await spool.append(ev(2));
    expect(spool.depth).toBe(2);
    expect(spool.oldestAt).toBe(1_700_000_000_000);
    await spool.ack([(await spool.peek(1, 1024))[0]!.id]);
    expect(spool.oldestAt).toBe(1_700_000_005_000);
    await spool.close();
  });

  it('peek respects the byte budget but always returns at least one event', async () => {
    const spool = await Spool.open<{ pad: string }>({ dir: dir() });
    for (let n = 0; n < 10; n++) await spool.append({ pad: 'x'.repeat(1000) });
    expect(await spool.peek(100, 3500)).toHaveLength(3);
    expect(await spool.peek(100, 10)).toHaveLength(1);
    await spool.close();
  });

  it('refuses appends when full, and after close', async () => {
    const spool = await Spool.open<Ev>({ dir: dir(), maxBytes: 200 });
    await spool.append(ev(1));
    await spool.append(ev(2));
    await spool.append(ev(3));
    await expect(spool.append(ev(4))).rejects.toThrow(/full/);
    await spool.close();
    await expect(spool.append(ev(5))).rejects.toThrow(/closed/);
  });

  it('appends, peeks and acks interleaved across many small segments: each event once', async () => {
    const d = dir();
    const spool = await Spool.open<Ev>({ dir: d, segmentMaxEvents: 7 });
    const total = 2000;
    let appended = 0;
    const producer = Promise.all(
      Array.from({ length: 20 }, async () => {
        while (appended < total) await spool.append(ev(appended++));
      }),
    );
    const seen: number[] = [];
    for (let i = 0; i < 10_000 && seen.length < total; i++) {
      const batch = await spool.peek(13, 1024 * 1024);
      seen.push(...batch.map((e) => e.event.n));
      await spool.ack(batch.map((e) => e.id));
      if (batch.length === 0) await new Promise((r) => setImmediate(r));
    }
    await producer;
    expect(seen.length).toBe(total);
    expect(new Set(seen).size).toBe(total);
    expect(spool.depth).toBe(0);
    // Everything but the segment being written was compacted away.
    expect(readdirSync(d).filter((f) => f.endsWith('.jsonl')).length).toBeLessThanOrEqual(1);
    await spool.close();
  });

  // How fast that is on a given disk is a benchmark (npm run bench:spool), not a test.
  it('group commit: concurrent appends share each write and fsync', async () => {
    const spool = await Spool.open<Ev>({ dir: dir() });
    const total = 20_000;
    // 200 concurrent writers, as many Kamailio async workers would be.
    let next = 0;
    await Promise.all(
      Array.from({ length: 200 }, async () => {
        while (next < total) await spool.append(ev(next++));
      }),
    );
    expect(spool.depth).toBe(total);
    expect(total / spool.commits).toBeGreaterThan(5);
    await spool.close();
  }, 30_000);
});
