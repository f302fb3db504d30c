import { describe, expect, it } from 'vitest';
import { callerAuthEntries, renderCallerAuthTable } from './caller-auth-table';

const ha1 = '0123456789abcdef0123456789abcdef';
const sha256 = 'f'.repeat(64);

describe('caller auth table', () => {
  it('flattens every part of a line’s auth into keys route[CALLER_AUTH] reads', () => {
    const entries = callerAuthEntries([
      {
        slug: 'demo',
        auth: {
          ip: true,
          digest: { realm: 'edge.example.com', users: [{ username: 'carrier1', ha1 }] },
          token: { header: 'X-Line-Token', sha256 },
          tech_prefix: '0042',
          p_charge_info: { numbers: ['14155550100', '14155550100', '33612345678'] },
        },
      },
      { slug: 'plain' },
      { slug: 'iponly', auth: { ip: true } },
    ]);
    expect(entries).toEqual([
      ['demo/realm', 'edge.example.com'],
      ['demo/ha1/carrier1', ha1],
      ['demo/token_header', 'X-Line-Token'],
      ['demo/token_sha256', sha256],
      ['demo/prefix', '0042'],
      ['demo/pci', '1'],
      ['demo/pci/14155550100', '1'],
      ['demo/pci/33612345678', '1'],
    ]);
    expect(renderCallerAuthTable(entries).split('\n')).toEqual([
      'key_name(str) key_type(int) value_type(int) key_value(str)',
      `demo/ha1/carrier1:0:0:${ha1}`,
      'demo/pci:0:0:1',
      'demo/pci/14155550100:0:0:1',
      'demo/pci/33612345678:0:0:1',
      'demo/prefix:0:0:0042',
      'demo/realm:0:0:edge.example.com',
      'demo/token_header:0:0:X-Line-Token',
      `demo/token_sha256:0:0:${sha256}`,
      '',
    ]);
  });

  it('refuses what Kamailio could misread, naming the field but not the value', () => {
    const bad = (auth: unknown) => () => callerAuthEntries([{ slug: 'demo', auth: auth as never }]);
    expect(bad({ ip: true, tech_prefix: '12:4' })).toThrow(
      'line demo: auth tech_prefix is not 4 digits',
    );
    expect(bad({ ip: true, token: { header: 'X-Bridge-Token', sha256 } })).toThrow(
      'auth token.header is not an X- header of the caller’s',
    );
    expect(
      bad({ ip: true, digest: { realm: 'a:b', users: [{ username: 'carrier1', ha1 }] } }),
    ).toThrow('auth digest.realm is invalid');
    expect(
      bad({
        ip: true,
        digest: { realm: 'r', users: [{ username: 'carrier1', ha1: 'pass:word' }] },
      }),
    ).toThrow(/^line demo: auth digest\.users\[0\]\.ha1 is not 32 lower-case hex digits$/);
    expect(bad({ ip: false })).toThrow('auth ip false needs a credential that names the line');
    expect(bad({ ip: false, tech_prefix: '1234' })).toThrow('auth ip false needs a credential');
    expect(bad({ ip: 'false' })).toThrow('auth ip is not true or false');
    expect(bad({ ip: true, p_charge_info: { numbers: ['+14155550100'] } })).toThrow(
      'auth p_charge_info.numbers[0] is not E.164 digits',
    );
  });

  it('names each line without an ACL by its digest users and tech prefix, with its group', () => {
    const token = { header: 'X-Line-Token', sha256 };
    const entries = callerAuthEntries(
      [
        {
          slug: 'carrier-a',
          auth: {
            ip: false,
            digest: { realm: 'edge.test', users: [{ username: 'carrier1', ha1 }] },
          },
        },
        {
          slug: 'carrier-b',
          auth: {
            ip: false,
            digest: { realm: 'edge.test', users: [{ username: 'carrier2', ha1 }] },
            tech_prefix: '0042',
          },
        },
        { slug: 'prefixed', auth: { ip: false, tech_prefix: '7777', token } },
        // Found by its ACL only: never under _any, whatever it shares with the others.
        {
          slug: 'acl-line',
          auth: { ip: true, digest: { realm: 'r', users: [{ username: 'carrier1', ha1 }] } },
        },
      ],
      { 'carrier-a': 3, 'carrier-b': 4, prefixed: 9, 'acl-line': 1 },
    );
    expect(entries.filter(([k]) => k.startsWith('_any/') || k.endsWith('/group'))).toEqual([
      ['carrier-a/group', '3'],
      ['_any/realm', 'edge.test'],
      ['_any/user/carrier1', 'carrier-a'],
      ['carrier-b/group', '4'],
      ['_any/user/carrier2', 'carrier-b'],
      ['_any/prefix/0042', 'carrier-b'],
      ['prefixed/group', '9'],
      ['_any/prefix/7777', 'prefixed'],
    ]);
    expect(entries).toContainEqual(['acl-line/ha1/carrier1', ha1]);
    expect(renderCallerAuthTable(entries)).toContain('\n_any/user/carrier1:0:0:carrier-a\n');
  });

  it('refuses credentials two lines without an ACL share, a second realm, or a line without an id', () => {
    const digest = (realm: string, username: string) => ({
      ip: false,
      digest: { realm, users: [{ username, ha1 }] },
    });
    const two = (a: unknown, b: unknown) => () =>
      callerAuthEntries(
        [
          { slug: 'one', auth: a as never },
          { slug: 'two', auth: b as never },
        ],
        { one: 1, two: 2 },
      );
    expect(two(digest('r', 'carrier1'), digest('r', 'carrier1'))).toThrow(
      'line two: auth digest.users[0].username is a user of line one',
    );
    expect(two(digest('r', 'carrier1'), digest('s', 'carrier2'))).toThrow(
      'line two: auth digest.realm differs from the realm of line one',
    );
    const prefixed = { ip: false, tech_prefix: '1234', token: { header: 'X-T', sha256 } };
    expect(two(prefixed, prefixed)).toThrow(
      'line two: auth tech_prefix is the tech prefix of line one',
    );
    expect(() =>
      callerAuthEntries([{ slug: 'one', auth: digest('r', 'carrier1') as never }]),
    ).toThrow('line one: auth ip false: the line has no id');
  });
});
