// The db_text table Kamailio loads into its `callerauth` htable: each line's caller
// authentication (docs/caller-auth.md) as flat keys route[CALLER_AUTH] reads. The agent's sync
// rewrites it (caller-auth-sync.ts); a render writes it only when it is missing, so a re-render
// never drops what the agent synced (a line needing a token would then admit callers without one).
import { callerAuthProblem, type EdgeLineAuth } from '@sip-bridge/contract/caller-auth';
import { isSlug } from '@sip-bridge/contract/identifiers';

export const CALLER_AUTH_TABLE = 'callerauth';

/**
 * The keys and string values Kamailio should hold for these lines:
 * `<slug>/realm`, `<slug>/ha1/<username>`, `<slug>/token_header`, `<slug>/token_sha256`,
 * `<slug>/prefix`, `<slug>/pci` and `<slug>/pci/<digits>`. A line with `ip` alone has none.
 * @example callerAuthEntries([{ slug: 'demo', auth: { ip: true, tech_prefix: '1234' } }])
 * // [['demo/prefix', '1234']]
 */
export function callerAuthEntries(
  lines: readonly { slug: string; auth?: EdgeLineAuth | undefined }[],
): [string, string][] {
  return lines.flatMap(({ slug, auth }) => {
    if (!isSlug(slug)) throw new Error('not a line slug');
    if (!auth) return [];
    const problem = callerAuthProblem(auth);
    if (problem) throw new Error(`line ${slug}: auth ${problem}`);
    const entries: [string, string][] = [];
    if (auth.digest) {
      entries.push([`${slug}/realm`, auth.digest.realm]);
      for (const u of auth.digest.users) entries.push([`${slug}/ha1/${u.username}`, u.ha1]);
    }
    if (auth.token) {
      entries.push([`${slug}/token_header`, auth.token.header]);
      entries.push([`${slug}/token_sha256`, auth.token.sha256]);
    }
    if (auth.tech_prefix) entries.push([`${slug}/prefix`, auth.tech_prefix]);
    if (auth.p_charge_info) {
      entries.push([`${slug}/pci`, '1']);
      for (const n of new Set(auth.p_charge_info.numbers)) entries.push([`${slug}/pci/${n}`, '1']);
    }
    return entries;
  });
}

/**
 * The `callerauth` db_text table: one string row per entry. Keys and values are checked above to
 * hold only letters, digits, `.`, `-`, `/` and `_`, so nothing needs db_text's escaping.
 * @example renderCallerAuthTable([['demo/prefix', '1234']]) // header line, then 'demo/prefix:0:0:1234'
 */
export function renderCallerAuthTable(entries: readonly [string, string][]): string {
  const rows = [...entries]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => {
      if (!/^[A-Za-z0-9/_.-]{1,200}$/.test(key) || !/^[A-Za-z0-9._-]{1,128}$/.test(value)) {
        throw new Error('not a caller auth entry');
      }
      return `${key}:0:0:${value}`;
    });
  return ['key_name(str) key_type(int) value_type(int) key_value(str)', ...rows, ''].join('\n');
}
