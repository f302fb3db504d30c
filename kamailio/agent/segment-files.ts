import { open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

// The spool's files and the low-level, durable ways to read and write them (design in spool.ts).
// File format:
//   NNNNNN.jsonl  one event per line: {"id":"NNNNNN-<index>","t":<spooled at, ms>,"e":<event>}\n
//   NNNNNN.acks   one JSON array of acknowledged indices per line: [0,1,2]\n
// A line counts only once its "\n" is on disk; anything after the last "\n" is a torn write.

const SEGMENT_FILE = /^(\d{6,})\.jsonl$/;
const ACK_FILE = /^(\d{6,})\.acks$/;

/** Segments and ack files are readable by the agent only: events hold caller numbers. */
export const SPOOL_FILE_MODE = 0o600;
export const segmentName = (no: number) => String(no).padStart(6, '0');
export const segmentPath = (dir: string, no: number) => join(dir, `${segmentName(no)}.jsonl`);
export const ackPath = (dir: string, no: number) => join(dir, `${segmentName(no)}.acks`);
export const eventId = (no: number, index: number) => `${segmentName(no)}-${index}`;

/** Splits an event id back into its segment number and index, or undefined. */
export function parseEventId(id: string): { no: number; index: number } | undefined {
  const m = /^(\d{6,})-(\d{1,9})$/.exec(id);
  return m ? { no: Number(m[1]), index: Number(m[2]) } : undefined;
}

/** Segment and ack file numbers found in a directory listing. */
export function listSpoolFiles(names: string[]): { segments: number[]; acks: number[] } {
  const pick = (re: RegExp) =>
    names
      .map((n) => re.exec(n)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  return { segments: pick(SEGMENT_FILE), acks: pick(ACK_FILE) };
}

/** What recovery learnt from one segment file. */
interface RecoveredSegment {
  offsets: number[];
  times: number[];
  /** Indices whose line is unreadable (treated as acknowledged so they never block delivery). */
  unreadable: number[];
  size: number;
  /** Bytes cut off the end: a write the crash interrupted. */
  tornBytes: number;
}

/** Reads a segment, truncating a torn last line so the file ends on a complete event. */
export async function recoverSegment(path: string): Promise<RecoveredSegment> {
  const buf = await readFile(path);
  const out: RecoveredSegment = { offsets: [], times: [], unreadable: [], size: 0, tornBytes: 0 };
  let pos = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(10, pos);
    if (nl === -1) break;
    const index = out.offsets.length;
    out.offsets.push(pos);
    try {
      const rec = JSON.parse(buf.subarray(pos, nl).toString('utf8')) as { t?: unknown };
      if (typeof rec.t !== 'number') throw new Error('no time');
      out.times.push(rec.t);
    } catch {
      out.times.push(0);
      out.unreadable.push(index);
    }
    pos = nl + 1;
  }
  out.size = pos;
  out.tornBytes = buf.length - pos;
  if (out.tornBytes > 0) await truncate(path, pos);
  return out;
}

/** Reads an ack file's indices, ignoring (and cutting off) a torn or garbled line. */
export async function recoverAcks(
  path: string,
): Promise<{ indices: number[]; size: number; badLines: number }> {
  const buf = await readFile(path);
  const indices: number[] = [];
  let badLines = 0;
  let pos = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(10, pos);
    if (nl === -1) break;
    try {
      // A garbled line can only lose acks (events are delivered again), never invent one.
      const list: unknown = JSON.parse(buf.subarray(pos, nl).toString('utf8'));
      if (!Array.isArray(list) || !list.every((n) => Number.isInteger(n) && n >= 0))
        throw new Error();
      indices.push(...(list as number[]));
    } catch {
      badLines += 1;
    }
    pos = nl + 1;
  }
  if (pos < buf.length) {
    badLines += 1;
    await truncate(path, pos);
  }
  return { indices, size: pos, badLines };
}

/** Makes a directory's entries (new or removed files) durable. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Appends bytes and waits until they are on disk; on failure the file is cut back to `size`. */
export async function appendDurably(fh: FileHandle, size: number, data: Buffer): Promise<void> {
  try {
    let written = 0;
    while (written < data.length) {
      const { bytesWritten } = await fh.write(data, written, data.length - written, size + written);
      written += bytesWritten;
    }
    await fh.datasync();
  } catch (err) {
    // Leave no partial line behind for the next append to run into; if this fails too, the
    // caller stops writing to this file.
    await fh.truncate(size);
    throw err;
  }
}

/** Reads bytes [start, end) of a file. */
export async function readRange(path: string, start: number, end: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(end - start);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, start + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  } finally {
    await fh.close();
  }
}
