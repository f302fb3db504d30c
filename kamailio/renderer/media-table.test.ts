import { describe, expect, it } from 'vitest';
import { mergeMediaTable, parseMediaTable, renderMediaTable } from './media-table';

const HEADER = 'key_name(str) key_type(int) value_type(int) key_value(str)';

describe('linemedia table', () => {
  it('writes one row per line, rtp when the line says nothing', () => {
    expect(renderMediaTable([{ slug: 'zeta', media: 'secure' }, { slug: 'alpha' }])).toBe(
      `${HEADER}\nalpha:0:0:rtp\nzeta:0:0:secure\n`,
    );
  });

  it('refuses a value that is not rtp or secure, naming the line only', () => {
    expect(() => renderMediaTable([{ slug: 'demo', media: 'srtp' as never }])).toThrow(
      'line demo: media is not rtp or secure',
    );
    expect(() => renderMediaTable([{ slug: 'Bad Slug' }])).toThrow('not a line slug');
  });

  it('reads only well-formed rows back', () => {
    expect(parseMediaTable(`${HEADER}\ndemo:0:0:secure\nbad:0:0:srtp\nx\nother:0:0:rtp\n`)).toEqual(
      [
        { slug: 'demo', media: 'secure' },
        { slug: 'other', media: 'rtp' },
      ],
    );
  });

  it('merges a render into the table it finds: kept rows stay, secure stays secure', () => {
    const kept = `${HEADER}\nagentline:0:0:secure\ndemo:0:0:secure\nplain:0:0:rtp\n`;
    expect(
      mergeMediaTable(kept, [
        { slug: 'demo', media: 'rtp' },
        { slug: 'plain', media: 'secure' },
        { slug: 'new' },
      ]),
    ).toBe(`${HEADER}\nagentline:0:0:secure\ndemo:0:0:secure\nnew:0:0:rtp\nplain:0:0:secure\n`);
  });
});
