import { constants } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import type { Logger } from './log';
import * as files from './segment-files';

/** An event read back from the spool. */
export interface SpooledEvent<T> {
  id: string;
  /** When it was spooled (ms since the epoch). */
  at: number;
  event: T;
}

/** A serialized event waiting for its id: the rest of its line after `{"id":"…"`. */
export interface EncodedEvent {
  tail: Buffer;
  time: number;
}

/** Encodes an event for append(); done before queueing so the writer only concatenates. */
export function encodeEvent(event: unknown, time: number): EncodedEvent {
  return { tail: Buffer.from(`,"t":${time},"e":${JSON.stringify(event)}}\n`), time };
}

/**
 * One segment of the spool: its events file, its ack file, and in memory only the offset and
 * time of each event plus one byte per event for "acknowledged".
 * @example
 * const s = await Segment.create(dir, 1);
 * const ids = await s.append([encodeEvent(event, Date.now())]);
 * await s.ack([0]);
 */
export class Segment {
  readonly no: number;
  readonly #dir: string;
  readonly offsets: number[] = [];
  readonly times: number[] = [];
  #acked: Uint8Array;
  ackedCount = 0;
  /** Every index below this is acknowledged. */
  firstUnacked = 0;
  /** Bytes of complete lines on disk. */
  size = 0;
  #ackSize = 0;
  #fh: FileHandle | undefined;
  #ackFh: FileHandle | undefined;

  private constructor(dir: string, no: number, capacity: number) {
    this.#dir = dir;
    this.no = no;
    this.#acked = new Uint8Array(capacity);
  }

  /** Creates a new, empty, writable segment (the directory entry is made durable). */
  static async create(dir: string, no: number): Promise<Segment> {
    const s = new Segment(dir, no, 1024);
    s.#fh = await open(files.segmentPath(dir, no), 'wx', files.SPOOL_FILE_MODE);
    await files.syncDir(dir);
    return s;
  }

  /** Reads a segment written before a restart (read-only from now on) and replays its acks. */
  static async recover(dir: string, no: number, withAcks: boolean, log: Logger): Promise<Segment> {
    const name = files.segmentName(no);
    const r = await files.recoverSegment(files.segmentPath(dir, no));
    if (r.tornBytes > 0)
      log('warn', 'spool.torn_line_skipped', { segment: name, bytes: r.tornBytes });
    if (r.unreadable.length > 0) {
      log('error', 'spool.unreadable_lines', { segment: name, count: r.unreadable.length });
    }
    const s = new Segment(dir, no, r.offsets.length);
    s.offsets.push(...r.offsets);
    s.times.push(...r.times);
    s.size = r.size;
    if (withAcks) {
      const a = await files.recoverAcks(files.ackPath(dir, no));
      if (a.badLines > 0)
        log('warn', 'spool.ack_lines_skipped', { segment: name, count: a.badLines });
      s.#ackSize = a.size;
      for (const i of a.indices) s.#mark(i);
    }
    // An unreadable line can never be delivered; counting it as done keeps it from blocking.
    for (const i of r.unreadable) s.#mark(i);
    return s;
  }

  get count(): number {
    return this.offsets.length;
  }

  get unacked(): number {
    return this.offsets.length - this.ackedCount;
  }

  get writable(): boolean {
    return this.#fh !== undefined;
  }

  /** Appends events as one write and one fdatasync; returns their ids once durable. */
  async append(events: EncodedEvent[]): Promise<string[]> {
    if (!this.#fh) throw new Error(`segment ${files.segmentName(this.no)} is not writable`);
    const ids: string[] = [];
    const offsets: number[] = [];
    let size = this.size;
    const chunks = events.map((e, n) => {
      const id = files.eventId(this.no, this.offsets.length + n);
      const head = Buffer.from(`{"id":"${id}"`);
      ids.push(id);
      offsets.push(size);
      size += head.length + e.tail.length;
      return Buffer.concat([head, e.tail]);
    });
    await files.appendDurably(this.#fh, this.size, Buffer.concat(chunks));
    this.offsets.push(...offsets);
    this.times.push(...events.map((e) => e.time));
    if (this.#acked.length < this.offsets.length) {
      const grown = new Uint8Array(Math.max(this.offsets.length, this.#acked.length * 2));
      grown.set(this.#acked);
      this.#acked = grown;
    }
    this.size = size;
    return ids;
  }

  /** Records acknowledgements durably, then in memory; returns how many were new. */
  async ack(indices: number[]): Promise<number> {
    const fresh = [...new Set(indices)].filter((i) => i < this.offsets.length && !this.#acked[i]);
    if (fresh.length === 0) return 0;
    this.#ackFh ??= await open(
      files.ackPath(this.#dir, this.no),
      constants.O_WRONLY | constants.O_CREAT,
      files.SPOOL_FILE_MODE,
    );
    const line = Buffer.from(`${JSON.stringify(fresh)}\n`);
    await files.appendDurably(this.#ackFh, this.#ackSize, line);
    this.#ackSize += line.length;
    for (const i of fresh) this.#mark(i);
    return fresh.length;
  }

  /**
   * Reads up to `limit` unacknowledged events from the oldest on, stopping before `maxBytes`
   * (but returning at least one event when `atLeastOne`).
   */
  async read(
    limit: number,
    maxBytes: number,
    atLeastOne: boolean,
  ): Promise<{ events: SpooledEvent<unknown>[]; bytes: number }> {
    const first = this.firstUnacked;
    const start = this.offsets[first];
    if (start === undefined || limit <= 0) return { events: [], bytes: 0 };
    const lineEnd = (i: number) => this.offsets[i + 1] ?? this.size;
    let end = first;
    while (end < this.offsets.length && end - first < limit) {
      if ((end > first || !atLeastOne) && lineEnd(end) - start > maxBytes) break;
      end += 1;
    }
    if (end === first) return { events: [], bytes: 0 };
    const stop = lineEnd(end - 1);
    const buf = await files.readRange(files.segmentPath(this.#dir, this.no), start, stop);
    const events: SpooledEvent<unknown>[] = [];
    for (let i = first; i < end; i++) {
      if (this.#acked[i]) continue;
      const line = buf.subarray(this.offsets[i]! - start, lineEnd(i) - start).toString('utf8');
      const rec = JSON.parse(line) as { e: unknown };
      events.push({ id: files.eventId(this.no, i), at: this.times[i]!, event: rec.e });
    }
    return { events, bytes: stop - start };
  }

  /** Stops writing to this segment (it is full, or a write failed). */
  async seal(): Promise<void> {
    const fh = this.#fh;
    this.#fh = undefined;
    await fh?.close();
  }

  /** Deletes the events file first, so a crash in between can only leave a harmless ack file. */
  async remove(): Promise<void> {
    await this.close();
    await unlink(files.segmentPath(this.#dir, this.no));
    await files.syncDir(this.#dir);
    await unlink(files.ackPath(this.#dir, this.no)).catch(() => {}); // may never have existed
  }

  async close(): Promise<void> {
    await this.seal();
    const ackFh = this.#ackFh;
    this.#ackFh = undefined;
    await ackFh?.close();
  }

  #mark(index: number): void {
    if (index >= this.offsets.length || this.#acked[index]) return;
    this.#acked[index] = 1;
    this.ackedCount += 1;
    while (this.firstUnacked < this.offsets.length && this.#acked[this.firstUnacked]) {
      this.firstUnacked += 1;
    }
  }
}
