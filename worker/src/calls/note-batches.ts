// Call notes go to Zendesk in batches. The call summaries, the context notes and the requesters
// due on tickets (calls.summary_status / context_status / requester_status 'pending'; a requester
// is due once a first-time caller's user exists, caller-users.ts) are collected, up to 100 at a
// time, into one
// Update Many Tickets job (batch form: each ticket its own changes), the job is followed at Show
// Job Status until it has run, and its per-ticket results settle each note: posted, retried, or
// failed. So a note costs about one hundredth of a request when notes are many, and one or two
// (the update and a poll) when a call ends alone.
//
// Rules:
// - One item per ticket per job, and none for a ticket that has a note in a job still running:
//   Zendesk applies a batch ticket by ticket, and a ticket update carries one comment, so two
//   notes for one ticket go in successive jobs rather than clobber each other.
// - An item Zendesk refused inside a batch is retried alone, in a job of its own; refused alone
//   too (a closed ticket, 5,000 comments, ...) it ends as 'failed'. A whole job that failed, a job
//   Zendesk would not queue (an error answer, 429, budget spent) and an item without a result go
//   back to 'pending' and are retried by the next flush until their attempt limit.
// - At least once, no duplicates: the job row and the claims are written before Update Many is
//   sent. If no answer comes back (timeout, broken connection, unreadable answer) the job may have
//   been queued: its items stay claimed and, once the job row is stale, each note is looked for on
//   its ticket (its newest comments, by the Call-ID a summary carries or the context note's text)
//   and counted posted if found, sent again otherwise. Tags and fields alone are sent again without
//   looking (adding them twice changes nothing). The same check settles a job Zendesk no longer
//   knows (404). Trade-off: after a lost answer a note waits that stale time, and costs one comment
//   read per ticket; and two calls with the same context note on one ticket, one of them in such a
//   job, could be taken one for the other.
import { ZendeskError } from '../zendesk/errors';
import type { BatchTicketUpdate, ZendeskClient, ZendeskJobStatus } from '../zendesk/client';
import type { MappedContext } from './context-headers';
import { contextBatchItem, contextNote } from './context-update';
import { NEXT_SEQ, type CallRow } from './record';
import { summaryBatchItem } from './summary';

/** Attempts before a note is given up as 'failed' (as before batching: about 40 minutes of cron). */
export const MAX_NOTE_ATTEMPTS = 8;
/** Tickets per Update Many job (Zendesk's limit). */
export const MAX_JOB_ITEMS = 100;
/** Jobs one flush may send; Zendesk lets 30 jobs be queued or running per account. */
const MAX_JOBS_PER_FLUSH = 5;
/** Send-and-follow rounds of one flush (each sends what the previous one made sendable). */
const FLUSH_ROUNDS = 2;
/** A running job not polled for this long is followed by any flush, not only its sender. */
const FOLLOW_AFTER_MS = 15_000;
/** A job row still 'sending' after this is checked: its request died or went unanswered. */
export const STALE_SENDING_MS = 5 * 60_000;
/** Time for one Zendesk request of the batcher (never in the call path). */
const REQUEST_MS = 10_000;
/** Done jobs are kept a day (Zendesk keeps job statuses about as long), then deleted. */
const DONE_JOB_KEEP_MS = 24 * 3_600_000;

type Kind = 'summary' | 'context' | 'requester';
const KINDS: readonly Kind[] = ['context', 'summary', 'requester'];

interface DueRow extends CallRow {
  line_call_summary: string | null;
  summary_job: number | null;
  summary_alone: number;
  context_job: number | null;
  context_alone: number;
  requester_job: number | null;
  requester_alone: number;
}

interface Item {
  kind: Kind;
  call: DueRow;
}

export interface FlushOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Waits before each poll of the jobs this flush sent; later flushes (the cron) follow the rest. */
  pollDelaysMs?: readonly number[];
}

export interface FlushReport {
  jobsSent: number;
  itemsSent: number;
}

const col = (kind: Kind, name: 'status' | 'attempts' | 'job' | 'alone') => `${kind}_${name}`;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Sends the notes due, in jobs of up to 100, and follows the jobs still open (its own for a few
 * bounded polls). Run when calls end, after a decision with context, and from the cron.
 */
export async function flushNotes(
  db: D1Database,
  zendesk: ZendeskClient,
  options: FlushOptions = {},
): Promise<FlushReport> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
  await recoverStale(db, zendesk, now);
  // Jobs their own flush stopped polling (or whose flush died); a job polled lately is left to
  // the flush that sent it, so busy traffic does not poll one job many times over.
  const left = iso(now() - FOLLOW_AFTER_MS);
  for (const job of await openJobs(db, 'following', left)) await followJob(db, zendesk, job, now);

  const report: FlushReport = { jobsSent: 0, itemsSent: 0 };
  let jobsLeft = MAX_JOBS_PER_FLUSH;
  // A second round sends what the first made sendable: a ticket's next note (one per job), and
  // items refused in a batch, retried alone.
  for (let round = 0; round < FLUSH_ROUNDS && jobsLeft > 0; round++) {
    let open: OpenJob[] = [];
    let sentAny = false;
    while (jobsLeft > 0) {
      const job = await sendOneJob(db, zendesk, now);
      if (!job) break;
      jobsLeft -= 1;
      if (job.sent) {
        sentAny = true;
        report.jobsSent += 1;
        report.itemsSent += job.sent;
      }
      if (job.open) open.push(job.open);
      if (!job.more) break;
    }
    for (const delay of options.pollDelaysMs ?? []) {
      if (!open.length) break;
      await sleep(delay);
      const still: OpenJob[] = [];
      for (const job of open) if (!(await followJob(db, zendesk, job, now))) still.push(job);
      open = still;
    }
    // Jobs still running are followed by the next flush (the cron).
    if (!sentAny || open.length) break;
  }
  await db
    .prepare(
      `DELETE FROM note_jobs WHERE id IN
         (SELECT id FROM note_jobs WHERE state = 'done' AND updated_at < ? LIMIT 100)`,
    )
    .bind(iso(now() - DONE_JOB_KEEP_MS))
    .run();
  return report;
}

interface OpenJob {
  id: number;
  zendesk_job_id: string | null;
}

async function openJobs(db: D1Database, state: 'sending' | 'following', staleBefore?: string) {
  const rows = await db
    .prepare(
      `SELECT id, zendesk_job_id FROM note_jobs WHERE state = ? ${
        staleBefore ? 'AND updated_at < ?' : ''
      } ORDER BY id LIMIT 20`,
    )
    .bind(...(staleBefore ? [state, staleBefore] : [state]))
    .all<OpenJob>();
  return rows.results;
}

/** The notes of a job still waiting for its outcome. */
async function jobItems(db: D1Database, jobId: number): Promise<Item[]> {
  const items: Item[] = [];
  for (const kind of KINDS) {
    const rows = await db
      .prepare(
        `SELECT c.*, l.call_summary AS line_call_summary FROM calls c
         LEFT JOIN lines l ON l.id = c.line_id
         WHERE c.${col(kind, 'job')} = ? AND c.${col(kind, 'status')} = 'posting'`,
      )
      .bind(jobId)
      .all<DueRow>();
    items.push(...rows.results.map((call) => ({ kind, call })));
  }
  return items;
}

type Outcome = 'posted' | 'retry' | 'retry_alone' | 'failed';

/** Settles one claimed note; a retry past the attempt limit ends as 'failed'. */
function settle(db: D1Database, item: Item, jobId: number, outcome: Outcome, nowMs: number) {
  const { kind } = item;
  const status = col(kind, 'status');
  const attempts = col(kind, 'attempts');
  const next =
    outcome === 'posted' || outcome === 'failed'
      ? `'${outcome}'`
      : `CASE WHEN ${attempts} >= ${MAX_NOTE_ATTEMPTS} THEN 'failed' ELSE 'pending' END`;
  return db
    .prepare(
      `UPDATE calls SET ${status} = ${next}, ${col(kind, 'alone')} = ?, seq = ${NEXT_SEQ},
         updated_at = ?
       WHERE call_id = ? AND ${status} = 'posting' AND ${col(kind, 'job')} = ?`,
    )
    .bind(outcome === 'retry_alone' ? 1 : 0, iso(nowMs), item.call.call_id, jobId);
}

async function settleAll(
  db: D1Database,
  jobId: number,
  outcomes: [Item, Outcome][],
  nowMs: number,
) {
  const done = db
    .prepare(`UPDATE note_jobs SET state = 'done', updated_at = ? WHERE id = ?`)
    .bind(iso(nowMs), jobId);
  await db.batch([...outcomes.map(([item, o]) => settle(db, item, jobId, o, nowMs)), done]);
  for (const [item, o] of outcomes) {
    const spent = attemptsOf(item) >= MAX_NOTE_ATTEMPTS;
    if (o === 'failed' || (o !== 'posted' && spent)) {
      console.warn(`call ${item.kind} for ${item.call.call_id} not posted; now failed`);
    }
  }
}

const attemptsOf = (item: Item) => item.call[`${item.kind}_attempts`];
const isAlone = (item: Item) => item.call[`${item.kind}_alone`] === 1;

/** Whether a finished job's result says the ticket's update went through. */
function succeeded(r: NonNullable<ZendeskJobStatus['results']>[number]): boolean {
  if (r.success !== undefined) return r.success;
  return /^(updated|created)$/i.test(r.status ?? '');
}

/**
 * Polls one job once; settles its notes when it has run (or failed). Answers whether the job is
 * finished with (true) or must be polled again (false).
 */
async function followJob(
  db: D1Database,
  zendesk: ZendeskClient,
  job: OpenJob,
  now: () => number,
): Promise<boolean> {
  let status: ZendeskJobStatus | null;
  try {
    status = await zendesk.showJobStatus(job.zendesk_job_id!, { deadline: now() + REQUEST_MS });
  } catch {
    return false;
  }
  if (status === null) return verifyJob(db, zendesk, job.id, now);
  return settleJob(db, job.id, status, now());
}

async function settleJob(
  db: D1Database,
  jobId: number,
  status: ZendeskJobStatus,
  nowMs: number,
): Promise<boolean> {
  if (status.status === 'queued' || status.status === 'working') {
    await db
      .prepare(`UPDATE note_jobs SET polls = polls + 1, updated_at = ? WHERE id = ?`)
      .bind(iso(nowMs), jobId)
      .run();
    return false;
  }
  const items = await jobItems(db, jobId);
  if (status.status !== 'completed') {
    // 'failed' or 'killed': nothing says which tickets were updated; Zendesk stops a failed job
    // as a whole, so every note is sent again.
    await settleAll(
      db,
      jobId,
      items.map((i) => [i, 'retry']),
      nowMs,
    );
    return true;
  }
  const results = new Map((status.results ?? []).flatMap((r) => (r.id ? [[r.id, r]] : [])));
  const outcomes = items.map((item): [Item, Outcome] => {
    const r = results.get(item.call.ticket_id!);
    if (!r) return [item, 'retry'];
    if (succeeded(r)) return [item, 'posted'];
    const alone = isAlone(item);
    console.warn(
      `Zendesk refused the call ${item.kind} for ${item.call.call_id}${alone ? '' : ' in a batch'}: ${r.error ?? r.status ?? 'failed'}`,
    );
    return [item, alone ? 'failed' : 'retry_alone'];
  });
  await settleAll(db, jobId, outcomes, nowMs);
  return true;
}

/**
 * Jobs whose request never answered (their row stayed 'sending' past the stale time): each note
 * is looked for on its ticket. Also takes back notes claimed by the per-call posting of older
 * versions (no job) that a dead run left 'posting'.
 */
async function recoverStale(db: D1Database, zendesk: ZendeskClient, now: () => number) {
  const stale = iso(now() - STALE_SENDING_MS);
  await db.batch(
    KINDS.map((kind) =>
      db
        .prepare(
          `UPDATE calls SET ${col(kind, 'status')} = 'pending'
           WHERE ${col(kind, 'status')} = 'posting' AND ${col(kind, 'job')} IS NULL AND updated_at < ?`,
        )
        .bind(stale),
    ),
  );
  for (const job of await openJobs(db, 'sending', stale)) await verifyJob(db, zendesk, job.id, now);
}

/** Whether this note is among a ticket's comments (newest first). */
function isOnTicket(
  item: Item,
  comments: { body: string; data?: Record<string, unknown> | null }[],
) {
  if (item.kind === 'summary') {
    const marker = `Call-ID: ${item.call.call_id}`;
    return comments.some(
      (c) =>
        c.body.includes(marker) ||
        (typeof c.data?.transcription_text === 'string' &&
          c.data.transcription_text.includes(marker)),
    );
  }
  const notes = (JSON.parse(item.call.context_json!) as MappedContext).items.filter(
    (i) => i.to === 'note',
  );
  const text = contextNote(notes);
  return comments.some((c) => c.body.trim() === text.trim());
}

/** Settles a job whose outcome is unknown by looking for its notes on their tickets. */
async function verifyJob(
  db: D1Database,
  zendesk: ZendeskClient,
  jobId: number,
  now: () => number,
): Promise<boolean> {
  const items = await jobItems(db, jobId);
  const outcomes: [Item, Outcome][] = [];
  for (const item of items) {
    // A requester set twice is the same requester: sent again without looking.
    const hasComment =
      item.kind === 'summary' ||
      (item.kind === 'context' &&
        (JSON.parse(item.call.context_json!) as MappedContext).items.some((i) => i.to === 'note'));
    if (!hasComment) {
      outcomes.push([item, 'retry']);
      continue;
    }
    try {
      const comments = await zendesk.listRecentComments(item.call.ticket_id!, {
        deadline: now() + REQUEST_MS,
      });
      outcomes.push([item, isOnTicket(item, comments) ? 'posted' : 'retry']);
    } catch (err) {
      // 404/403: the ticket is gone or hidden, so the note is not on it; sending it again ends
      // in Zendesk's refusal. Anything else: the whole job is checked again by a later flush.
      if (err instanceof ZendeskError && err.kind === 'client') {
        outcomes.push([item, 'retry']);
        continue;
      }
      const kind = err instanceof ZendeskError ? err.kind : 'error';
      console.warn(`note job ${jobId} not checked (${kind}); checked again later`);
      return false;
    }
  }
  await settleAll(db, jobId, outcomes, now());
  return true;
}

/** The notes due, oldest call first, contexts before summaries (they were due first). */
async function dueItems(db: D1Database): Promise<Item[]> {
  const items: Item[] = [];
  for (const kind of KINDS) {
    const rows = await db
      .prepare(
        `SELECT c.*, l.call_summary AS line_call_summary FROM calls c
         LEFT JOIN lines l ON l.id = c.line_id
         WHERE c.${col(kind, 'status')} = 'pending' AND c.ticket_id IS NOT NULL
         ORDER BY c.id LIMIT ${MAX_JOB_ITEMS * 2}`,
      )
      .all<DueRow>();
    items.push(...rows.results.map((call) => ({ kind, call })));
  }
  return items.sort((a, b) => a.call.id - b.call.id);
}

/** Tickets with a note in a job that has not finished. */
async function busyTickets(db: D1Database): Promise<Set<number>> {
  const rows = await db
    .prepare(
      `SELECT DISTINCT ticket_id FROM calls
       WHERE (summary_status = 'posting' OR context_status = 'posting'
         OR requester_status = 'posting') AND ticket_id IS NOT NULL`,
    )
    .all<{ ticket_id: number }>();
  return new Set(rows.results.map((r) => r.ticket_id));
}

/** Up to 100 notes for distinct, idle tickets; a note to retry alone goes in a job of its own. */
function pick(due: Item[], busy: Set<number>): { chosen: Item[]; more: boolean } {
  const chosen: Item[] = [];
  const tickets = new Set<number>();
  let more = false;
  for (const item of due) {
    const ticket = item.call.ticket_id!;
    if (busy.has(ticket) || tickets.has(ticket)) continue;
    if (chosen.length === MAX_JOB_ITEMS || (chosen.length && isAlone(chosen[0]!))) {
      more = true;
      break;
    }
    if (isAlone(item) && chosen.length) {
      more = true;
      continue;
    }
    chosen.push(item);
    tickets.add(ticket);
  }
  return { chosen, more };
}

/**
 * Claims up to 100 due notes under a new job row, builds their items and sends one Update Many.
 * Answers null when nothing was due.
 */
async function sendOneJob(
  db: D1Database,
  zendesk: ZendeskClient,
  now: () => number,
): Promise<{ sent: number; open: OpenJob | null; more: boolean } | null> {
  const { chosen, more } = pick(await dueItems(db), await busyTickets(db));
  if (!chosen.length) return null;
  const at = iso(now());
  const job = await db
    .prepare(
      `INSERT INTO note_jobs (state, items, created_at, updated_at) VALUES ('sending', ?, ?, ?)
       RETURNING id`,
    )
    .bind(chosen.length, at, at)
    .first<{ id: number }>();
  const jobId = job!.id;
  const claims = await db.batch<{ call_id: string }>(
    chosen.map(({ kind, call }) =>
      db
        .prepare(
          `UPDATE calls SET ${col(kind, 'status')} = 'posting',
             ${col(kind, 'attempts')} = ${col(kind, 'attempts')} + 1, ${col(kind, 'job')} = ?,
             updated_at = ?
           WHERE call_id = ? AND ${col(kind, 'status')} = 'pending' RETURNING call_id`,
        )
        .bind(jobId, at, call.call_id),
    ),
  );
  const claimed = chosen
    .filter((_, i) => claims[i]!.results.length === 1)
    .map((item) => {
      const call = { ...item.call };
      call[`${item.kind}_attempts`] += 1;
      return { ...item, call };
    });

  const payloads: BatchTicketUpdate[] = [];
  const unsent: [Item, Outcome][] = [];
  const contexts: D1PreparedStatement[] = [];
  for (const item of claimed) {
    const call = item.call as DueRow & { ticket_id: number };
    if (item.kind === 'summary') {
      payloads.push(summaryBatchItem(call, call.line_call_summary));
      continue;
    }
    if (item.kind === 'requester') {
      if (call.matched_user_id === null) unsent.push([item, 'failed']);
      else payloads.push({ id: call.ticket_id, requester_id: call.matched_user_id });
      continue;
    }
    try {
      const context = JSON.parse(call.context_json!) as MappedContext;
      const built = await contextBatchItem(
        zendesk,
        call.ticket_id,
        context,
        now() + REQUEST_MS,
        now(),
      );
      contexts.push(
        db
          .prepare('UPDATE calls SET context_json = ? WHERE call_id = ?')
          .bind(JSON.stringify(built.result), call.call_id),
      );
      if (built.item) payloads.push(built.item);
      else unsent.push([item, 'failed']);
    } catch {
      // The ticket fields could not be read: this context waits for the next flush.
      unsent.push([item, 'retry']);
    }
  }
  if (contexts.length) await db.batch(contexts);
  const sentItems = claimed.filter((i) => !unsent.some(([u]) => u === i));
  if (unsent.length) await db.batch(unsent.map(([item, o]) => settle(db, item, jobId, o, now())));
  if (!payloads.length) {
    await settleAll(db, jobId, [], now());
    return { sent: 0, open: null, more };
  }

  let status: ZendeskJobStatus;
  try {
    status = await zendesk.updateManyTickets(payloads, { deadline: now() + REQUEST_MS });
  } catch (err) {
    const kind = err instanceof ZendeskError ? err.kind : 'error';
    if (kind === 'timeout' || kind === 'unreachable' || kind === 'invalid_response') {
      // The job may have been queued: the notes stay claimed and are checked once stale.
      console.warn(`note job ${jobId}: no answer from Update Many (${kind}); checked later`);
      return { sent: 0, open: null, more: false };
    }
    // Zendesk answered with an error (or nothing was sent): no job exists, the notes wait.
    console.warn(`note job ${jobId}: Update Many not queued (${kind}); retried later`);
    await settleAll(
      db,
      jobId,
      sentItems.map((i) => [i, 'retry']),
      now(),
    );
    return { sent: 0, open: null, more: false };
  }
  await db
    .prepare(
      `UPDATE note_jobs SET zendesk_job_id = ?, state = 'following', updated_at = ? WHERE id = ?`,
    )
    .bind(status.id, iso(now()), jobId)
    .run();
  const finished = await settleJob(db, jobId, status, now());
  return {
    sent: payloads.length,
    open: finished ? null : { id: jobId, zendesk_job_id: status.id },
    more,
  };
}
