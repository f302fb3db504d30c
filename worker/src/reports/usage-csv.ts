// The usage report as CSV (RFC 4180): a header row, one row per line and local day.
import type { UsageReport } from './usage';

const COLUMNS = [
  'day',
  'line',
  'line_name',
  'calls',
  'answered',
  'answered_rate',
  'rejected',
  'minutes',
  'cost_micros',
  'cost_usd',
] as const;

/** A field quoted when it holds a comma, quote or line break; quotes doubled (RFC 4180). */
export function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * CRLF-separated CSV of the report's rows, header first.
 * @example usageCsv(report).split('\r\n')[0] // 'day,line,line_name,calls,…'
 */
export function usageCsv(report: UsageReport): string {
  const lines = [COLUMNS.join(',')];
  for (const row of report.usage) lines.push(COLUMNS.map((k) => csvField(row[k])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** The download's file name: the range and zone, e.g. usage-2026-11-01-2026-11-30-America_New_York.csv. */
export function usageCsvFilename(report: UsageReport): string {
  return `usage-${report.from}-${report.to}-${report.time_zone.replace(/[^A-Za-z0-9-]/g, '_')}.csv`;
}
