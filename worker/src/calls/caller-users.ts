// First-time callers' Zendesk users, made after the call's decision and in batches: the decision
// creates the ticket (the call path's only Zendesk request) without a requester and queues the
// caller's number here; a flush sends the users of up to 100 numbers in one Create Or Update Many
// Users job, follows it at Show Job Status, and once a user exists puts it in the phone index and
// the match cache (the next call matches it) and makes the calls waiting for it due to have their
// ticket's requester set (note-batches.ts, kind 'requester', in an Update Many job).
//
// Rules:
// - One row per number (caller_users): a second call from the number before its user exists
//   waits for the same user, never a second one.
// - Idempotent: each user carries external_id sipbridge-caller:<E.164>, and Create Or Update Many
//   matches on it, so a job sent again (after an error or no answer, a job Zendesk no longer
//   knows, a flush that died mid-way) updates that user instead of making another.
// - A user Zendesk refused inside a batch is retried alone; refused alone too (an invalid phone
//   under "Validate user phone numbers", ...) it ends as 'failed', and its calls' tickets keep the
//   API user as requester. A job Zendesk would not queue goes back to 'pending', retried by the next
//   flush (the cron) up to MAX_USER_ATTEMPTS.
import type { ZendeskClient, ZendeskJobStatus } from '../zendesk/client';
import { ZendeskError } from '../zendesk/errors';
import { indexCreatedUserStatement } from '../phone-index/store';
import { cachedMatchExpiry, cachedMatchStatement, rememberMatch } from './match-cache';
import { NEXT_SEQ_EACH } from './record';

/** Attempts before a caller's user is given up as 'failed' (about 40 minutes of cron). */
export const MAX_USER_ATTEMPTS = 8;
/** Users per Create Or Update Many Users job (Zendesk's limit). */
export const MAX_JOB_USERS = 100;
/** Jobs one flush may send. */
const MAX_JOBS_PER_FLUSH = 3;
/** A running job not polled for this long is followed by any flush, not only its sender. */
const FOLLOW_AFTER_MS = 15_000;
/** A job row still 'sending' after this was left by a flush that died: its users are sent again. */
export const STALE_SENDING_MS = 5 * 60_000;
/** Time for one Zendesk request of the batcher (never in the call path). */
const REQUEST_MS = 10_000;
/** Done jobs and settled numbers are kept a day, then deleted. */
const DONE_JOB_KEEP_MS = 24 * 3_600_000;

const iso = (ms: number) => new Date(ms).toISOString();

/** The external id that makes a caller's user findable, and its creation idempotent. */
export const callerExternalId = (e164: string) => `sipbridge-caller:${e164}`;

export interface CallerUserRow {
  e164: string;
  name: string;
  status: 'pending' | 'sending' | 'created' | 'failed';
  attempts: number;
  alone: number;
  user_id: number | null;
  updated_at: string;
}

/**
 * How long a made user stands in for the phone index: past this the index (fed by the export a
 * minute behind) knows the user, so a number it no longer matches lost its user in Zendesk (deleted,
 * number removed) and is queued afresh rather than given a requester that may no longer exist.
 */
export const CREATED_USER_KNOWN_MS = 10 * 60_000;

/** What a decision does for a first-time caller, given the number's row. */
export function callerUserPlan(
  row: CallerUserRow | null,
  nowMs: number,
): { use: number } | { queue: 'new' | 'join' } {
  if (row?.status === 'created' && row.user_id !== null) {
    if (Date.parse(row.updated_at) > nowMs - CREATED_USER_KNOWN_MS) return { use: row.user_id };
    return { queue: 'new' };
  }
  if (!row || row.status === 'failed') return { queue: 'new' };
  return { queue: 'join' };
}

/** The number's row, if a call queued its user. */
export async function findCallerUser(db: D1Database, e164: string): Promise<CallerUserRow | null> {
  return db
    .prepare(
      'SELECT e164, name, status, attempts, alone, user_id, updated_at FROM caller_users WHERE e164 = ?',
    )
    .bind(e164)
    .first<CallerUserRow>();
}

/**
 * The statements, run in the batch that completes the decision, that queue the caller's user (a
 * number given up before is queued afresh) and make the call wait for it; if the user exists by
 * then, the call's requester is due at once. A D1 batch is one transaction, so a flush settling the
 * user cannot slip between them.
 */
export function waitForCallerUser(
  db: D1Database,
  callId: string,
  caller: { e164: string; name: string },
  now: string,
): D1PreparedStatement[] {
  return [
    db
      .prepare(
        `INSERT INTO caller_users (e164, name, status, created_at, updated_at)
         VALUES (?1, ?2, 'pending', ?3, ?3)
         ON CONFLICT (e164) DO UPDATE SET status = 'pending', attempts = 0, alone = 0,
           user_id = NULL, updated_at = ?3
         WHERE caller_users.status = 'failed'
           OR (caller_users.status = 'created' AND caller_users.updated_at <= ?4)`,
      )
      .bind(caller.e164, caller.name, now, iso(Date.parse(now) - CREATED_USER_KNOWN_MS)),
    db
      .prepare(
        `UPDATE calls SET
           matched_user_id = COALESCE(
             (SELECT user_id FROM caller_users WHERE e164 = ?2 AND status = 'created'),
             matched_user_id),
           requester_status = CASE WHEN EXISTS
             (SELECT 1 FROM caller_users WHERE e164 = ?2 AND status = 'created')
             THEN 'pending' ELSE 'waiting' END
         WHERE call_id = ?1`,
      )
      .bind(callId, caller.e164),
  ];
}

export interface UserFlushOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Waits before each poll of the jobs this flush sent; later flushes (the cron) follow the rest. */
  pollDelaysMs?: readonly number[];
}

export interface UserFlushReport {
  jobsSent: number;
  usersSent: number;
  created: number;
}

interface OpenJob {
  id: number;
  zendesk_job_id: string | null;
}

/**
 * Sends the callers' users due, in jobs of up to 100, and follows the jobs still open (its own for
 * a few bounded polls). Run after a decision that queued one (after the note linger) and from the
 * cron, before the notes, so a requester made due here goes out in the same flush.
 */
export async function flushCallerUsers(
  db: D1Database,
  zendesk: ZendeskClient,
  options: UserFlushOptions = {},
): Promise<UserFlushReport> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
  const report: UserFlushReport = { jobsSent: 0, usersSent: 0, created: 0 };
  await recoverStale(db, now);
  const left = iso(now() - FOLLOW_AFTER_MS);
  for (const job of await openJobs(db, left)) {
    report.created += (await followJob(db, zendesk, job, now)) ?? 0;
  }

  let open: OpenJob[] = [];
  for (let sent = 0; sent < MAX_JOBS_PER_FLUSH; sent++) {
    const job = await sendOneJob(db, zendesk, now);
    if (!job) break;
    report.jobsSent += job.users ? 1 : 0;
    report.usersSent += job.users;
    report.created += job.created;
    if (job.open) open.push(job.open);
    if (!job.more) break;
  }
  for (const delay of options.pollDelaysMs ?? []) {
    if (!open.length) break;
    await sleep(delay);
    const still: OpenJob[] = [];
    for (const job of open) {
      const created = await followJob(db, zendesk, job, now);
      if (created === null) still.push(job);
      else report.created += created;
    }
    open = still;
  }
  // Settled numbers and done jobs are kept a day (for operators), then deleted: past
  // CREATED_USER_KNOWN_MS the phone index, not this table, knows the user.
  const dayAgo = iso(now() - DONE_JOB_KEEP_MS);
  await db.batch([
    db
      .prepare(
        `DELETE FROM user_jobs WHERE id IN
           (SELECT id FROM user_jobs WHERE state = 'done' AND updated_at < ? LIMIT 100)`,
      )
      .bind(dayAgo),
    db
      .prepare(
        `DELETE FROM caller_users WHERE e164 IN (SELECT e164 FROM caller_users
           WHERE status IN ('created', 'failed') AND updated_at < ? LIMIT 100)`,
      )
      .bind(dayAgo),
  ]);
  return report;
}

async function openJobs(db: D1Database, polledBefore: string): Promise<OpenJob[]> {
  const rows = await db
    .prepare(
      `SELECT id, zendesk_job_id FROM user_jobs WHERE state = 'following' AND updated_at < ?
       ORDER BY id LIMIT 20`,
    )
    .bind(polledBefore)
    .all<OpenJob>();
  return rows.results;
}

/**
 * Jobs left 'sending' past the stale time (the flush that claimed them died before it could
 * settle them): their users are sent again, which the external id makes safe.
 */
async function recoverStale(db: D1Database, now: () => number) {
  const stale = await db
    .prepare(`SELECT id FROM user_jobs WHERE state = 'sending' AND updated_at < ? LIMIT 20`)
    .bind(iso(now() - STALE_SENDING_MS))
    .all<{ id: number }>();
  for (const { id } of stale.results) await releaseJob(db, id, now());
}

/** Puts a job's users back to 'pending' (or 'failed' past their attempts) and closes the job. */
async function releaseJob(db: D1Database, jobId: number, nowMs: number) {
  await db.batch([
    db
      .prepare(
        `UPDATE caller_users SET status = CASE WHEN attempts >= ${MAX_USER_ATTEMPTS}
           THEN 'failed' ELSE 'pending' END, updated_at = ?
         WHERE job_id = ? AND status = 'sending'`,
      )
      .bind(iso(nowMs), jobId),
    failWaitingCalls(db, jobId, nowMs),
    db
      .prepare(`UPDATE user_jobs SET state = 'done', updated_at = ? WHERE id = ?`)
      .bind(iso(nowMs), jobId),
  ]);
}

/** Calls waiting for a user this job gave up on: their ticket keeps its requester. */
function failWaitingCalls(db: D1Database, jobId: number, nowMs: number) {
  return db
    .prepare(
      `UPDATE calls SET requester_status = 'failed', seq = ${NEXT_SEQ_EACH}, updated_at = ?
       WHERE requester_status = 'waiting' AND caller_e164 IN
         (SELECT e164 FROM caller_users WHERE job_id = ? AND status = 'failed')`,
    )
    .bind(iso(nowMs), jobId);
}

/** Up to 100 due numbers; one to retry alone goes in a job of its own. */
async function pick(db: D1Database): Promise<{ chosen: CallerUserRow[]; more: boolean }> {
  const rows = await db
    .prepare(
      `SELECT e164, name, status, attempts, alone, user_id, updated_at FROM caller_users
       WHERE status = 'pending' ORDER BY created_at, e164 LIMIT ${MAX_JOB_USERS + 1}`,
    )
    .all<CallerUserRow>();
  const due = rows.results;
  const alone = due.find((r) => r.alone === 1);
  if (alone) return { chosen: [alone], more: due.length > 1 };
  return { chosen: due.slice(0, MAX_JOB_USERS), more: due.length > MAX_JOB_USERS };
}

async function sendOneJob(
  db: D1Database,
  zendesk: ZendeskClient,
  now: () => number,
): Promise<{ users: number; created: number; open: OpenJob | null; more: boolean } | null> {
  const { chosen, more } = await pick(db);
  if (!chosen.length) return null;
  const at = iso(now());
  const job = await db
    .prepare(
      `INSERT INTO user_jobs (state, items, created_at, updated_at) VALUES ('sending', ?, ?, ?)
       RETURNING id`,
    )
    .bind(chosen.length, at, at)
    .first<{ id: number }>();
  const jobId = job!.id;
  const claims = await db.batch<{ e164: string }>(
    chosen.map((row) =>
      db
        .prepare(
          `UPDATE caller_users SET status = 'sending', attempts = attempts + 1, job_id = ?,
             updated_at = ?
           WHERE e164 = ? AND status = 'pending' RETURNING e164`,
        )
        .bind(jobId, at, row.e164),
    ),
  );
  const claimed = chosen.filter((_, i) => claims[i]!.results.length === 1);
  if (!claimed.length) {
    await db.prepare(`UPDATE user_jobs SET state = 'done' WHERE id = ?`).bind(jobId).run();
    return { users: 0, created: 0, open: null, more };
  }
  await db.prepare('UPDATE user_jobs SET items = ? WHERE id = ?').bind(claimed.length, jobId).run();

  let status: ZendeskJobStatus;
  try {
    status = await zendesk.createOrUpdateManyUsers(
      claimed.map((row) => ({
        name: row.name,
        phone: row.e164,
        external_id: callerExternalId(row.e164),
      })),
      { deadline: now() + REQUEST_MS },
    );
  } catch (err) {
    // Queued or not (an answer may be lost after Zendesk queued the job), the users go again with
    // the next flush: the external id makes a second job update the users the first one made.
    const kind = err instanceof ZendeskError ? err.kind : 'error';
    console.warn(`user job ${jobId}: Create Or Update Many failed (${kind}); sent again later`);
    await releaseJob(db, jobId, now());
    return { users: 0, created: 0, open: null, more: false };
  }
  await db
    .prepare(
      `UPDATE user_jobs SET zendesk_job_id = ?, state = 'following', updated_at = ? WHERE id = ?`,
    )
    .bind(status.id, iso(now()), jobId)
    .run();
  const created = await settleJob(db, jobId, status, now());
  return {
    users: claimed.length,
    created: created ?? 0,
    open: created === null ? { id: jobId, zendesk_job_id: status.id } : null,
    more,
  };
}

/** Polls one job once: the users it created, or null while it must be polled again. */
async function followJob(
  db: D1Database,
  zendesk: ZendeskClient,
  job: OpenJob,
  now: () => number,
): Promise<number | null> {
  let status: ZendeskJobStatus | null;
  try {
    status = await zendesk.showJobStatus(job.zendesk_job_id!, { deadline: now() + REQUEST_MS });
  } catch {
    return null;
  }
  if (status === null) {
    // Zendesk no longer knows the job: its users are sent again (the same users, by external id).
    await releaseJob(db, job.id, now());
    return 0;
  }
  return settleJob(db, job.id, status, now());
}

/** The job's users, in the order they were sent. */
async function jobUsers(db: D1Database, jobId: number): Promise<CallerUserRow[]> {
  const rows = await db
    .prepare(
      `SELECT e164, name, status, attempts, alone, user_id, updated_at FROM caller_users
       WHERE job_id = ? AND status = 'sending' ORDER BY created_at, e164`,
    )
    .bind(jobId)
    .all<CallerUserRow>();
  return rows.results;
}

async function settleJob(
  db: D1Database,
  jobId: number,
  status: ZendeskJobStatus,
  nowMs: number,
): Promise<number | null> {
  if (status.status === 'queued' || status.status === 'working') {
    await db
      .prepare(`UPDATE user_jobs SET polls = polls + 1, updated_at = ? WHERE id = ?`)
      .bind(iso(nowMs), jobId)
      .run();
    return null;
  }
  if (status.status !== 'completed') {
    await releaseJob(db, jobId, nowMs);
    return 0;
  }
  const users = await jobUsers(db, jobId);
  const results = status.results ?? [];
  const at = iso(nowMs);
  const statements: D1PreparedStatement[] = [];
  const matched: [string, number][] = [];
  let created = 0;
  for (const [position, row] of users.entries()) {
    const external = callerExternalId(row.e164);
    // Results come in the order sent; `index` and `external_id`, when Zendesk gives them, confirm it.
    const r =
      results.find((x) => x.external_id === external) ??
      results.find((x) => x.index === position) ??
      (results.every((x) => x.index === undefined && x.external_id === undefined)
        ? results[position]
        : undefined);
    const ok = r && (r.success ?? /^(created|updated)$/i.test(r.status ?? '')) && r.id;
    if (ok) {
      created += 1;
      statements.push(...userCreated(db, row, r.id!, nowMs));
      matched.push([row.e164, r.id!]);
      continue;
    }
    const alone = row.alone === 1;
    if (r) {
      console.warn(
        `Zendesk refused the user for a caller${alone ? '' : ' in a batch'}: ${r.error ?? r.status ?? 'failed'}`,
      );
    }
    const next =
      r && alone
        ? `'failed'`
        : `CASE WHEN attempts >= ${MAX_USER_ATTEMPTS} THEN 'failed' ELSE 'pending' END`;
    statements.push(
      db
        .prepare(
          `UPDATE caller_users SET status = ${next}, alone = ?, updated_at = ?
           WHERE e164 = ? AND job_id = ? AND status = 'sending'`,
        )
        .bind(r && !alone ? 1 : 0, at, row.e164, jobId),
    );
  }
  statements.push(
    failWaitingCalls(db, jobId, nowMs),
    db.prepare(`UPDATE user_jobs SET state = 'done', updated_at = ? WHERE id = ?`).bind(at, jobId),
  );
  await db.batch(statements);
  // This isolate may hold the number's no_match in memory: it matches the user from now on.
  for (const [e164, userId] of matched) {
    const match = { result: 'matched' as const, userId, candidates: [] };
    rememberMatch(e164, match, cachedMatchExpiry(match, nowMs));
  }
  return created;
}

/**
 * A caller's user exists: it is recorded, indexed by its number and cached as the number's match
 * (the next call matches it without asking), and the calls waiting for it are due to have their
 * ticket's requester set.
 */
function userCreated(db: D1Database, row: CallerUserRow, userId: number, nowMs: number) {
  const at = iso(nowMs);
  const match = { result: 'matched' as const, userId, candidates: [] };
  return [
    db
      .prepare(
        `UPDATE caller_users SET status = 'created', user_id = ?, updated_at = ? WHERE e164 = ?`,
      )
      .bind(userId, at, row.e164),
    indexCreatedUserStatement(db, { e164: row.e164, userId, name: row.name, phone: row.e164 }),
    cachedMatchStatement(db, row.e164, match, nowMs),
    db
      .prepare(
        `UPDATE calls SET matched_user_id = ?, requester_status = 'pending', seq = ${NEXT_SEQ_EACH},
           updated_at = ?
         WHERE caller_e164 = ? AND requester_status = 'waiting'`,
      )
      .bind(userId, at, row.e164),
  ];
}
