/** Thrown inside the ticket-creation step: the call is still relayed, with `create_ticket:line_cap`. */
export class CreationCapError extends Error {
  readonly kind = 'line_cap';
  constructor() {
    super("the line's cap on Zendesk users and tickets created per minute is reached");
  }
}

/**
 * Takes `count` creations (Zendesk users or tickets, default one) from the line's per-minute cap,
 * shared by every isolate through D1, all or none; false when the cap cannot cover them, so a
 * flood of spoofed caller ids cannot fill Zendesk with users and tickets or spend the account's
 * API budget.
 * @example if (!(await takeCreation(db, line.id, line.maxCreationsPerMinute, Date.now()))) skip();
 */
export async function takeCreation(
  db: D1Database,
  lineId: number,
  perMinute: number,
  nowMs: number,
  count = 1,
): Promise<boolean> {
  if (count > perMinute) return false;
  const minute = Math.floor(nowMs / 60_000);
  const taken = await db
    .prepare(
      `INSERT INTO line_creations (line_id, minute, count) VALUES (?1, ?2, ?4)
       ON CONFLICT (line_id, minute) DO UPDATE SET count = count + ?4 WHERE count + ?4 <= ?3
       RETURNING count`,
    )
    .bind(lineId, minute, perMinute, count)
    .first<{ count: number }>();
  if (Math.random() < 0.02) {
    await db
      .prepare('DELETE FROM line_creations WHERE minute < ?')
      .bind(minute - 1)
      .run();
  }
  return taken !== null;
}

/** Seconds until the line's cap opens again: the next UTC minute. */
export function creationCapRetryAfterS(nowMs: number): number {
  const nextMinute = (Math.floor(nowMs / 60_000) + 1) * 60_000;
  return Math.max(1, Math.ceil((nextMinute - nowMs) / 1000));
}

/** takeCreation of `count` for a line, throwing CreationCapError when its cap is reached. */
export async function spendCreation(
  db: D1Database,
  line: { id: number; maxCreationsPerMinute: number },
  nowMs: number,
  count = 1,
): Promise<void> {
  if (!(await takeCreation(db, line.id, line.maxCreationsPerMinute, nowMs, count))) {
    throw new CreationCapError();
  }
}
