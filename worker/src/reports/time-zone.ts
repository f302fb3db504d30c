// Local days and hours in an IANA time zone, as UTC instants: DST days are 23 or 25 hours long.

/** True if Intl knows the IANA zone name (e.g. "America/New_York"). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** The wall clock in `timeZone` at instant `ms`: its day, hour, minute and weekday (0 = Monday). */
export function localTime(
  ms: number,
  timeZone: string,
): { day: string; hour: number; minute: number; weekday: number; offsetMs: number } {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  const day = `${parts.year}-${parts.month}-${parts.day}`;
  const wall = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return {
    day,
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS.indexOf(parts.weekday ?? ''),
    offsetMs: wall - Math.floor(ms / 1000) * 1000,
  };
}

/**
 * The UTC instant (ms) of local midnight starting `day` (YYYY-MM-DD) in `timeZone`.
 * @example localMidnight('2026-11-01', 'America/New_York') // 2026-11-01T04:00:00Z
 */
export function localMidnight(day: string, timeZone: string): number {
  const wall = Date.parse(`${day}T00:00:00Z`);
  // Twice: the offset at the guess may differ from the offset at the answer across a change.
  let ms = wall - localTime(wall, timeZone).offsetMs;
  ms = wall - localTime(ms, timeZone).offsetMs;
  return ms;
}

/** The day after `day` (YYYY-MM-DD), on the calendar. */
export function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** Each local day from `from` to `to` inclusive, with its UTC bounds [start, end) in ms. */
export function localDays(
  from: string,
  to: string,
  timeZone: string,
): { day: string; start: number; end: number }[] {
  const days = [];
  for (let day = from; day <= to; day = nextDay(day)) {
    days.push({
      day,
      start: localMidnight(day, timeZone),
      end: localMidnight(nextDay(day), timeZone),
    });
  }
  return days;
}

/** Whole days from `from` to `to` (YYYY-MM-DD), `to` included: 1 for the same day. */
export function daysInRange(from: string, to: string): number {
  return (
    Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1
  );
}

/** The zone reports use when the request names none: ACCOUNT_TIME_ZONE if valid, else UTC. */
export function accountTimeZone(env: { ACCOUNT_TIME_ZONE?: string }): string {
  const zone = env.ACCOUNT_TIME_ZONE;
  if (zone === undefined || zone === '') return 'UTC';
  if (isTimeZone(zone)) return zone;
  console.error('ACCOUNT_TIME_ZONE is not an IANA time zone; reports use UTC until it is fixed');
  return 'UTC';
}
