import { describe, expect, it } from 'vitest';
import { daysInRange, isTimeZone, localDays, localMidnight, localTime } from './time-zone';

const hours = (d: { start: number; end: number }) => (d.end - d.start) / 3_600_000;

describe('local days in a time zone', () => {
  it('knows IANA zones and refuses the rest', () => {
    expect(isTimeZone('America/New_York')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
  });

  it('gives DST days 23 and 25 hours, the others 24', () => {
    const [spring] = localDays('2026-03-08', '2026-03-08', 'America/New_York');
    const [fall, after] = localDays('2026-11-01', '2026-11-02', 'America/New_York');
    expect(hours(spring!)).toBe(23);
    expect(new Date(fall!.start).toISOString()).toBe('2026-11-01T04:00:00.000Z');
    expect(hours(fall!)).toBe(25);
    expect(hours(after!)).toBe(24);
    expect(localDays('2026-11-01', '2026-11-01', 'UTC')[0]!.start).toBe(
      Date.parse('2026-11-01T00:00:00Z'),
    );
  });

  it('reads half-hour zones and weekdays (0 = Monday)', () => {
    expect(new Date(localMidnight('2026-11-02', 'Asia/Kolkata')).toISOString()).toBe(
      '2026-11-01T18:30:00.000Z',
    );
    expect(localTime(Date.parse('2026-11-02T15:08:00Z'), 'America/New_York')).toMatchObject({
      day: '2026-11-02',
      hour: 10,
      weekday: 0,
    });
  });

  it('counts the days of a range, both ends included', () => {
    expect(daysInRange('2026-11-01', '2026-11-01')).toBe(1);
    expect(daysInRange('2026-01-01', '2026-04-02')).toBe(92);
  });
});
