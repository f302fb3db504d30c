import type { CountryCode } from 'libphonenumber-js';
import { samePhoneNumber, zendeskSearchDigits } from '../phone/normalize';
import type { ZendeskClient } from '../zendesk/client';
import {
  indexTrust,
  lookupPhoneIndex,
  mayTrustIndex,
  rememberUntrusted,
  type IndexEntry,
} from '../phone-index/store';
import { peekCachedMatch, readCachedMatch, rememberMatch, writeCachedMatch } from './match-cache';

interface MatchCandidate {
  id: number;
  name: string;
  phone: string | null;
}

export interface CallerMatch {
  result: 'matched' | 'no_match' | 'ambiguous';
  userId: number | null;
  candidates: MatchCandidate[];
}

/** Most candidates kept for the agent to choose from. */
const MAX_CANDIDATES = 10;
/** An answer from the phone index is kept in this isolate's memory this long. */
const INDEX_MEMORY_MS = 60_000;

/** Where a match came from: the phone index, the match cache, or a Zendesk search. */
export type MatchSource = 'index' | 'cache' | 'search';

function matchOf(users: { id: number; name: string; phone: string | null }[]): CallerMatch {
  const candidates = users.slice(0, MAX_CANDIDATES).map((u) => ({
    id: u.id,
    name: u.name,
    phone: u.phone,
  }));
  return users.length === 1
    ? { result: 'matched', userId: candidates[0]!.id, candidates: [] }
    : users.length === 0
      ? { result: 'no_match', userId: null, candidates: [] }
      : { result: 'ambiguous', userId: null, candidates };
}

/**
 * The phone index's answer when it can be trusted (see indexTrust and docs/worker.md): matched
 * and ambiguous while it caught up within the hour; no_match only while it caught up within
 * minutes and national numbers were read in the line's country. Else null: ask Zendesk.
 */
async function fromIndex(
  db: D1Database,
  e164: string,
  country: CountryCode,
  nowMs: number,
): Promise<CallerMatch | null> {
  if (!mayTrustIndex(nowMs)) return null;
  let found: Awaited<ReturnType<typeof lookupPhoneIndex>>;
  try {
    found = await lookupPhoneIndex(db, e164);
  } catch (err) {
    // An index that cannot be read (migration 0009 not applied yet) must not cost the match.
    console.error('phone index unreadable; matching by search', err);
    rememberUntrusted(nowMs);
    return null;
  }
  const { state, entries } = found;
  const trust = indexTrust(state, nowMs);
  if (trust === 'none') {
    rememberUntrusted(nowMs);
    return null;
  }
  const match = matchOf(
    entries.map((e: IndexEntry) => ({ id: e.userId, name: e.name, phone: e.phone })),
  );
  if (match.result !== 'no_match') return match;
  return trust === 'all' && state?.country === country ? match : null;
}

/**
 * Finds the Zendesk end-user(s) whose phone is this caller's number. One match links it, none is
 * "no_match", several are "ambiguous" with the candidates: the bridge never guesses.
 * The phone index (fed by the cron from Zendesk's user export) answers without a Zendesk request
 * when it can be trusted; otherwise the match cache, then Zendesk's `phone:*<digits>` search,
 * which also finds numbers that merely end the same way, so each result is confirmed by
 * normalizing its stored phone with the line's country.
 * @example await matchCaller({ db, zendesk }, { e164: '+14155550100', nationalNumber: '4155550100' }, 'US', deadline)
 */
export async function matchCaller(
  deps: { db: D1Database; zendesk: ZendeskClient; now?: () => number },
  caller: { e164: string; nationalNumber: string },
  country: CountryCode,
  deadline: number,
): Promise<CallerMatch & { cached: boolean; source: MatchSource }> {
  const now = deps.now ?? Date.now;
  const remembered = peekCachedMatch(caller.e164, now());
  if (remembered) return { ...remembered, cached: true, source: 'cache' };
  const indexed = await fromIndex(deps.db, caller.e164, country, now());
  if (indexed) {
    rememberMatch(caller.e164, indexed, now() + INDEX_MEMORY_MS);
    return { ...indexed, cached: false, source: 'index' };
  }
  const cached = await readCachedMatch(deps.db, caller.e164, now());
  if (cached) return { ...cached, cached: true, source: 'cache' };

  const users = await deps.zendesk.searchEndUsersByPhone(zendeskSearchDigits(caller), { deadline });
  const same = users.filter((u) => u.phone && samePhoneNumber(u.phone, caller.e164, country));
  const match = matchOf(same.map((u) => ({ id: u.id, name: u.name, phone: u.phone ?? null })));
  await writeCachedMatch(deps.db, caller.e164, match, now());
  return { ...match, cached: false, source: 'search' };
}
