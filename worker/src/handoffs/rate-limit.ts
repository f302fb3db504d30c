/** Allowed, or refused with the seconds until the next minute window opens. */
export type RateDecision = { ok: true } | { ok: false; retryAfterS: number };

/**
 * Takes one handoff from the key's per-minute allowance, counted in D1 so every isolate shares it
 * (like the line creation cap), and records the key's use. The usage row of an old minute is
 * pruned now and then.
 * @example const rate = await takeHandoff(db, key.id, key.handoffsPerMinute, Date.now());
 */
export async function takeHandoff(
  db: D1Database,
  keyId: string,
  perMinute: number,
  nowMs: number,
): Promise<RateDecision> {
  const minute = Math.floor(nowMs / 60_000);
  const [taken] = await db.batch<{ count: number }>([
    db
      .prepare(
        `INSERT INTO api_key_minutes (key_id, minute, count) VALUES (?1, ?2, 1)
         ON CONFLICT (key_id, minute) DO UPDATE SET count = count + 1 WHERE count < ?3
         RETURNING count`,
      )
      .bind(keyId, minute, perMinute),
    db
      .prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?')
      .bind(new Date(nowMs).toISOString(), keyId),
  ]);
  if (Math.random() < 0.02) {
    await db
      .prepare('DELETE FROM api_key_minutes WHERE minute < ?')
      .bind(minute - 1)
      .run();
  }
  if (taken?.results.length) return { ok: true };
  return { ok: false, retryAfterS: Math.max(1, Math.ceil(((minute + 1) * 60_000 - nowMs) / 1000)) };
}
