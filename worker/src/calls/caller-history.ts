// A caller's earlier calls through the bridge, found by their E.164 number (index calls_caller,
// migration 0006), for the sidebar's "Previous calls".
import type { CallerHistoryEntry } from '@sip-bridge/contract/call-history';
import type { CallRow } from './record';

/** One row of the history query: the call's few facts and its line's current name. */
export interface CallerHistoryRow {
  received_at: string;
  line_slug: string;
  line_name: string | null;
  status: CallRow['status'];
  /** Null unless the call was answered and has ended. */
  duration_s: number | null;
  ticket_id: number | null;
}

/**
 * Binds the caller's E.164, the current Call-ID and the row limit. An unanswered call has no
 * duration (the record's 0 is "never connected", not a call of 0 seconds).
 */
export const CALLER_HISTORY_SQL = `SELECT c.received_at, c.line_slug, l.name AS line_name, c.status,
  CASE WHEN c.answered_at IS NULL THEN NULL ELSE c.duration_s END AS duration_s, c.ticket_id
FROM calls c LEFT JOIN lines l ON l.id = c.line_id
WHERE c.caller_e164 = ? AND c.call_id <> ?
ORDER BY c.received_at DESC, c.id DESC
LIMIT ?`;

/**
 * The other calls from `callerE164`, newest first, `callId` left out: at most `limit`, and whether
 * there are more. A caller without a number (withheld, unreadable) has none.
 *
 * @example
 * const { rows, hasMore } = await listCallerHistory(env.DB, { callerE164: '+14155550100', callId, limit: 10 });
 */
export async function listCallerHistory(
  db: D1Database,
  query: { callerE164: string | null; callId: string; limit: number },
): Promise<{ rows: CallerHistoryRow[]; hasMore: boolean }> {
  if (query.callerE164 === null) return { rows: [], hasMore: false };
  const res = await db
    .prepare(CALLER_HISTORY_SQL)
    .bind(query.callerE164, query.callId, query.limit + 1)
    .all<CallerHistoryRow>();
  return { rows: res.results.slice(0, query.limit), hasMore: res.results.length > query.limit };
}

/** The distinct ticket ids the rows were linked to, for one visibility check. */
export const linkedTicketIds = (rows: readonly CallerHistoryRow[]): number[] => [
  ...new Set(rows.map((r) => r.ticket_id).filter((id): id is number => id !== null)),
];

/** A history row as the API serves it: the ticket id only when the agent may see that ticket. */
export function toHistoryEntry(
  row: CallerHistoryRow,
  visible: ReadonlySet<number>,
): CallerHistoryEntry {
  return {
    received_at: row.received_at,
    line: { slug: row.line_slug, name: row.line_name },
    status: row.status,
    duration_s: row.duration_s,
    ticket_id: row.ticket_id !== null && visible.has(row.ticket_id) ? row.ticket_id : null,
  };
}
