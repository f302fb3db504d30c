import { describe, expect, it, vi } from 'vitest';
import { createNoteLinger, noteLingerMs } from './note-linger';

/** A sleep the test releases by hand, recording the waits asked for. */
function manualSleep() {
  const waits: { ms: number; release: () => void }[] = [];
  const sleep = (ms: number) => new Promise<void>((release) => waits.push({ ms, release }));
  return { sleep, waits };
}

describe('note linger', () => {
  it('sends the notes of calls ending within the linger in one flush', async () => {
    const { sleep, waits } = manualSleep();
    const linger = createNoteLinger(sleep);
    const flush = vi.fn(async () => {});
    const promises = [1, 2, 3].map(() => linger.schedule(flush, 2000));
    expect(waits.map((w) => w.ms)).toEqual([2000]);
    expect(new Set(promises).size).toBe(1);
    expect(flush).not.toHaveBeenCalled();
    waits[0]!.release();
    await promises[0];
    expect(flush).toHaveBeenCalledTimes(1);
  });

  it('schedules the next flush for a call ending while one is sending', async () => {
    const { sleep, waits } = manualSleep();
    const linger = createNoteLinger(sleep);
    let finishSending!: () => void;
    const sending = new Promise<void>((r) => (finishSending = r));
    const flush = vi.fn(() => sending);
    const first = linger.schedule(flush, 500);
    waits[0]!.release();
    await vi.waitFor(() => expect(flush).toHaveBeenCalledTimes(1));
    // The first flush may have read the due notes already: a later call gets a flush of its own.
    const second = linger.schedule(flush, 500);
    expect(second).not.toBe(first);
    expect(waits).toHaveLength(2);
    finishSending();
    waits[1]!.release();
    await Promise.all([first, second]);
    expect(flush).toHaveBeenCalledTimes(2);
  });

  it('keeps lingering after a flush that failed, and logs only the message', async () => {
    const { sleep, waits } = manualSleep();
    const linger = createNoteLinger(sleep);
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const first = linger.schedule(() => Promise.reject(new Error('zendesk 503')), 0);
    waits[0]!.release();
    await expect(first).resolves.toBeUndefined();
    expect(error).toHaveBeenCalledWith('notes: flush failed: zendesk 503');
    const flush = vi.fn(async () => {});
    const next = linger.schedule(flush, 0);
    waits[1]!.release();
    await next;
    expect(flush).toHaveBeenCalledTimes(1);
    error.mockRestore();
  });

  it.each([
    [undefined, 5000],
    ['', 5000],
    ['0', 0],
    ['750', 750],
    ['10000', 10000],
    ['10001', 5000],
    ['-1', 5000],
    ['1.5', 5000],
    ['soon', 5000],
  ])('NOTE_LINGER_MS %j lingers %i ms', (raw, ms) => {
    expect(noteLingerMs(raw)).toBe(ms);
  });
});
