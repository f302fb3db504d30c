// One cron run of the phone index sync: a few pages of Zendesk's incremental user export, from
// where the last run stopped, each page applied to the index with the cursor in one transaction.
import type { CountryCode } from 'libphonenumber-js';
import { phoneIndexZendeskFromEnv } from '../config';
import type { Env } from '../env';
import { isCountryCode } from '../phone/normalize';
import { ZendeskError } from '../zendesk/errors';
import type { ZendeskClient } from '../zendesk/client';
import {
  forgetIndexTrust,
  pageEntries,
  replaceUsersStatements,
  stateFromRow,
  type PhoneIndexState,
} from './store';

/** Users per export page (Zendesk allows up to 1000; smaller pages keep each D1 write short). */
export const DEFAULT_PAGE_SIZE = 500;
/**
 * Export requests per run. Zendesk allows 10 a minute per account for all incremental exports,
 * shared with other integrations: a run every 5 minutes asking for 5 pages keeps to half of it.
 * A backfill of N users takes about N / 2,500 runs (100,000 users: 40 runs, under 4 hours).
 */
export const DEFAULT_PAGES_PER_RUN = 5;
/** No new page is asked for once a run has taken this long. */
export const DEFAULT_RUN_MS = 20_000;
/** Per export request. */
const REQUEST_TIMEOUT_MS = 10_000;
/** A run holds the lease this long at most, so a run that died does not block the next one. */
const LEASE_MS = 2 * 60_000;

export interface PhoneIndexSyncOptions {
  db: D1Database;
  /** A client whose 429s do not pause the shared budget (see config.ts phoneIndexZendesk). */
  zendesk: ZendeskClient;
  country: CountryCode;
  now?: () => number;
  pageSize?: number;
  pagesPerRun?: number;
  runMs?: number;
}

/** What one run did. */
export interface PhoneIndexRun {
  /** Why no page was asked for, when none was. */
  skipped?: 'running' | 'rate_limited';
  pages: number;
  users: number;
  caughtUp: boolean;
  error?: string;
}

const ACQUIRE_SQL = `
UPDATE phone_index_state SET lease_until = ?2, last_run_at = ?1
WHERE id = 1 AND lease_until <= ?1 RETURNING *`;

const PAGE_DONE_SQL = `
UPDATE phone_index_state SET
  cursor = COALESCE(?1, cursor), users_seen = users_seen + ?2, pages = pages + 1,
  last_page_at = ?3, last_error = NULL, last_error_at = NULL,
  caught_up_at = CASE WHEN ?4 THEN ?5 ELSE caught_up_at END,
  backfill_done_at = CASE WHEN ?4 AND backfill_done_at IS NULL THEN ?3 ELSE backfill_done_at END
WHERE id = 1`;

/**
 * The country national-format phones are read in: PHONE_INDEX_COUNTRY when it is a country code,
 * else the default country most lines have, else US. On a tie the index keeps the country it
 * has (a change means a full export again), else the first alphabetically.
 */
export async function phoneIndexCountry(
  db: D1Database,
  configured: string | undefined,
): Promise<CountryCode> {
  const wanted = configured?.trim().toUpperCase();
  if (wanted && isCountryCode(wanted)) return wanted;
  const [counts, current] = await db.batch<{ country: string; n: number }>([
    db.prepare(
      'SELECT default_country AS country, COUNT(*) AS n FROM lines GROUP BY default_country ORDER BY n DESC, country',
    ),
    db.prepare('SELECT country, 0 AS n FROM phone_index_state WHERE id = 1'),
  ]);
  const rows = (counts?.results ?? []).filter((r) => isCountryCode(r.country));
  const most = rows.filter((r) => r.n === rows[0]?.n).map((r) => r.country as CountryCode);
  const kept = current?.results[0]?.country;
  if (kept && most.includes(kept as CountryCode)) return kept as CountryCode;
  return most[0] ?? 'US';
}

/**
 * Advances the index by at most `pagesPerRun` export pages (and `runMs`), from the stored cursor;
 * the first run starts the backfill from `start_time=0`. A changed country restarts it. A 429 is
 * kept with its Retry-After (no request before it), any failure in `last_error`; either way the
 * cursor stays where the last applied page left it. Never throws for Zendesk's sake.
 * @example await syncPhoneIndex({ db: env.DB, zendesk, country: 'US' })
 */
export async function syncPhoneIndex(opts: PhoneIndexSyncOptions): Promise<PhoneIndexRun> {
  const { db, zendesk, country } = opts;
  const now = opts.now ?? Date.now;
  const pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  const pagesPerRun = opts.pagesPerRun ?? DEFAULT_PAGES_PER_RUN;
  const runMs = opts.runMs ?? DEFAULT_RUN_MS;
  const started = now();
  const run: PhoneIndexRun = { pages: 0, users: 0, caughtUp: false };

  await ensureState(db, country, started);
  const leased = await db
    .prepare(ACQUIRE_SQL)
    .bind(started, started + LEASE_MS)
    .first<Parameters<typeof stateFromRow>[0]>();
  if (!leased) return { ...run, skipped: 'running' };
  let state: PhoneIndexState = stateFromRow(leased);
  try {
    if (state.country !== country) state = await restartBackfill(db, country, started);
    if (state.retryAfterUntil > started) return { ...run, skipped: 'rate_limited' };
    let cursor = state.cursor;
    while (run.pages < pagesPerRun && now() - started < runMs) {
      const sentAt = now();
      const page = await zendesk.exportUsers(
        cursor === null ? { startTime: state.startTime } : { cursor },
        { perPage: pageSize, deadline: sentAt + REQUEST_TIMEOUT_MS },
      );
      const entries = pageEntries(page, country);
      await db.batch([
        ...replaceUsersStatements(
          db,
          page.users.map((u) => u.id),
          entries,
        ),
        db
          .prepare(PAGE_DONE_SQL)
          .bind(page.after_cursor, page.users.length, now(), page.end_of_stream ? 1 : 0, sentAt),
      ]);
      cursor = page.after_cursor ?? cursor;
      run.pages += 1;
      run.users += page.users.length;
      // Caught up: the rest of this minute's changes come in the next run.
      if (page.end_of_stream) {
        run.caughtUp = true;
        forgetIndexTrust();
        break;
      }
    }
  } catch (err) {
    run.error = await recordFailure(db, err, now());
  } finally {
    await db.prepare('UPDATE phone_index_state SET lease_until = 0 WHERE id = 1').run();
  }
  return run;
}

async function ensureState(db: D1Database, country: CountryCode, nowMs: number) {
  await db
    .prepare(
      `INSERT INTO phone_index_state (id, country, start_time, backfill_started_at)
       VALUES (1, ?, 0, ?) ON CONFLICT (id) DO NOTHING`,
    )
    .bind(country, nowMs)
    .run();
}

/** National numbers read in another country are wrong: drop the index and export again. */
async function restartBackfill(
  db: D1Database,
  country: CountryCode,
  nowMs: number,
): Promise<PhoneIndexState> {
  const [, updated] = await db.batch<Parameters<typeof stateFromRow>[0]>([
    db.prepare('DELETE FROM phone_index'),
    db
      .prepare(
        `UPDATE phone_index_state SET country = ?1, start_time = 0, cursor = NULL,
           backfill_started_at = ?2, backfill_done_at = NULL, users_seen = 0, pages = 0,
           caught_up_at = NULL, retry_after_until = 0
         WHERE id = 1 RETURNING *`,
      )
      .bind(country, nowMs),
  ]);
  return stateFromRow(updated!.results[0]!);
}

/** Keeps why the run stopped (and a 429's Retry-After); answers the text kept. */
async function recordFailure(db: D1Database, err: unknown, nowMs: number): Promise<string> {
  const zendeskError = err instanceof ZendeskError ? err : null;
  const text = zendeskError
    ? `${zendeskError.kind}: ${zendeskError.message}`
    : `error: ${err instanceof Error ? err.message : String(err)}`;
  if (!zendeskError) console.error('phone index sync failed', err);
  const retryAfterUntil =
    zendeskError?.kind === 'rate_limited'
      ? nowMs + (zendeskError.retryAfterSeconds ?? 60) * 1000
      : 0;
  await db
    .prepare(
      `UPDATE phone_index_state SET last_error = ?1, last_error_at = ?2,
         retry_after_until = MAX(retry_after_until, ?3) WHERE id = 1`,
    )
    .bind(text.slice(0, 500), nowMs, retryAfterUntil)
    .run();
  return text;
}

/**
 * The cron's run: the country from PHONE_INDEX_COUNTRY or the lines, the sync's own client.
 * @example ctx.waitUntil(syncPhoneIndexFromEnv(env));
 */
export async function syncPhoneIndexFromEnv(env: Env): Promise<PhoneIndexRun> {
  const country = await phoneIndexCountry(env.DB, env.PHONE_INDEX_COUNTRY);
  return syncPhoneIndex({ db: env.DB, zendesk: phoneIndexZendeskFromEnv(env), country });
}
