import { describe, expect, it } from 'vitest';
import {
  callerFilter,
  callLogStatement,
  decodeCursor,
  encodeCursor,
  InvalidCallLogCursorError,
} from './call-log';

describe('callerFilter', () => {
  it('reads what people type as the Worker reads a caller, in each line’s country', () => {
    expect(callerFilter('(415) 555-0100', ['US'])).toEqual({ e164: ['+14155550100'] });
    expect(callerFilter(' +1 415.555.0100 ', ['FR'])).toEqual({ e164: ['+14155550100'] });
    expect(callerFilter('06 12 34 56 78', ['FR'])).toEqual({ e164: ['+33612345678'] });
    // A national number with lines in two countries: each reading the Worker would store.
    expect(callerFilter('020 7946 0000', ['GB', 'NL'])).toEqual({
      e164: ['+312079460000', '+442079460000'],
    });
  });

  it('finds withheld callers by the words carriers send, and nothing for a non-number', () => {
    expect(callerFilter('anonymous', ['US'])).toEqual({ withheld: true });
    expect(callerFilter('Restricted', ['US'])).toEqual({ withheld: true });
    expect(callerFilter('call me', ['US'])).toBeNull();
    expect(callerFilter('12', ['US'])).toBeNull();
  });

  it('reads international numbers with no line at all', () => {
    expect(callerFilter('+33 6 12 34 56 78', [])).toEqual({ e164: ['+33612345678'] });
  });
});

describe('the cursor', () => {
  it('round-trips a position and refuses anything else', () => {
    const at = { receivedAt: '2026-11-01T12:00:00.000Z', id: 42 };
    const text = encodeCursor(at);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text)).toEqual(at);
    for (const bad of ['', 'not json', btoa('[1,2]'), btoa('["2026-11-01",-1]'), btoa('{}')]) {
      expect(() => decodeCursor(bad), bad).toThrow(InvalidCallLogCursorError);
    }
  });
});

describe('callLogStatement', () => {
  it('binds every value and turns local days into UTC bounds', () => {
    const { sql, values } = callLogStatement({
      ticketId: 1001,
      from: '2026-11-01',
      to: '2026-11-01',
      timeZone: 'America/New_York',
      limit: 10,
    });
    expect(sql).not.toContain('1001');
    // 2026-11-01 in New York runs 25 hours, 04:00Z to 05:00Z the next day.
    expect(values).toEqual([1001, '2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z', 11]);
  });
});
