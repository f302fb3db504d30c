// Usage per line and local day (calls, answered rate, billed minutes, cost), one implementation
// for the console (/v1/console/usage) and the admin token (/v1/reports/usage).
import { formatUsd } from '../calls/cost';
import { localDays } from './time-zone';

export interface UsageRow {
  line: string;
  line_name: string;
  day: string;
  calls: number;
  answered: number;
  answered_rate: number | null;
  rejected: number;
  minutes: number;
  cost_micros: number;
  cost_usd: string;
}

export type UsageTotals = Omit<UsageRow, 'line' | 'line_name' | 'day'>;

export interface UsageQuery {
  from: string;
  to: string;
  timeZone: string;
  line?: string;
}

export interface UsageReport {
  from: string;
  to: string;
  time_zone: string;
  usage: UsageRow[];
  totals: UsageTotals;
}

/** answered / calls to 4 decimals; null with no calls. */
export function answeredRate(answered: number, calls: number): number | null {
  return calls === 0 ? null : Math.round((answered / calls) * 10_000) / 10_000;
}

/** Calls grouped by local day (?1: JSON [[day, start, end], …]) and line (?2: a slug or null). */
export const USAGE_BY_DAY_SQL = `WITH days AS (
         SELECT json_extract(value, '$[0]') AS day, json_extract(value, '$[1]') AS start,
           json_extract(value, '$[2]') AS "end" FROM json_each(?1)
       )
       SELECT c.line_slug AS line, COALESCE(MAX(l.name), c.line_slug) AS line_name, days.day AS day,
         COUNT(*) AS calls, SUM(c.answered_at IS NOT NULL) AS answered,
         SUM(c.decision = 'reject') AS rejected,
         COALESCE(SUM((c.duration_s + 59) / 60), 0) AS minutes,
         COALESCE(SUM(c.cost_micros), 0) AS cost_micros
       FROM days
       JOIN calls c ON c.received_at >= days.start AND c.received_at < days."end"
       LEFT JOIN lines l ON l.id = c.line_id
       WHERE ?2 IS NULL OR c.line_slug = ?2
       GROUP BY days.day, c.line_slug ORDER BY days.day, c.line_slug`;

/**
 * Calls, billed minutes (each call's started minutes, as Zendesk bills a leg) and cost per line
 * and local day of `timeZone`, over [from, to] inclusive (YYYY-MM-DD). D1 groups the calls: each
 * local day is a [start, end) range of received_at in UTC, so a DST day is 23 or 25 hours.
 * @example await usageReport(db, { from: '2026-11-01', to: '2026-11-30', timeZone: 'America/New_York' })
 */
export async function usageReport(db: D1Database, q: UsageQuery): Promise<UsageReport> {
  const days = localDays(q.from, q.to, q.timeZone).map((d) => [
    d.day,
    new Date(d.start).toISOString(),
    new Date(d.end).toISOString(),
  ]);
  const rows = await db
    .prepare(USAGE_BY_DAY_SQL)
    .bind(JSON.stringify(days), q.line ?? null)
    .all<Omit<UsageRow, 'cost_usd' | 'answered_rate'>>();
  const usage = rows.results.map((r) => ({
    ...r,
    answered_rate: answeredRate(r.answered, r.calls),
    cost_usd: formatUsd(r.cost_micros),
  }));
  const sum = (key: 'calls' | 'answered' | 'rejected' | 'minutes' | 'cost_micros') =>
    usage.reduce((n, r) => n + r[key], 0);
  const totals = {
    calls: sum('calls'),
    answered: sum('answered'),
    answered_rate: answeredRate(sum('answered'), sum('calls')),
    rejected: sum('rejected'),
    minutes: sum('minutes'),
    cost_micros: sum('cost_micros'),
    cost_usd: formatUsd(sum('cost_micros')),
  };
  return { from: q.from, to: q.to, time_zone: q.timeZone, usage, totals };
}
