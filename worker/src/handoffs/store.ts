// Handoff rows: claimed before Zendesk is written (so a retry or a concurrent copy never writes
// twice), completed with the answer, removed when the handoff fails before its ticket create was
// sent (released for a retry when the create may have reached Zendesk); and read back when a call
// arrives with the handoff's ticket, and for call records.
import type { CallHandoff, TranscriptTurn } from '@sip-bridge/contract/handoff';

export interface HandoffRow {
  id: string;
  line_id: number | null;
  key_id: string | null;
  key_label: string;
  idempotency_key: string | null;
  request_sha256: string;
  status: 'pending' | 'completed';
  claimed_at: string;
  caller_e164: string;
  ticket_id: number | null;
  requester_id: number | null;
  summary: string | null;
  intent: string | null;
  language: string | null;
  transcript: string;
  response_json: string | null;
  created_at: string;
  expires_at: string | null;
  /** The answer's caller part (JSON), set just before the ticket create is sent. */
  ticket_create_caller: string | null;
  released_at: string | null;
}

export interface HandoffClaim {
  id: string;
  lineId: number;
  keyId: string;
  keyLabel: string;
  idempotencyKey: string | null;
  requestSha256: string;
  callerE164: string;
  now: string;
}

/** A fresh handoff id: `ho_` and 96 random bits in hex. */
export function newHandoffId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `ho_${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Inserts the handoff as 'pending'. With an Idempotency-Key already used on the line, nothing is
 * inserted and the existing row is returned instead.
 */
export async function claimHandoff(
  db: D1Database,
  claim: HandoffClaim,
): Promise<{ claimed: true } | { claimed: false; existing: HandoffRow | null }> {
  const inserted = await db
    .prepare(
      `INSERT INTO handoffs (id, line_id, key_id, key_label, idempotency_key, request_sha256, status,
         claimed_at, caller_e164, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    )
    .bind(
      claim.id,
      claim.lineId,
      claim.keyId,
      claim.keyLabel,
      claim.idempotencyKey,
      claim.requestSha256,
      claim.now,
      claim.callerE164,
      claim.now,
    )
    .run();
  if (inserted.meta.changes === 1) return { claimed: true };
  return {
    claimed: false,
    existing: await findByIdempotencyKey(db, claim.lineId, claim.idempotencyKey),
  };
}

export async function findByIdempotencyKey(
  db: D1Database,
  lineId: number,
  key: string | null,
): Promise<HandoffRow | null> {
  if (key === null) return null;
  return db
    .prepare('SELECT * FROM handoffs WHERE line_id = ? AND idempotency_key = ?')
    .bind(lineId, key)
    .first<HandoffRow>();
}

/** What a request that takes a claim over learns of the attempts before it. */
export interface TakenOverClaim {
  /**
   * Set when an earlier attempt sent the ticket create (Zendesk may hold the ticket): the
   * answer's `caller` part (JSON) as that attempt had it.
   */
  createdCaller: string | null;
}

/**
 * Takes over a 'pending' claim that was released (its request failed after its ticket create may
 * have reached Zendesk) or left stale by a request that died, so its key is not stuck. One
 * request at most wins; null for the others.
 */
export async function takeOverHandoff(
  db: D1Database,
  id: string,
  staleBefore: string,
  now: string,
): Promise<TakenOverClaim | null> {
  const row = await db
    .prepare(
      `UPDATE handoffs SET claimed_at = ?, released_at = NULL
       WHERE id = ? AND status = 'pending' AND (released_at IS NOT NULL OR claimed_at < ?)
       RETURNING ticket_create_caller`,
    )
    .bind(now, id, staleBefore)
    .first<{ ticket_create_caller: string | null }>();
  return row ? { createdCaller: row.ticket_create_caller } : null;
}

/**
 * Notes on the claim, before the ticket create is sent, that Zendesk may soon hold the ticket
 * (external_id `handoffExternalId(id)`), with the answer's `caller` part to answer again.
 */
export async function markTicketCreateSent(
  db: D1Database,
  id: string,
  callerJson: string,
): Promise<void> {
  await db
    .prepare(`UPDATE handoffs SET ticket_create_caller = ? WHERE id = ? AND status = 'pending'`)
    .bind(callerJson, id)
    .run();
}

/**
 * Frees the claim of a handoff whose request failed after its ticket create may have reached
 * Zendesk: the row (and its id) stays, so a retry with the same Idempotency-Key takes it over
 * and looks the ticket up instead of creating a second one.
 */
export async function releaseHandoff(db: D1Database, id: string, now: string): Promise<void> {
  await db
    .prepare(`UPDATE handoffs SET released_at = ? WHERE id = ? AND status = 'pending'`)
    .bind(now, id)
    .run();
}

/** The external_id of a handoff's ticket: how a retry finds a ticket whose answer was lost. */
export function handoffExternalId(handoffId: string): string {
  return `sipbridge-handoff:${handoffId}`;
}

/** Forgets a claim whose handoff failed before Zendesk could hold its ticket: it leaves no row. */
export async function abandonHandoff(db: D1Database, id: string): Promise<void> {
  await db.prepare(`DELETE FROM handoffs WHERE id = ? AND status = 'pending'`).bind(id).run();
}

export interface CompletedHandoff {
  ticketId: number;
  requesterId: number | null;
  summary: string | null;
  intent: string | null;
  language: string | null;
  transcript: TranscriptTurn[];
  responseJson: string;
  expiresAt: string;
  /** The answer's `created_at`. */
  createdAt: string;
}

export async function completeHandoff(db: D1Database, id: string, done: CompletedHandoff) {
  await db
    .prepare(
      `UPDATE handoffs SET status = 'completed', ticket_id = ?, requester_id = ?, summary = ?,
         intent = ?, language = ?, transcript = ?, response_json = ?, expires_at = ?, created_at = ?
       WHERE id = ?`,
    )
    .bind(
      done.ticketId,
      done.requesterId,
      done.summary,
      done.intent,
      done.language,
      JSON.stringify(done.transcript),
      done.responseJson,
      done.expiresAt,
      done.createdAt,
      id,
    )
    .run();
}

/**
 * The handoff a call on this line with this ticket's header belongs to, while it has not expired
 * (at `now`, when the call came), and, with `madeBefore`, made by then.
 */
export interface LinkableHandoff {
  id: string;
  callerE164: string;
  requesterId: number | null;
}

export async function findLinkableHandoff(
  db: D1Database,
  lineId: number,
  ticketId: number,
  now: string,
  opts: { madeBefore?: string } = {},
): Promise<LinkableHandoff | null> {
  // Without `madeBefore`, the call is arriving now: any handoff already made came before it.
  const row = await db
    .prepare(
      `SELECT id, caller_e164, requester_id FROM handoffs
       WHERE ticket_id = ? AND line_id = ? AND status = 'completed' AND expires_at > ?
         AND (? IS NULL OR created_at <= ?)
       ORDER BY created_at DESC LIMIT 1`,
    )
    .bind(ticketId, lineId, now, opts.madeBefore ?? null, opts.madeBefore ?? null)
    .first<{ id: string; caller_e164: string; requester_id: number | null }>();
  return row ? { id: row.id, callerE164: row.caller_e164, requesterId: row.requester_id } : null;
}

/** D1 binds at most 100 parameters per statement. */
const IDS_PER_QUERY = 90;

/** The handoffs of these ids, as call records carry them. */
export async function loadCallHandoffs(
  db: D1Database,
  ids: readonly string[],
): Promise<Map<string, CallHandoff>> {
  const unique = [...new Set(ids)];
  const found = new Map<string, CallHandoff>();
  for (let i = 0; i < unique.length; i += IDS_PER_QUERY) {
    const chunk = unique.slice(i, i + IDS_PER_QUERY);
    const rows = await db
      .prepare(
        `SELECT id, key_label, summary, intent, language, transcript, created_at FROM handoffs
         WHERE id IN (${chunk.map(() => '?').join(', ')})`,
      )
      .bind(...chunk)
      .all<
        Pick<
          HandoffRow,
          'id' | 'key_label' | 'summary' | 'intent' | 'language' | 'transcript' | 'created_at'
        >
      >();
    for (const row of rows.results) {
      found.set(row.id, {
        id: row.id,
        key_label: row.key_label,
        summary: row.summary,
        intent: row.intent,
        language: row.language,
        transcript: JSON.parse(row.transcript) as TranscriptTurn[],
        created_at: row.created_at,
      });
    }
  }
  return found;
}
