// When load rises: calls received and the peak of calls in progress, per local weekday and hour.
import { localDays, localMidnight, localTime, nextDay } from './time-zone';
import type { UsageQuery } from './usage';

export interface HeatmapCell {
  weekday: number;
  hour: number;
  calls: number;
  peak_concurrent: number;
}

const QUARTER_MS = 15 * 60_000;
/** Calls received this long before the range are looked at for the level at its start. */
const LONGEST_CALL_MS = 24 * 3_600_000;

interface QuarterRow {
  q: string;
  calls: number;
  net: number;
  max_level: number | null;
}

/** Per UTC quarter hour: calls received, net change of calls in progress, highest level. */
export const HEATMAP_SQL = `WITH spans AS (
         SELECT received_at AS received, MAX(received_at, ?1) AS s,
           MIN(COALESCE(ended_at,
             CASE WHEN status IN ('ringing', 'answered') THEN ?3 ELSE received_at END), ?2) AS e
         FROM calls
         WHERE received_at >= ?4 AND received_at < ?2 AND (?5 IS NULL OR line_slug = ?5)
       ),
       events AS (
         SELECT s AS t, 1 AS d, received >= ?1 AS counted FROM spans WHERE e > s
         UNION ALL SELECT e AS t, -1 AS d, 0 AS counted FROM spans WHERE e > s
         UNION ALL SELECT received AS t, 0 AS d, 1 AS counted FROM spans
           WHERE received >= ?1 AND NOT e > s
       ),
       levels AS (
         SELECT t, d, counted, SUM(d) OVER (ORDER BY t, d ROWS UNBOUNDED PRECEDING) AS level
         FROM events
       )
       SELECT substr(t, 1, 13) || ':' || printf('%02d', (CAST(substr(t, 15, 2) AS INTEGER) / 15) * 15) AS q,
         SUM(counted) AS calls, SUM(d) AS net, MAX(CASE WHEN d = 1 THEN level END) AS max_level
       FROM levels GROUP BY q ORDER BY q`;

/**
 * 7 × 24 cells (weekday 0 = Monday, local hour) over the local days [from, to] of `timeZone`.
 * A call is in progress from received_at to ended_at: it holds a trunk channel while it rings too,
 * as carriers count concurrent calls. D1 sweeps the calls' starts (+1) and ends (−1) in time order
 * (ends first at the same instant, so back-to-back calls do not overlap) and answers, per UTC
 * quarter hour, the calls received, the net change and the highest level reached; the level carried
 * into each quarter is summed here. Every zone's offset is a multiple of 15 minutes, so a quarter
 * lies within one local hour. Calls longer than 24 hours that began before the range are not seen.
 * @example (await usageHeatmap(db, { from: '2026-11-01', to: '2026-11-07', timeZone: 'UTC' })).length // 168
 */
export async function usageHeatmap(
  db: D1Database,
  q: UsageQuery,
  now = Date.now(),
): Promise<HeatmapCell[]> {
  const start = localMidnight(q.from, q.timeZone);
  const end = localMidnight(nextDay(q.to), q.timeZone);
  const iso = (ms: number) => new Date(ms).toISOString();
  const rows = await db
    .prepare(HEATMAP_SQL)
    .bind(
      iso(start),
      iso(end),
      iso(Math.min(now, end)),
      iso(start - LONGEST_CALL_MS),
      q.line ?? null,
    )
    .all<QuarterRow>();
  const byQuarter = new Map(rows.results.map((r) => [Date.parse(`${r.q}:00Z`), r]));
  const cells: HeatmapCell[] = [];
  for (let weekday = 0; weekday < 7; weekday++) {
    for (let hour = 0; hour < 24; hour++)
      cells.push({ weekday, hour, calls: 0, peak_concurrent: 0 });
  }
  let level = 0;
  for (const { t, weekday, hour } of localQuarters(q.from, q.to, q.timeZone)) {
    const cell = cells[weekday * 24 + hour]!;
    const row = byQuarter.get(t);
    cell.peak_concurrent = Math.max(cell.peak_concurrent, level, row?.max_level ?? 0);
    if (row) {
      cell.calls += row.calls;
      level += row.net;
    }
  }
  return cells;
}

/**
 * Every quarter hour of the local days [from, to], with its local weekday and hour. Intl is asked
 * twice a day (its offset at the start and at the end); only a day whose offset changes, a DST
 * day, is read quarter by quarter, so a 92-day range costs a few hundred look-ups, not 8,832.
 */
function* localQuarters(
  from: string,
  to: string,
  timeZone: string,
): Generator<{ t: number; weekday: number; hour: number }> {
  for (const day of localDays(from, to, timeZone)) {
    const offset = localTime(day.start, timeZone).offsetMs;
    const steady = localTime(day.end - 1, timeZone).offsetMs === offset;
    for (let t = day.start; t < day.end; t += QUARTER_MS) {
      if (steady) {
        const wall = new Date(t + offset);
        yield { t, weekday: (wall.getUTCDay() + 6) % 7, hour: wall.getUTCHours() };
      } else {
        yield { t, ...localTime(t, timeZone) };
      }
    }
  }
}
