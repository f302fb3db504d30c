import type { CountryCode } from 'libphonenumber-js';
import { samePhoneNumber, zendeskSearchDigits } from '../phone/normalize';
import type { ZendeskClient } from '../zendesk/client';
import { readCachedMatch, writeCachedMatch } from './match-cache';

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

/**
 * Finds the Zendesk end-user(s) whose phone is this caller's number. One match links it, none is
 * "no_match", several are "ambiguous" with the candidates: the bridge never guesses.
 * Zendesk's `phone:*<digits>` search also finds numbers that merely end the same way, so each
 * result is confirmed by normalizing its stored phone with the line's country.
 * @example await matchCaller({ db, zendesk }, { e164: '+14155550100', nationalNumber: '4155550100' }, 'US', deadline)
 */
export async function matchCaller(
  deps: { db: D1Database; zendesk: ZendeskClient; now?: () => number },
  caller: { e164: string; nationalNumber: string },
  country: CountryCode,
  deadline: number,
): Promise<CallerMatch & { cached: boolean }> {
  const now = deps.now ?? Date.now;
  const cached = await readCachedMatch(deps.db, caller.e164, now());
  if (cached) return { ...cached, cached: true };

  const users = await deps.zendesk.searchEndUsersByPhone(zendeskSearchDigits(caller), { deadline });
  const same = users.filter((u) => u.phone && samePhoneNumber(u.phone, caller.e164, country));
  const candidates = same
    .slice(0, MAX_CANDIDATES)
    .map((u) => ({ id: u.id, name: u.name, phone: u.phone ?? null }));
  const match: CallerMatch =
    same.length === 1
      ? { result: 'matched', userId: candidates[0]!.id, candidates: [] }
      : same.length === 0
        ? { result: 'no_match', userId: null, candidates: [] }
        : { result: 'ambiguous', userId: null, candidates };
  await writeCachedMatch(deps.db, caller.e164, match, now());
  return { ...match, cached: false };
}
