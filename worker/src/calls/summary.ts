import { displayNumber } from '../phone/display';
import type { ZendeskClient } from '../zendesk/client';
import { formatUsd } from './cost';
import { NEXT_SEQ, type CallRow } from './record';

/** Attempts before a summary is given up as 'failed' (about 40 minutes of cron retries). */
const MAX_SUMMARY_ATTEMPTS = 8;
const STALE_POSTING_MS = 5 * 60_000;

function duration(seconds: number | null): string {
  if (seconds === null) return 'not answered';
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m ? `${m} min ${s} s` : `${s} s`;
}

/** The private note an agent reads on the ticket after the call. */
function summaryText(call: CallRow): string {
  const outcome =
    call.status === 'completed'
      ? `answered, talked ${duration(call.duration_s)}${call.ended_by ? `, ended by the ${call.ended_by}` : ''}`
      : call.status === 'cancelled'
        ? 'cancelled by the caller before it was answered'
        : `failed with SIP ${call.final_code ?? '?'} ${call.final_reason ?? ''}`.trim();
  return [
    `SIP call ${outcome}.`,
    `Caller: ${displayNumber(call.caller_e164) ?? call.from_uri}`,
    `Line: ${call.line_slug}, from ${call.source_ip}${call.acl_entry ? ` (ACL ${call.acl_entry})` : ''}`,
    `Received ${call.received_at}${call.answered_at ? `, answered ${call.answered_at}` : ''}${
      call.ended_at ? `, ended ${call.ended_at}` : ''
    }`,
    `Cost: $${formatUsd(call.cost_micros ?? 0)}`,
    `Call-ID: ${call.call_id}`,
  ].join('\n');
}

/**
 * Posts the call's summary to its ticket once: the row is claimed ('pending' → 'posting') so two
 * runs never post together; a failure puts it back to 'pending' for the cron to retry.
 */
export async function postCallSummary(
  db: D1Database,
  zendesk: ZendeskClient,
  callId: string,
): Promise<string> {
  const call = await db
    .prepare(
      `UPDATE calls SET summary_status = 'posting', summary_attempts = summary_attempts + 1, updated_at = ?
       WHERE call_id = ? AND summary_status = 'pending' RETURNING *`,
    )
    .bind(new Date().toISOString(), callId)
    .first<CallRow>();
  if (!call || call.ticket_id === null) return 'not_due';
  const kind = await db
    .prepare('SELECT call_summary FROM lines WHERE id = ?')
    .bind(call.line_id)
    .first<{ call_summary: string }>();
  let outcome: 'posted' | 'pending' | 'failed';
  try {
    if (kind?.call_summary === 'voice_comment') {
      await zendesk.addVoiceComment(call.ticket_id, {
        from: call.caller_e164 ?? call.from_uri,
        to: call.to_uri,
        started_at: call.answered_at ?? call.received_at,
        call_duration: call.duration_s ?? 0,
        location: `SIP line ${call.line_slug}`,
        transcription_text: summaryText(call),
      });
    } else {
      await zendesk.addComment(call.ticket_id, { body: summaryText(call), public: false });
    }
    outcome = 'posted';
  } catch (err) {
    const kind = (err as { kind?: string; status?: number }).kind;
    // A 4xx other than rate limiting will not get better by retrying (closed ticket, 5,000 comments).
    const permanent = kind === 'client' || kind === 'auth';
    outcome = permanent || call.summary_attempts >= MAX_SUMMARY_ATTEMPTS ? 'failed' : 'pending';
    console.warn(`call summary for ${callId} not posted (${kind ?? 'error'}); now ${outcome}`);
  }
  await db
    .prepare(
      `UPDATE calls SET summary_status = ?, seq = ${NEXT_SEQ}, updated_at = ? WHERE call_id = ?`,
    )
    .bind(outcome, new Date().toISOString(), callId)
    .run();
  return outcome;
}

/** Summaries still owed: pending ones, and claims abandoned by a run that died. */
export async function duePendingSummaries(db: D1Database, limit = 25): Promise<string[]> {
  const stale = new Date(Date.now() - STALE_POSTING_MS).toISOString();
  await db
    .prepare(
      `UPDATE calls SET summary_status = 'pending' WHERE summary_status = 'posting' AND updated_at < ?`,
    )
    .bind(stale)
    .run();
  const rows = await db
    .prepare(`SELECT call_id FROM calls WHERE summary_status = 'pending' ORDER BY id LIMIT ?`)
    .bind(limit)
    .all<{ call_id: string }>();
  return rows.results.map((r) => r.call_id);
}
