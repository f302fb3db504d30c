import { describe, expect, it } from 'vitest';
import { mapContext, readUserToUser } from './context-headers';

const hex = (text: string) => Buffer.from(text, 'utf8').toString('hex');

describe('readUserToUser (RFC 7433)', () => {
  it('decodes hex data, dropping an ISDN protocol discriminator byte', () => {
    expect(readUserToUser(`${hex('case=4411')};encoding=hex`)).toEqual({
      ok: true,
      text: 'case=4411',
    });
    expect(readUserToUser(`04${hex('case=4411')};encoding=HEX;purpose=isdn-uui`)).toEqual({
      ok: true,
      text: 'case=4411',
    });
    expect(readUserToUser(`${hex('Zoë')};encoding=hex`)).toEqual({ ok: true, text: 'Zoë' });
  });

  it('takes data without an encoding parameter as it is, unquoting a quoted string', () => {
    expect(readUserToUser('case4411;purpose=isdn-uui')).toEqual({ ok: true, text: 'case4411' });
    expect(readUserToUser('"case 4411"')).toEqual({ ok: true, text: 'case 4411' });
  });

  it('refuses odd hex, non-UTF-8 bytes, other encodings and empty data, without the value', () => {
    expect(readUserToUser('abc;encoding=hex')).toMatchObject({ ok: false });
    expect(readUserToUser('c328;encoding=hex')).toEqual({
      ok: false,
      reason: 'hex data is not UTF-8 text',
    });
    expect(readUserToUser('Y2FzZQ==;encoding=base64')).toEqual({
      ok: false,
      reason: 'has an encoding other than hex',
    });
    expect(readUserToUser(';purpose=isdn-uui')).toEqual({ ok: false, reason: 'carries no data' });
    expect(readUserToUser('04;encoding=hex')).toEqual({ ok: false, reason: 'carries no data' });
  });
});

describe('mapContext', () => {
  it('reads only mapped headers, by name in any case, the first of a repeated one', () => {
    const mapped = mapContext(
      [
        { header: 'X-Intent', to: 'tag' },
        { header: 'X-Note', to: 'note' },
      ],
      [
        { name: 'X-NOTE', value: 'first' },
        { name: 'X-Note', value: 'second' },
        { name: 'X-Other', value: 'ignored' },
      ],
    );
    expect(mapped).toEqual({
      items: [{ header: 'X-Note', to: 'note', value: 'first', label: 'X-Note' }],
      refused: [],
    });
  });

  it('makes tags lower case with underscores for spaces, behind the prefix', () => {
    const mapped = mapContext(
      [{ header: 'X-Intent', to: 'tag', tag_prefix: 'ai:' }],
      [{ name: 'X-Intent', value: '  Billing  Dispute ' }],
    );
    expect(mapped.items).toEqual([{ header: 'X-Intent', to: 'tag', value: 'ai:billing_dispute' }]);
  });

  it('refuses a tag with other characters, or longer than 80, and an empty value', () => {
    const mapping = [{ header: 'X-Intent', to: 'tag' as const }];
    for (const value of ['billing!', 'é', 'a'.repeat(81)]) {
      expect(mapContext(mapping, [{ name: 'X-Intent', value }]).refused).toEqual([
        { header: 'X-Intent', reason: expect.stringMatching(/^is not a tag/) },
      ]);
    }
    expect(mapContext(mapping, [{ name: 'X-Intent', value: '  ' }]).refused).toEqual([
      { header: 'X-Intent', reason: 'is empty' },
    ]);
  });

  it('refuses decoded User-to-User text with control characters', () => {
    const mapped = mapContext(
      [{ header: 'User-to-User', to: 'note' }],
      [{ name: 'user-to-user', value: `${hex('a\u0007b')};encoding=hex` }],
    );
    expect(mapped.refused).toEqual([
      { header: 'User-to-User', reason: 'contains control characters' },
    ]);
  });
});
