/** Whole seconds of talk time, rounded up, from answer to end. */
export function callDurationSeconds(answeredAt: string, endedAt: string): number {
  const ms = Date.parse(endedAt) - Date.parse(answeredAt);
  return ms > 0 ? Math.ceil(ms / 1000) : 0;
}

/** Minutes billed: every started minute counts, as Zendesk bills Talk legs. */
export function billedMinutes(durationSeconds: number): number {
  return Math.ceil(durationSeconds / 60);
}

/**
 * Cost in micro-dollars at the line's price per started minute.
 * @example callCostMicros(61, 10_000) // 20_000, i.e. $0.02
 */
export function callCostMicros(durationSeconds: number, pricePerMinuteMicros: number): number {
  return billedMinutes(durationSeconds) * pricePerMinuteMicros;
}

/** Micro-dollars as a dollar string with at least two decimals: 20000 → "0.02", 8500 → "0.0085". */
export function formatUsd(micros: number): string {
  const whole = Math.floor(micros / 1_000_000);
  const frac = String(micros % 1_000_000)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return `${whole}.${frac.padEnd(2, '0')}`;
}
