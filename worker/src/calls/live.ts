// The calls in progress (issue 17, the console's Live calls): relayed calls received or answered
// and not ended, with the latest admin hang-up of each.
import { expireCommands, latestHangups, type HangupState } from '../commands/store';

/** An answered call older than this is no longer live: the edge's dialogs time out within 24 h. */
export const LIVE_WINDOW_MS = 24 * 60 * 60 * 1000;
/**
 * A call still ringing after this is no longer live: the edge gives up ringing within an hour
 * (a line's `no_answer_ms` is at most 3600000), so its end event was lost.
 */
export const RINGING_WINDOW_MS = 2 * 60 * 60 * 1000;
/** Most calls one answer lists. */
export const LIVE_LIMIT = 500;

export interface LiveCall {
  call_id: string;
  line: string;
  status: 'ringing' | 'answered';
  caller: { e164: string | null; kind: string };
  matched_user: { result: string; user_id: number | null };
  ticket_id: number | null;
  received_at: string;
  answered_at: string | null;
  /** Seconds since the call was answered; null while it rings. */
  duration_s: number | null;
  hangup: HangupState | null;
}

interface LiveRow {
  call_id: string;
  line_slug: string;
  status: 'ringing' | 'answered';
  caller_e164: string | null;
  caller_kind: string;
  match_result: string;
  matched_user_id: number | null;
  ticket_id: number | null;
  received_at: string;
  answered_at: string | null;
}

/**
 * The live calls at `nowMs`, by line then by when they came in.
 * @example const calls = await listLiveCalls(env.DB, Date.now());
 */
export async function listLiveCalls(db: D1Database, nowMs: number): Promise<LiveCall[]> {
  // A hang-up no edge took in time shows as expired even while no edge polls at all.
  await db.batch(expireCommands(db, nowMs));
  const rows = await db
    .prepare(
      `SELECT call_id, line_slug, status, caller_e164, caller_kind, match_result, matched_user_id,
         ticket_id, received_at, answered_at
       FROM calls WHERE decision = 'relay' AND (
         (status = 'answered' AND received_at > ?) OR (status = 'ringing' AND received_at > ?))
       ORDER BY line_slug, received_at, id LIMIT ?`,
    )
    .bind(
      new Date(nowMs - LIVE_WINDOW_MS).toISOString(),
      new Date(nowMs - RINGING_WINDOW_MS).toISOString(),
      LIVE_LIMIT,
    )
    .all<LiveRow>();
  const hangups = await latestHangups(
    db,
    rows.results.map((r) => r.call_id),
  );
  return rows.results.map((r) => ({
    call_id: r.call_id,
    line: r.line_slug,
    status: r.status,
    caller: { e164: r.caller_e164, kind: r.caller_kind },
    matched_user: { result: r.match_result, user_id: r.matched_user_id },
    ticket_id: r.ticket_id,
    received_at: r.received_at,
    answered_at: r.answered_at,
    duration_s:
      r.answered_at === null
        ? null
        : Math.max(0, Math.floor((nowMs - Date.parse(r.answered_at)) / 1000)),
    hangup: hangups.get(r.call_id) ?? null,
  }));
}

/** Where a call stands, for a hang-up request: unknown, live (ringing or answered), or over. */
export async function callState(
  db: D1Database,
  callId: string,
): Promise<'not_found' | 'ringing' | 'answered' | 'over'> {
  const row = await db
    .prepare('SELECT status, decision FROM calls WHERE call_id = ?')
    .bind(callId)
    .first<{ status: string; decision: string }>();
  if (!row) return 'not_found';
  if (row.decision === 'relay' && (row.status === 'ringing' || row.status === 'answered')) {
    return row.status;
  }
  return 'over';
}
