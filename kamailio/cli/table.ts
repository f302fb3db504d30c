// Plain-text layout for the human-readable output: aligned columns, no colours, no box drawing,
// so the output stays readable in a terminal, a log and a ticket alike.

type Cell = string | number;

/**
 * Columns padded to their widest cell, two spaces apart; numbers right-aligned, text left-aligned.
 * No trailing spaces.
 * @example formatTable(['LINE', 'CALLS'], [['demo', 1]])
 * // ['LINE  CALLS', 'demo      1']
 */
export function formatTable(headers: string[], rows: Cell[][]): string[] {
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)),
  );
  const numeric = headers.map(
    (_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'),
  );
  const line = (cells: Cell[]) =>
    cells
      .map((c, i) => {
        const text = String(c ?? '');
        return numeric[i] ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
      })
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/**
 * `label  value` pairs with the values aligned.
 * @example formatFields([['Kamailio', '5.6.3'], ['Uptime', '3s']])
 * // ['Kamailio  5.6.3', 'Uptime    3s']
 */
export function formatFields(fields: [string, string][]): string[] {
  const width = Math.max(0, ...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${label.padEnd(width)}  ${value}`.trimEnd());
}

/**
 * A duration in whole seconds, as an operator reads it.
 * @example formatDuration(3725) // '1h 02m 05s'
 */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  if (days > 0) return `${days}d ${hours}h ${two(minutes)}m`;
  if (hours > 0) return `${hours}h ${two(minutes)}m ${two(seconds)}s`;
  if (minutes > 0) return `${minutes}m ${two(seconds)}s`;
  return `${seconds}s`;
}
