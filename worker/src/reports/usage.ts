import { formatUsd } from '../calls/cost';

export interface UsageRow {
  line: string;
  day: string;
  calls: number;
  answered: number;
  rejected: number;
  minutes: number;
  cost_micros: number;
  cost_usd: string;
}

/**
 * Calls, billed minutes and cost per line and UTC day, over [from, to] inclusive (YYYY-MM-DD).
 * @example await usageByLineAndDay(db, { from: '2026-11-01', to: '2026-11-30' })
 */
export async function usageByLineAndDay(
  db: D1Database,
  range: { from: string; to: string; line?: string },
): Promise<UsageRow[]> {
  const rows = await db
    .prepare(
      `SELECT line_slug AS line, substr(received_at, 1, 10) AS day, COUNT(*) AS calls,
         SUM(answered_at IS NOT NULL) AS answered, SUM(decision = 'reject') AS rejected,
         COALESCE(SUM((duration_s + 59) / 60), 0) AS minutes, COALESCE(SUM(cost_micros), 0) AS cost_micros
       FROM calls
       WHERE received_at >= ? AND received_at < ? AND (? IS NULL OR line_slug = ?)
       GROUP BY line_slug, day ORDER BY day, line_slug`,
    )
    .bind(range.from, nextDay(range.to), range.line ?? null, range.line ?? null)
    .all<Omit<UsageRow, 'cost_usd'>>();
  return rows.results.map((r) => ({ ...r, cost_usd: formatUsd(r.cost_micros) }));
}

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
