// Day ranges for the console's forms: YYYY-MM-DD local days, as the Worker's reports take them.

/** A date's calendar day as YYYY-MM-DD, in the browser's own zone. */
export function dayOf(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/**
 * The `days` days ending today (the browser's today; the account's zone is the Worker's to apply).
 * @example lastDays(7, new Date(2026, 10, 30)) // { from: '2026-11-24', to: '2026-11-30' }
 */
export function lastDays(days: number, today: Date = new Date()): { from: string; to: string } {
  const start = new Date(today.getFullYear(), today.getMonth(), today.getDate() - (days - 1));
  return { from: dayOf(start), to: dayOf(today) };
}
