import { toCallRecords, type CallRow } from '../calls/record';
import type { CallRecord } from '@sip-bridge/contract/calls';

/** A page of the incremental export, shaped like Zendesk's cursor-based incremental exports. */
export interface ExportPage {
  calls: CallRecord[];
  after_cursor: string | null;
  after_url: string | null;
  before_cursor: null;
  before_url: null;
  end_of_stream: boolean;
}

export class InvalidCursorError extends Error {}

const encodeCursor = (seq: number) => btoa(`seq:${seq}`).replaceAll('=', '');

/** Decodes a cursor this API issued; anything else is refused. */
function decodeCursor(cursor: string): number {
  let text: string;
  try {
    text = atob(cursor);
  } catch {
    throw new InvalidCursorError('cursor is not one this API issued');
  }
  const m = /^seq:(\d{1,15})$/.exec(text);
  if (!m) throw new InvalidCursorError('cursor is not one this API issued');
  return Number(m[1]);
}

/**
 * Call records changed after a point, oldest change first. Start with `start_time` (Unix seconds),
 * then follow `after_cursor` until `end_of_stream`; keep the last cursor to resume later. A record
 * that changes again reappears with its new state.
 */
export async function exportCalls(
  db: D1Database,
  from: { startTime: number } | { cursor: string },
  limit: number,
  baseUrl: string,
): Promise<ExportPage> {
  let afterSeq: number;
  if ('cursor' in from) {
    afterSeq = decodeCursor(from.cursor);
  } else {
    const first = await db
      .prepare('SELECT MIN(seq) AS seq FROM calls WHERE updated_at >= ?')
      .bind(new Date(from.startTime * 1000).toISOString())
      .first<{ seq: number | null }>();
    const max = await db
      .prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM calls')
      .first<{ seq: number }>();
    afterSeq = first?.seq !== null && first?.seq !== undefined ? first.seq - 1 : (max?.seq ?? 0);
  }
  const rows = (
    await db
      .prepare('SELECT * FROM calls WHERE seq > ? ORDER BY seq LIMIT ?')
      .bind(afterSeq, limit + 1)
      .all<CallRow>()
  ).results;
  const page = rows.slice(0, limit);
  const lastSeq = page.at(-1)?.seq ?? afterSeq;
  const cursor = encodeCursor(lastSeq);
  return {
    calls: await toCallRecords(db, page),
    after_cursor: cursor,
    after_url: `${baseUrl}?cursor=${cursor}`,
    before_cursor: null,
    before_url: null,
    end_of_stream: rows.length <= limit,
  };
}
