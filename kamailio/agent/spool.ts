// The durable spool for lifecycle events.
//
// Design: append-only segment files plus one ack file per segment (format in segment-files.ts).
// - append(): events queue in memory; one writer writes everything queued as one write() and one
//   fdatasync() on the current segment, then resolves all of those appends together (group
//   commit: whatever arrives while the previous fsync runs, plus `commitDelayMs`, shares the next).
// - Ids are "<segment>-<index>", so an ack names its segment directly and an id is never reused
//   while its segment or ack file exists (new segments take a number above every file on disk).
// - ack(): appends the indices to the segment's ack file (fdatasync) before it forgets them.
// - Compaction: a segment that is sealed (full) and fully acknowledged is deleted (events file
//   first, directory synced, then its ack file), so disk use follows the undelivered backlog.
// - Recovery: every segment is read at start; a torn last line (crash mid-write) is cut off and
//   logged; acked indices are replayed from ack files; the rest is the backlog. Writing always
//   continues in a new segment.
// - Memory: per event only its file offset, time and an ack byte; bodies are read back from disk
//   in batches by peek(), so an hour-long Worker outage grows the disk, not the heap.
import { chmod, mkdir, readdir, unlink } from 'node:fs/promises';
import { silentLogger, type Logger } from './log';
import { encodeEvent, Segment, type EncodedEvent, type SpooledEvent } from './segment';
import * as files from './segment-files';

export type { SpooledEvent } from './segment';

export interface SpoolOptions {
  dir: string;
  log?: Logger;
  /** Seal the current segment after this many events… */
  segmentMaxEvents?: number;
  /** …or this many bytes. */
  segmentMaxBytes?: number;
  /** Refuse appends (SpoolFullError → 503) once the segments take this much disk. */
  maxBytes?: number;
  /** Extra wait before a write so more appends share its fsync (0: share what queued up). */
  commitDelayMs?: number;
  /** Called after events became durable (the delivery loop wakes up). */
  onAppend?: () => void;
  /** Injectable clock (tests). */
  now?: () => number;
}

export class SpoolFullError extends Error {
  override name = 'SpoolFullError';
}

interface PendingAppend extends EncodedEvent {
  resolve: (id: string) => void;
  reject: (err: Error) => void;
}

const MAX_WRITE_BATCH = 5000;
const MAX_PENDING = 50_000;

/**
 * A crash-safe, fsync'd event spool with group commit and segment compaction.
 * @example
 * const spool = await Spool.open({ dir: '.run/spool' });
 * const id = await spool.append({ call_id: 'abc', kind: 'answered', at: new Date().toISOString() });
 * const batch = await spool.peek(100, 192 * 1024);
 * await spool.ack(batch.map((e) => e.id));
 */
export class Spool<T = unknown> {
  readonly #dir: string;
  readonly #log: Logger;
  readonly #maxEvents: number;
  readonly #maxSegBytes: number;
  readonly #maxBytes: number;
  readonly #commitDelayMs: number;
  readonly #onAppend: () => void;
  readonly #now: () => number;
  /** Segments in ascending order (insertion order); the last one may be the current one. */
  readonly #segments = new Map<number, Segment>();
  #current: Segment | undefined;
  #nextNo: number;
  #depth = 0;
  #bytes = 0;
  #commits = 0;
  #pending: PendingAppend[] = [];
  #flushing: Promise<void> | undefined;
  #lock: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(options: SpoolOptions, nextNo: number) {
    this.#dir = options.dir;
    this.#log = options.log ?? silentLogger;
    this.#maxEvents = options.segmentMaxEvents ?? 10_000;
    this.#maxSegBytes = options.segmentMaxBytes ?? 16 * 1024 * 1024;
    this.#maxBytes = options.maxBytes ?? 1024 * 1024 * 1024;
    this.#commitDelayMs = options.commitDelayMs ?? 0;
    this.#onAppend = options.onAppend ?? (() => {});
    this.#now = options.now ?? Date.now;
    this.#nextNo = nextNo;
  }

  /** Opens (creating if needed) the spool in `dir` and recovers every unacknowledged event. */
  static async open<T = unknown>(options: SpoolOptions): Promise<Spool<T>> {
    // Events hold caller numbers: the spool is the agent's alone, even if made by hand earlier.
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    await chmod(options.dir, 0o700);
    const { segments, acks } = files.listSpoolFiles(await readdir(options.dir));
    const spool = new Spool<T>(options, Math.max(0, ...segments, ...acks) + 1);
    await spool.#recover(segments, new Set(acks));
    return spool;
  }

  /** Undelivered events. */
  get depth(): number {
    return this.#depth;
  }

  /** Write+fsync rounds so far (appends per commit shows how well group commit works). */
  get commits(): number {
    return this.#commits;
  }

  /** When the oldest undelivered event was spooled (ms), or null when empty. */
  get oldestAt(): number | null {
    for (const s of this.#segments.values()) {
      if (s.unacked > 0) return s.times[s.firstUnacked] ?? null;
    }
    return null;
  }

  /** Resolves with the event's id once it is on disk; rejects when it cannot be written. */
  append(event: T): Promise<string> {
    if (this.#closed) return Promise.reject(new Error('the spool is closed'));
    if (this.#bytes >= this.#maxBytes || this.#pending.length >= MAX_PENDING) {
      return Promise.reject(new SpoolFullError(`the spool is full (${this.#bytes} bytes on disk)`));
    }
    return new Promise((resolve, reject) => {
      this.#pending.push({ ...encodeEvent(event, this.#now()), resolve, reject });
      this.#flushing ??= this.#flushLoop();
    });
  }

  /** Up to `limit` undelivered events, oldest first, within about `maxBytes` of JSON. */
  peek(limit: number, maxBytes: number): Promise<SpooledEvent<T>[]> {
    return this.#exclusive(async () => {
      this.#assertOpen();
      const out: SpooledEvent<T>[] = [];
      let bytes = 0;
      for (const s of this.#segments.values()) {
        if (out.length >= limit || bytes >= maxBytes) break;
        if (s.unacked === 0) continue;
        const r = await s.read(limit - out.length, maxBytes - bytes, out.length === 0);
        out.push(...(r.events as SpooledEvent<T>[]));
        bytes += r.bytes;
        if (r.events.length === 0) break; // the next event does not fit the byte budget
      }
      return out;
    });
  }

  /** Forgets delivered events durably; unknown or already acknowledged ids are ignored. */
  ack(ids: readonly string[]): Promise<number> {
    return this.#exclusive(async () => {
      this.#assertOpen();
      const bySegment = new Map<Segment, number[]>();
      for (const id of ids) {
        const parsed = files.parseEventId(id);
        const s = parsed && this.#segments.get(parsed.no);
        if (s && parsed) bySegment.set(s, [...(bySegment.get(s) ?? []), parsed.index]);
      }
      let count = 0;
      for (const [s, indices] of bySegment) {
        const fresh = await s.ack(indices);
        this.#depth -= fresh;
        count += fresh;
        if (!s.writable && s.unacked === 0) await this.#remove(s);
      }
      return count;
    });
  }

  /** Writes what is queued, then closes the files; later appends are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#flushing;
    await this.#exclusive(async () => {
      for (const s of this.#segments.values()) await s.close();
      this.#current = undefined;
    });
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('the spool is closed');
  }

  async #recover(segments: number[], acks: Set<number>): Promise<void> {
    for (const no of acks) {
      // Left over from a deletion a crash interrupted: its events file is already gone.
      if (!segments.includes(no)) await unlink(files.ackPath(this.#dir, no));
    }
    for (const no of segments) {
      const s = await Segment.recover(this.#dir, no, acks.has(no), this.#log);
      this.#segments.set(no, s);
      this.#depth += s.unacked;
      this.#bytes += s.size;
      if (s.unacked === 0) await this.#remove(s);
    }
    if (this.#depth > 0) {
      this.#log('info', 'spool.recovered', { segments: this.#segments.size, events: this.#depth });
    }
  }

  async #remove(s: Segment): Promise<void> {
    await s.remove();
    this.#segments.delete(s.no);
    this.#bytes -= s.size;
  }

  /** Runs file operations one at a time (writes, acks, reads, deletions). */
  #exclusive<R>(fn: () => Promise<R>): Promise<R> {
    const run = this.#lock.then(fn);
    this.#lock = run.catch(() => {});
    return run;
  }

  async #flushLoop(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        if (this.#commitDelayMs > 0) await new Promise((r) => setTimeout(r, this.#commitDelayMs));
        else await new Promise((r) => setImmediate(r));
        const batch = this.#pending.splice(0, MAX_WRITE_BATCH);
        await this.#exclusive(() => this.#write(batch));
      }
    } finally {
      this.#flushing = undefined;
    }
  }

  /** Writes a batch into as many segments as it takes; each part is one write and one fsync. */
  async #write(batch: PendingAppend[]): Promise<void> {
    let rest = batch;
    while (rest.length > 0) {
      let s: Segment;
      try {
        s = this.#current ?? (await this.#newSegment());
        const part = rest.slice(0, Math.max(1, this.#maxEvents - s.count));
        const before = s.size;
        const ids = await s.append(part);
        rest = rest.slice(part.length);
        this.#commits += 1;
        this.#depth += part.length;
        this.#bytes += s.size - before;
        part.forEach((p, n) => p.resolve(ids[n]!));
      } catch (err) {
        this.#log('error', 'spool.write_failed', { error: (err as Error).message });
        // Never append behind bytes that might be half-written: the next write starts afresh.
        await this.#sealCurrent().catch(() => {});
        for (const p of rest) p.reject(err as Error);
        return;
      }
      if (s.count >= this.#maxEvents || s.size >= this.#maxSegBytes) await this.#sealCurrent();
    }
    this.#onAppend();
  }

  async #newSegment(): Promise<Segment> {
    const s = await Segment.create(this.#dir, this.#nextNo++);
    this.#segments.set(s.no, s);
    this.#current = s;
    return s;
  }

  /** Stops writing to the current segment; deletes it if everything in it was delivered. */
  async #sealCurrent(): Promise<void> {
    const s = this.#current;
    if (!s) return;
    this.#current = undefined;
    await s.seal();
    if (s.unacked === 0) await this.#remove(s);
  }
}
