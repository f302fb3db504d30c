// The console's usage calls: /v1/console/usage, usage.csv and usage/heatmap
// (worker/src/routes/usage.ts), through Zendesk's proxy like every console request.
import { consoleRequest, consoleText, type ConsoleTarget } from './consoleApi';

export interface UsageCounts {
  calls: number;
  answered: number;
  answered_rate: number | null;
  rejected: number;
  minutes: number;
  cost_micros: number;
  cost_usd: string;
}

export interface UsageRow extends UsageCounts {
  line: string;
  line_name: string;
  day: string;
}

export interface UsageReport {
  from: string;
  to: string;
  time_zone: string;
  usage: UsageRow[];
  totals: UsageCounts;
}

export interface HeatmapCell {
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
  hour: number;
  calls: number;
  peak_concurrent: number;
}

export interface Heatmap {
  from: string;
  to: string;
  time_zone: string;
  cells: HeatmapCell[];
}

/** Local days, YYYY-MM-DD, `to` included. */
export interface DayRange {
  from: string;
  to: string;
}

const query = (range: DayRange) =>
  `?${new URLSearchParams({ from: range.from, to: range.to }).toString()}`;

export async function fetchUsage(target: ConsoleTarget, range: DayRange): Promise<UsageReport> {
  return (await consoleRequest(
    target,
    `/v1/console/usage${query(range)}`,
  )) as unknown as UsageReport;
}

export async function fetchHeatmap(target: ConsoleTarget, range: DayRange): Promise<Heatmap> {
  return (await consoleRequest(
    target,
    `/v1/console/usage/heatmap${query(range)}`,
  )) as unknown as Heatmap;
}

/** The report as the Worker's CSV (RFC 4180), to be saved by the browser. */
export function fetchUsageCsv(target: ConsoleTarget, range: DayRange): Promise<string> {
  return consoleText(target, `/v1/console/usage.csv${query(range)}`);
}
