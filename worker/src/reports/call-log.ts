// The console's call log: calls filtered by number, ticket, line, status and local days, newest
// first, in pages joined by an opaque keyset cursor, so a page never repeats or skips a call even
// while new calls arrive. One implementation for /v1/console/calls and /v1/reports/calls.
import type { CountryCode } from 'libphonenumber-js';
import { formatUsd } from '../calls/cost';
import { displayNumber } from '../phone/display';
import { normalizeCallerNumber } from '../phone/normalize';
import type { CallRow } from '../calls/record';
import { localMidnight, nextDay } from './time-zone';

export interface CallLogQuery {
  /** Callers to find: E.164 numbers, or withheld callers. */
  caller?: { e164: string[] } | { withheld: true };
  ticketId?: number;
  line?: string;
  status?: CallRow['status'];
  /** Local days [from, to] in timeZone. */
  from?: string;
  to?: string;
  timeZone: string;
  cursor?: CallLogCursor;
  limit: number;
}

/** Where a page ended: the last call's received_at and row id (the order's tie-breaker). */
export interface CallLogCursor {
  receivedAt: string;
  id: number;
}

export class InvalidCallLogCursorError extends Error {
  constructor() {
    super('not a cursor this API gave; start again without one');
    this.name = 'InvalidCallLogCursorError';
  }
}

export interface CallLogItem {
  call_id: string;
  received_at: string;
  line: { slug: string; name: string | null };
  caller: { e164: string | null; display: string | null; kind: CallRow['caller_kind'] };
  status: CallRow['status'];
  ticket_id: number | null;
  duration_s: number | null;
  cost_usd: string | null;
}

const toBase64Url = (text: string) =>
  btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

export function encodeCursor(c: CallLogCursor): string {
  return toBase64Url(JSON.stringify([c.receivedAt, c.id]));
}

/** @throws InvalidCallLogCursorError for anything encodeCursor did not make. */
export function decodeCursor(text: string): CallLogCursor {
  try {
    const json = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    const value: unknown = JSON.parse(json);
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      !Number.isNaN(Date.parse(value[0])) &&
      Number.isSafeInteger(value[1]) &&
      (value[1] as number) > 0
    ) {
      return { receivedAt: value[0], id: value[1] as number };
    }
  } catch {
    // fall through
  }
  throw new InvalidCallLogCursorError();
}

/**
 * What a typed number finds, read as the Worker reads a caller (libphonenumber through
 * normalizeCallerNumber) in each of `countries` (the lines' default countries): the E.164
 * numbers it can be, withheld callers for "anonymous" and the like, or null when it is no number.
 * @example callerFilter('(415) 555-0100', ['US']) // { e164: ['+14155550100'] }
 */
export function callerFilter(
  typed: string,
  countries: readonly string[],
): CallLogQuery['caller'] | null {
  const found = new Set<string>();
  let withheld = false;
  for (const country of countries.length ? countries : ['US']) {
    const n = normalizeCallerNumber(typed.trim(), country as CountryCode);
    if (n.kind === 'e164') found.add(n.e164);
    else if (n.kind === 'withheld') withheld = true;
  }
  if (found.size) return { e164: [...found].sort() };
  return withheld ? { withheld: true } : null;
}

/** The lines' default countries (one line's, when the log is filtered by line). */
export async function lineCountries(db: D1Database, line?: string): Promise<string[]> {
  const res = await db
    .prepare(
      'SELECT DISTINCT default_country AS country FROM lines WHERE ?1 IS NULL OR slug = ?1 ORDER BY 1',
    )
    .bind(line ?? null)
    .all<{ country: string }>();
  return res.results.map((r) => r.country);
}

type LogRow = Pick<
  CallRow,
  'id' | 'call_id' | 'received_at' | 'line_slug' | 'caller_e164' | 'caller_kind' | 'status'
> &
  Pick<CallRow, 'ticket_id' | 'duration_s' | 'cost_micros'> & { line_name: string | null };

/** The page's SQL and its values; the conditions are fixed text, every value is bound. */
export function callLogStatement(q: CallLogQuery): { sql: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  if (q.caller && 'e164' in q.caller) {
    where.push(`c.caller_e164 IN (${q.caller.e164.map(() => '?').join(', ')})`);
    values.push(...q.caller.e164);
  } else if (q.caller) {
    where.push(`c.caller_kind = 'withheld'`);
  }
  if (q.ticketId !== undefined) {
    where.push('c.ticket_id = ?');
    values.push(q.ticketId);
  }
  if (q.line !== undefined) {
    where.push('c.line_slug = ?');
    values.push(q.line);
  }
  if (q.status !== undefined) {
    where.push('c.status = ?');
    values.push(q.status);
  }
  if (q.from !== undefined) {
    where.push('c.received_at >= ?');
    values.push(new Date(localMidnight(q.from, q.timeZone)).toISOString());
  }
  if (q.to !== undefined) {
    where.push('c.received_at < ?');
    values.push(new Date(localMidnight(nextDay(q.to), q.timeZone)).toISOString());
  }
  if (q.cursor) {
    where.push('(c.received_at, c.id) < (?, ?)');
    values.push(q.cursor.receivedAt, q.cursor.id);
  }
  const sql = `SELECT c.id, c.call_id, c.received_at, c.line_slug, l.name AS line_name, c.caller_e164,
  c.caller_kind, c.status, c.ticket_id,
  CASE WHEN c.answered_at IS NULL OR c.ended_at IS NULL THEN NULL ELSE c.duration_s END AS duration_s,
  c.cost_micros
FROM calls c LEFT JOIN lines l ON l.id = c.line_id
${where.length ? `WHERE ${where.join(' AND ')}` : ''}
ORDER BY c.received_at DESC, c.id DESC
LIMIT ?`;
  values.push(q.limit + 1);
  return { sql, values };
}

/**
 * One page of the call log, newest first, and the cursor of the next page (null on the last).
 * @example await callLog(db, { line: 'ai-agent', timeZone: 'UTC', limit: 25 })
 */
export async function callLog(
  db: D1Database,
  q: CallLogQuery,
): Promise<{ calls: CallLogItem[]; next_cursor: string | null }> {
  const { sql, values } = callLogStatement(q);
  const rows = (
    await db
      .prepare(sql)
      .bind(...values)
      .all<LogRow>()
  ).results;
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    calls: page.map((r) => ({
      call_id: r.call_id,
      received_at: r.received_at,
      line: { slug: r.line_slug, name: r.line_name },
      caller: { e164: r.caller_e164, display: displayNumber(r.caller_e164), kind: r.caller_kind },
      status: r.status,
      ticket_id: r.ticket_id,
      duration_s: r.duration_s,
      cost_usd: r.cost_micros === null ? null : formatUsd(r.cost_micros),
    })),
    next_cursor:
      rows.length > q.limit && last
        ? encodeCursor({ receivedAt: last.received_at, id: last.id })
        : null,
  };
}
