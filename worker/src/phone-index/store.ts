// The phone index in D1 (migration 0009): E.164 number → Zendesk end-users, and where the
// incremental user export that feeds it stands. Read by matchCaller, written by the cron's sync.
import type { CountryCode } from 'libphonenumber-js';
import { normalizeCallerNumber } from '../phone/normalize';
import type { UserExportPage } from '../zendesk/schemas';

/** Where the export stands (the `phone_index_state` row); times in epoch ms. */
export interface PhoneIndexState {
  country: CountryCode;
  /** Unix seconds the backfill asked the export from. */
  startTime: number;
  cursor: string | null;
  backfillStartedAt: number;
  backfillDoneAt: number | null;
  usersSeen: number;
  pages: number;
  lastRunAt: number | null;
  lastPageAt: number | null;
  /** When the request that last answered `end_of_stream` was sent. */
  caughtUpAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  retryAfterUntil: number;
  leaseUntil: number;
}

/** One user's number in the index. */
export interface IndexEntry {
  e164: string;
  userId: number;
  name: string;
  /** As stored in Zendesk. */
  phone: string;
  /** The user's tags and organization from the export (routing rules read them). */
  tags?: string[];
  organizationId?: number | null;
}

/** Zendesk leaves out changes made within the minute before each export request. */
export const EXPORT_EXCLUDED_MS = 60_000;

/**
 * How long after it last caught up the index answers "no user has this number" by itself: one
 * cron interval (5 minutes) plus the export's excluded minute plus a minute of slack. Past it
 * (a run failed or was rate limited) a no_match is confirmed by search.
 */
export const NO_MATCH_TRUSTED_MS = 7 * 60_000;
/**
 * How long after it last caught up the index answers matched and ambiguous callers by itself:
 * the match cache's hour. Past it the index is not used at all until the sync catches up again.
 */
export const MATCH_TRUSTED_MS = 60 * 60_000;

interface StateRow {
  country: string;
  start_time: number;
  cursor: string | null;
  backfill_started_at: number;
  backfill_done_at: number | null;
  users_seen: number;
  pages: number;
  last_run_at: number | null;
  last_page_at: number | null;
  caught_up_at: number | null;
  last_error: string | null;
  last_error_at: number | null;
  retry_after_until: number;
  lease_until: number;
}

export function stateFromRow(row: StateRow): PhoneIndexState {
  return {
    country: row.country as CountryCode,
    startTime: row.start_time,
    cursor: row.cursor,
    backfillStartedAt: row.backfill_started_at,
    backfillDoneAt: row.backfill_done_at,
    usersSeen: row.users_seen,
    pages: row.pages,
    lastRunAt: row.last_run_at,
    lastPageAt: row.last_page_at,
    caughtUpAt: row.caught_up_at,
    lastError: row.last_error,
    lastErrorAt: row.last_error_at,
    retryAfterUntil: row.retry_after_until,
    leaseUntil: row.lease_until,
  };
}

/** The export's state, or null before the first cron run. */
export async function readPhoneIndexState(db: D1Database): Promise<PhoneIndexState | null> {
  const row = await db.prepare('SELECT * FROM phone_index_state WHERE id = 1').first<StateRow>();
  return row ? stateFromRow(row) : null;
}

/** How far the index can be believed at `nowMs`. */
export type IndexTrust = 'all' | 'matches_only' | 'none';

/**
 * `all`: the backfill is done and the index caught up within NO_MATCH_TRUSTED_MS, so even "no user
 * has this number" holds (up to the last few minutes' changes, see docs/worker.md).
 * `matches_only`: caught up within MATCH_TRUSTED_MS: the users it has are still believed.
 * `none`: backfill not done, or the sync has not caught up for an hour.
 */
export function indexTrust(state: PhoneIndexState | null, nowMs: number): IndexTrust {
  if (!state || state.backfillDoneAt === null || state.caughtUpAt === null) return 'none';
  const age = nowMs - state.caughtUpAt;
  if (age <= NO_MATCH_TRUSTED_MS) return 'all';
  return age <= MATCH_TRUSTED_MS ? 'matches_only' : 'none';
}

/**
 * Per isolate: until when the index is known not to be trusted, so matching skips its D1 read
 * (during a backfill of hours, or while the sync is broken). The sync clears it on catching up.
 */
let untrustedUntil = 0;
const UNTRUSTED_MEMO_MS = 30_000;

/** Whether a lookup is worth making at `nowMs` (false while an earlier one found no trust). */
export function mayTrustIndex(nowMs: number): boolean {
  return nowMs >= untrustedUntil;
}

/** Remembers that the index was not trusted at `nowMs`, for a short while. */
export function rememberUntrusted(nowMs: number): void {
  untrustedUntil = nowMs + UNTRUSTED_MEMO_MS;
}

/** Forgets that memo (the sync caught up; tests). */
export function forgetIndexTrust(): void {
  untrustedUntil = 0;
}

/** The users the index has for a number (by id), with the state, in one D1 round trip. */
export async function lookupPhoneIndex(
  db: D1Database,
  e164: string,
): Promise<{ state: PhoneIndexState | null; entries: IndexEntry[] }> {
  const [state, entries] = await db.batch<unknown>([
    db.prepare('SELECT * FROM phone_index_state WHERE id = 1'),
    db
      .prepare(
        'SELECT e164, user_id AS userId, name, phone FROM phone_index WHERE e164 = ? ORDER BY user_id LIMIT 11',
      )
      .bind(e164),
  ]);
  const row = (state?.results[0] as StateRow | undefined) ?? null;
  return {
    state: row ? stateFromRow(row) : null,
    entries: (entries?.results ?? []) as IndexEntry[],
  };
}

/**
 * The index entries of one export page: every number of each active end-user (the user's
 * `phone` and its phone-number identities), in E.164 read with `country` for national forms.
 * Numbers that cannot be read are left out. Deleted (inactive) users and agents get none.
 */
export function pageEntries(page: UserExportPage, country: CountryCode): IndexEntry[] {
  const identities = new Map<number, string[]>();
  for (const identity of page.identities) {
    identities.set(identity.user_id, [...(identities.get(identity.user_id) ?? []), identity.value]);
  }
  const entries = new Map<string, IndexEntry>();
  for (const user of page.users) {
    if (!user.active || user.role !== 'end-user') continue;
    // The user's own phone last, so it is the one kept when an identity has the same number.
    const phones = [...(identities.get(user.id) ?? []), ...(user.phone ? [user.phone] : [])];
    for (const phone of phones) {
      const number = normalizeCallerNumber(phone, country);
      if (number.kind !== 'e164') continue;
      const key = `${number.e164} ${user.id}`;
      entries.set(key, {
        e164: number.e164,
        userId: user.id,
        name: user.name ?? '',
        phone,
        tags: user.tags,
        organizationId: user.organization_id,
      });
    }
  }
  return [...entries.values()];
}

/**
 * Statements replacing the index rows of `userIds` with `entries` (json_each keeps it to two
 * statements whatever the page size).
 */
export function replaceUsersStatements(
  db: D1Database,
  userIds: number[],
  entries: IndexEntry[],
): D1PreparedStatement[] {
  return [
    db
      .prepare('DELETE FROM phone_index WHERE user_id IN (SELECT value FROM json_each(?1))')
      .bind(JSON.stringify(userIds)),
    db
      .prepare(
        `INSERT OR REPLACE INTO phone_index (e164, user_id, name, phone, tags, organization_id)
         SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),
                json_extract(value, '$[2]'), json_extract(value, '$[3]'),
                json(json_extract(value, '$[4]')), json_extract(value, '$[5]')
         FROM json_each(?1)`,
      )
      .bind(
        JSON.stringify(
          entries.map((e) => [
            e.e164,
            e.userId,
            e.name,
            e.phone,
            JSON.stringify(e.tags ?? []),
            e.organizationId ?? null,
          ]),
        ),
      ),
  ];
}

/**
 * Adds a user the bridge itself just created (a caller's new end-user), so the index knows the
 * number before the export reports it; the next sync replaces the row with Zendesk's own.
 */
export async function indexCreatedUser(db: D1Database, entry: IndexEntry): Promise<void> {
  await indexCreatedUserStatement(db, entry).run();
}

/** The write of indexCreatedUser, for a batch. */
export function indexCreatedUserStatement(db: D1Database, entry: IndexEntry) {
  return db
    .prepare('INSERT OR REPLACE INTO phone_index (e164, user_id, name, phone) VALUES (?, ?, ?, ?)')
    .bind(entry.e164, entry.userId, entry.name, entry.phone);
}

/** What routing rules read of a user: tags and organization, as the last export gave them. */
export interface IndexedUser {
  tags: string[];
  organizationId: number | null;
}

/**
 * The user's tags and organization from the phone index (no Zendesk request), or null when the
 * index has no row for the user (not exported yet, or no phone the index could read).
 * @example await indexedUser(env.DB, 20001) // { tags: ['vip'], organizationId: 360000501 }
 */
export async function indexedUser(db: D1Database, userId: number): Promise<IndexedUser | null> {
  const row = await db
    .prepare('SELECT tags, organization_id FROM phone_index WHERE user_id = ? LIMIT 1')
    .bind(userId)
    .first<{ tags: string; organization_id: number | null }>();
  if (!row) return null;
  const tags: unknown = JSON.parse(row.tags);
  return {
    tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [],
    organizationId: row.organization_id,
  };
}
