// The edge command queue in D1 (edge_commands): queued by an admin, handed to the edge at most
// once, expired when no edge picked it up in time, finished by the edge's signed result.
import {
  COMMAND_TTL_S,
  COMMANDS_PER_POLL,
  type CommandResult,
  type EdgeCommand,
} from '@sip-bridge/contract/edge-commands';
import { NEXT_SEQ } from '../calls/record';

export type CommandStatus = 'queued' | 'sent' | 'done' | 'failed' | 'expired';

/** A hang-up as the console shows it beside its call. */
export interface HangupState {
  id: string;
  status: CommandStatus;
  requested_by: string;
  requested_at: string;
  failure: string | null;
}

/** Who asked for a command: an admin's Zendesk user id, or a script with the admin token. */
export type Requester = { kind: 'zendesk_user'; userId: number } | { kind: 'admin_token' };

/** How a requester is stored (edge_commands.requested_by, calls.ended_by_admin). */
export function requesterText(r: Requester): string {
  return r.kind === 'zendesk_user' ? `zendesk_user:${r.userId}` : 'admin_token';
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Marks commands whose time ran out: queued ones nobody picked up are `expired`, sent ones
 * without a result are `failed` (`no_result`). Run before every read, so no timer is needed.
 */
export function expireCommands(db: D1Database, nowMs: number): D1PreparedStatement[] {
  const now = iso(nowMs);
  return [
    db
      .prepare(
        `UPDATE edge_commands SET status = 'expired', finished_at = ? WHERE status = 'queued' AND expires_at <= ?`,
      )
      .bind(now, now),
    db
      .prepare(
        `UPDATE edge_commands SET status = 'failed', failure = 'no_result', finished_at = ?
         WHERE status = 'sent' AND sent_at <= ?`,
      )
      .bind(now, iso(nowMs - COMMAND_TTL_S * 1000)),
  ];
}

export type QueueOutcome =
  { queued: true; command: HangupState } | { queued: false; existing: HangupState };

/**
 * Queues a hang-up of `callId` unless one is already queued, sent or done (the unique index
 * decides, so two admins clicking at once queue one command).
 */
export async function queueHangup(
  db: D1Database,
  callId: string,
  requester: Requester,
  nowMs: number,
): Promise<QueueOutcome> {
  const id = crypto.randomUUID();
  const by = requesterText(requester);
  const results = await db.batch([
    ...expireCommands(db, nowMs),
    db
      .prepare(
        `INSERT INTO edge_commands (id, kind, call_id, requested_by, status, created_at, expires_at)
         VALUES (?, 'hangup', ?, ?, 'queued', ?, ?) ON CONFLICT DO NOTHING`,
      )
      .bind(id, callId, by, iso(nowMs), iso(nowMs + COMMAND_TTL_S * 1000)),
  ]);
  if (results.at(-1)!.meta.changes === 1) {
    return {
      queued: true,
      command: { id, status: 'queued', requested_by: by, requested_at: iso(nowMs), failure: null },
    };
  }
  const existing = (await latestHangups(db, [callId])).get(callId);
  if (!existing) throw new Error('hang-up neither queued nor found');
  return { queued: false, existing };
}

/** The latest hang-up of each call named (after expiring what ran out). */
export async function latestHangups(
  db: D1Database,
  callIds: string[],
): Promise<Map<string, HangupState>> {
  const found = new Map<string, HangupState>();
  // D1 binds at most 100 parameters: the live list is read in chunks.
  for (let i = 0; i < callIds.length; i += 50) {
    const chunk = callIds.slice(i, i + 50);
    const rows = await db
      .prepare(
        `SELECT id, call_id, status, requested_by, created_at, failure FROM edge_commands
         WHERE kind = 'hangup' AND call_id IN (${chunk.map(() => '?').join(', ')})
         ORDER BY created_at, rowid`,
      )
      .bind(...chunk)
      .all<{
        id: string;
        call_id: string;
        status: CommandStatus;
        requested_by: string;
        created_at: string;
        failure: string | null;
      }>();
    for (const r of rows.results) {
      found.set(r.call_id, {
        id: r.id,
        status: r.status,
        requested_by: r.requested_by,
        requested_at: r.created_at,
        failure: r.failure,
      });
    }
  }
  return found;
}

/**
 * Hands the queued, unexpired commands to the edge and marks them sent in the same statement:
 * a command is in one poll's answer at most, whatever polls run at once.
 */
export async function claimCommands(db: D1Database, nowMs: number): Promise<EdgeCommand[]> {
  const now = iso(nowMs);
  const results = await db.batch<EdgeCommand>([
    ...expireCommands(db, nowMs),
    db
      .prepare(
        `UPDATE edge_commands SET status = 'sent', sent_at = ?
         WHERE id IN (SELECT id FROM edge_commands WHERE status = 'queued' AND expires_at > ?
                      ORDER BY created_at LIMIT ?)
         RETURNING id, kind, call_id, expires_at`,
      )
      .bind(now, now, COMMANDS_PER_POLL),
  ]);
  return results.at(-1)!.results;
}

export type ResultOutcome =
  | { recorded: true; status: 'done' | 'failed' }
  | { recorded: false; reason: 'not_found' }
  | { recorded: false; reason: 'duplicate'; status: 'done' | 'failed' }
  | { recorded: false; reason: 'not_sent'; status: CommandStatus };

/**
 * Records the edge's result of a sent command. A done hang-up marks its call as ended by the
 * admin who asked (calls.ended_by_admin); when the call's end is already recorded, its
 * `ended_by` and cause say so at once, else the ended event does when it comes.
 */
export async function recordResult(
  db: D1Database,
  id: string,
  result: CommandResult,
  nowMs: number,
): Promise<ResultOutcome> {
  const now = iso(nowMs);
  const failure = result.status === 'failed' ? result.failure : null;
  const finished = await db
    .prepare(
      `UPDATE edge_commands SET status = ?, failure = ?, finished_at = ?
       WHERE id = ? AND status = 'sent' RETURNING call_id, requested_by`,
    )
    .bind(result.status, failure, now, id)
    .all<{ call_id: string; requested_by: string }>();
  const row = finished.results[0];
  if (row) {
    if (result.status === 'done') await markEndedByAdmin(db, row.call_id, row.requested_by, now);
    return { recorded: true, status: result.status };
  }
  const current = await db
    .prepare('SELECT status FROM edge_commands WHERE id = ?')
    .bind(id)
    .first<{ status: CommandStatus }>();
  if (!current) return { recorded: false, reason: 'not_found' };
  if (current.status === result.status) {
    return { recorded: false, reason: 'duplicate', status: result.status };
  }
  return { recorded: false, reason: 'not_sent', status: current.status };
}

async function markEndedByAdmin(db: D1Database, callId: string, by: string, now: string) {
  await db
    .prepare(
      `UPDATE calls SET ended_by_admin = ?,
         ended_by = CASE WHEN status = 'completed' THEN 'admin' ELSE ended_by END,
         final_cause = CASE WHEN status = 'completed' THEN 'admin_hangup' ELSE final_cause END,
         seq = ${NEXT_SEQ}, updated_at = ?
       WHERE call_id = ?`,
    )
    .bind(by, now, callId)
    .run();
}
