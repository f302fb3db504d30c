import { forgetIndexTrust } from '../phone-index/store';
import type { CallerMatch } from './match-caller';

/** How long a match is trusted before Zendesk is asked again. */
const MATCH_TTL_S = {
  matched: 3600,
  // Short: a caller's new user takes minutes to become searchable, and an agent may fix duplicates.
  ambiguous: 600,
  no_match: 300,
} as const;

interface Entry {
  match: CallerMatch;
  expiresAt: number;
}

const MEMORY_LIMIT = 10_000;
// Per-isolate copy in front of D1, so a repeat caller costs neither Zendesk nor a D1 read.
const memory = new Map<string, Entry>();

/** This isolate's cached match, without touching D1 (the decision's fast path). */
export function peekCachedMatch(e164: string, nowMs: number): CallerMatch | null {
  const hit = memory.get(e164);
  return hit && hit.expiresAt > nowMs ? hit.match : null;
}

/** Cached match for this E.164 number, from memory, then D1. */
export async function readCachedMatch(
  db: D1Database,
  e164: string,
  nowMs: number,
): Promise<CallerMatch | null> {
  const hit = peekCachedMatch(e164, nowMs);
  if (hit) return hit;
  const row = await db
    .prepare(
      'SELECT result, user_id, candidates, expires_at FROM caller_matches WHERE e164 = ? AND expires_at > ?',
    )
    .bind(e164, nowMs)
    .first<{
      result: CallerMatch['result'];
      user_id: number | null;
      candidates: string;
      expires_at: number;
    }>();
  if (!row) return null;
  const match: CallerMatch = {
    result: row.result,
    userId: row.user_id,
    candidates: JSON.parse(row.candidates) as CallerMatch['candidates'],
  };
  remember(e164, match, row.expires_at);
  return match;
}

/**
 * Keeps a match in this isolate's memory only (answers from the phone index: D1 already holds
 * them), so a repeat caller costs no D1 read either until `expiresAt`.
 */
export function rememberMatch(e164: string, match: CallerMatch, expiresAt: number) {
  remember(e164, match, expiresAt);
}

function remember(e164: string, match: CallerMatch, expiresAt: number) {
  if (memory.size >= MEMORY_LIMIT) memory.delete(memory.keys().next().value!);
  memory.set(e164, { match, expiresAt });
}

/** Stores a match in D1 and memory with the TTL of its kind. */
export async function writeCachedMatch(
  db: D1Database,
  e164: string,
  match: CallerMatch,
  nowMs: number,
) {
  await cachedMatchStatement(db, e164, match, nowMs).run();
  rememberMatch(e164, match, cachedMatchExpiry(match, nowMs));
}

/**
 * The D1 write of writeCachedMatch, for a caller's batch (then `rememberMatch` it in memory with
 * the expiry `cachedMatchExpiry` gives).
 */
export function cachedMatchStatement(
  db: D1Database,
  e164: string,
  match: CallerMatch,
  nowMs: number,
) {
  return db
    .prepare(
      `INSERT INTO caller_matches (e164, result, user_id, candidates, expires_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (e164) DO UPDATE SET result = excluded.result, user_id = excluded.user_id,
         candidates = excluded.candidates, expires_at = excluded.expires_at`,
    )
    .bind(
      e164,
      match.result,
      match.userId,
      JSON.stringify(match.candidates),
      cachedMatchExpiry(match, nowMs),
    );
}

/** When a match cached now expires (epoch ms), by its kind. */
export const cachedMatchExpiry = (match: CallerMatch, nowMs: number) =>
  nowMs + MATCH_TTL_S[match.result] * 1000;

/**
 * Forgets every in-memory entry, and whether the phone index was trusted (tests, and after an
 * agent resolves an ambiguous caller).
 */
export function clearMatchMemory(e164?: string) {
  if (e164) memory.delete(e164);
  else {
    memory.clear();
    forgetIndexTrust();
  }
}
