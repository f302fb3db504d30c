import { describe, expect, it } from 'vitest';
import {
  callerAuthProblem,
  credentialConflicts,
  identifiesLine,
  type EdgeLineAuth,
} from './caller-auth';

const ha1 = 'a'.repeat(32);
const token = { header: 'X-Line-Token', sha256: 'b'.repeat(64) };
const digest = (realm: string, ...usernames: string[]) => ({
  realm,
  users: usernames.map((username) => ({ username, ha1 })),
});

describe('lines without an IP allowlist', () => {
  it('are named by digest users, or a tech prefix with a token, and nothing else', () => {
    expect(identifiesLine({ digest: digest('r', 'carrier1') })).toBe(true);
    expect(identifiesLine({ tech_prefix: '1234', token })).toBe(true);
    expect(identifiesLine({ tech_prefix: '1234' })).toBe(false);
    expect(identifiesLine({ token })).toBe(false);
    expect(callerAuthProblem({ ip: false, tech_prefix: '1234', token })).toBeNull();
    expect(callerAuthProblem({ ip: false, token })).toMatch(/^ip false needs a credential/);
    expect(callerAuthProblem({ ip: 0 })).toBe('ip is not true or false');
  });

  it('may not share a username or a prefix, nor use two realms; ip true lines never count', () => {
    const lines: { slug: string; auth: EdgeLineAuth }[] = [
      { slug: 'a', auth: { ip: false, digest: digest('r', 'carrier1', 'carrier2') } },
      { slug: 'fenced', auth: { ip: true, digest: digest('x', 'carrier1'), tech_prefix: '1234' } },
      { slug: 'b', auth: { ip: false, digest: digest('r', 'carrier3') } },
      { slug: 'p', auth: { ip: false, tech_prefix: '1234', token } },
    ];
    expect(credentialConflicts(lines)).toEqual([]);
    const clash = credentialConflicts([
      ...lines,
      {
        slug: 'c',
        auth: { ip: false, digest: digest('s', 'carrier2'), tech_prefix: '1234', token },
      },
    ]);
    expect(clash.map((c) => [c.slug, c.field, c.with])).toEqual([
      ['c', 'digest.realm', 'a'],
      ['c', 'digest.users[0].username', 'a'],
      ['c', 'tech_prefix', 'p'],
    ]);
    for (const c of clash) expect(c.message).not.toMatch(/carrier2|1234/);
  });
});
