import { describe, expect, it } from 'vitest';
import { formatDuration, formatFields, formatTable } from './table';

describe('table layout', () => {
  it('aligns columns, right-aligns numbers and leaves no trailing spaces', () => {
    expect(
      formatTable(
        ['LINE', 'CALLS', 'STATES'],
        [
          ['demo', 12, 'confirmed 12'],
          ['support-eu', 3, ''],
        ],
      ),
    ).toEqual([
      'LINE        CALLS  STATES',
      'demo           12  confirmed 12',
      'support-eu      3',
    ]);
  });

  it('prints only the header when there are no rows', () => {
    expect(formatTable(['CALL-ID', 'LINE'], [])).toEqual(['CALL-ID  LINE']);
  });

  it('keeps a column with text and numbers left-aligned', () => {
    expect(formatTable(['GROUP'], [[1], ['-']])).toEqual(['GROUP', '1', '-']);
  });

  it('aligns the values of label/value pairs', () => {
    expect(
      formatFields([
        ['Kamailio', 'kamailio 5.6.3'],
        ['ACL sync', ''],
      ]),
    ).toEqual(['Kamailio  kamailio 5.6.3', 'ACL sync']);
  });

  it('shows durations as an operator reads them', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(59.9)).toBe('59s');
    expect(formatDuration(65)).toBe('1m 05s');
    expect(formatDuration(3725)).toBe('1h 02m 05s');
    expect(formatDuration(2 * 86_400 + 3 * 3600 + 4 * 60)).toBe('2d 3h 04m');
    expect(formatDuration(-5)).toBe('0s');
  });
});
