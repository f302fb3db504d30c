// The block list as admins edit it (blocked_numbers: list, add, remove). The call path reads it
// through line-cache.ts; the edge gets it in its config (edge-config.ts, edge-blocklist.ts).

/** Blocked caller numbers, per line or for every line (Zendesk's SIP lines cannot block numbers). */
export interface BlockedNumber {
  id: number;
  e164: string;
  line: string | null;
  reason: string;
  created_at: string;
}

export class BlockConflictError extends Error {}

const SELECT = `SELECT b.id, b.e164, l.slug AS line, b.reason, b.created_at
  FROM blocked_numbers b LEFT JOIN lines l ON l.id = b.line_id`;

export async function listBlocked(db: D1Database): Promise<BlockedNumber[]> {
  return (await db.prepare(`${SELECT} ORDER BY b.id`).all<BlockedNumber>()).results;
}

/** Blocks a number; `lineId` null blocks it everywhere. */
export async function addBlock(
  db: D1Database,
  entry: { e164: string; lineId: number | null; reason: string },
): Promise<BlockedNumber> {
  try {
    const row = await db
      .prepare(
        'INSERT INTO blocked_numbers (e164, line_id, reason, created_at) VALUES (?, ?, ?, ?) RETURNING id',
      )
      .bind(entry.e164, entry.lineId, entry.reason, new Date().toISOString())
      .first<{ id: number }>();
    return (await db.prepare(`${SELECT} WHERE b.id = ?`).bind(row!.id).first<BlockedNumber>())!;
  } catch (err) {
    if (String(err).includes('UNIQUE'))
      throw new BlockConflictError('this number is already blocked there');
    throw err;
  }
}

export async function removeBlock(db: D1Database, id: number): Promise<boolean> {
  return (
    (await db.prepare('DELETE FROM blocked_numbers WHERE id = ?').bind(id).run()).meta.changes === 1
  );
}
