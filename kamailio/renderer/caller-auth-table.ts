// The db_text table Kamailio loads into its `callerauth` htable: each line's caller
// authentication (docs/caller-auth.md) as flat keys route[CALLER_AUTH] reads. The agent's sync
// rewrites it (caller-auth-sync.ts); a render writes it only when it is missing, so a re-render
// never drops what the agent synced (a line needing a token would then admit callers without one).
import {
  callerAuthProblem,
  credentialConflicts,
  type EdgeLineAuth,
} from '@sip-bridge/contract/caller-auth';
import { isSlug } from '@sip-bridge/contract/identifiers';

export const CALLER_AUTH_TABLE = 'callerauth';

/** Keys of the lines found by their credential, under a name no slug can have (`_`). */
export const CREDENTIAL_LINES_PREFIX = '_any';

/**
 * The keys and string values Kamailio should hold for these lines:
 * `<slug>/realm`, `<slug>/ha1/<username>`, `<slug>/token_header`, `<slug>/token_sha256`,
 * `<slug>/prefix`, `<slug>/pci` and `<slug>/pci/<digits>`. A line with `ip` alone has none.
 * A line with `ip: false` also gets `<slug>/group` (its permissions group and dispatcher set,
 * from `groups`) and is named by its credentials: `_any/user/<username>` and
 * `_any/prefix/<digits>` hold its slug, `_any/realm` the realm those lines share. Two such lines
 * sharing a username or a prefix, or with two realms, are refused (credentialConflicts).
 * @example callerAuthEntries([{ slug: 'demo', auth: { ip: true, tech_prefix: '1234' } }])
 * // [['demo/prefix', '1234']]
 */
export function callerAuthEntries(
  lines: readonly { slug: string; auth?: EdgeLineAuth | undefined }[],
  groups: Readonly<Record<string, number>> = {},
): [string, string][] {
  const conflict = credentialConflicts(lines)[0];
  if (conflict) {
    throw new Error(`line ${conflict.slug}: auth ${conflict.field} ${conflict.message}`);
  }
  return lines
    .flatMap(({ slug, auth }) => {
      if (!isSlug(slug)) throw new Error('not a line slug');
      if (!auth) return [];
      const problem = callerAuthProblem(auth);
      if (problem) throw new Error(`line ${slug}: auth ${problem}`);
      const entries: [string, string][] = [];
      if (auth.ip === false) {
        const group = groups[slug];
        if (group === undefined) throw new Error(`line ${slug}: auth ip false: the line has no id`);
        entries.push([`${slug}/group`, String(group)]);
        const any = CREDENTIAL_LINES_PREFIX;
        if (auth.digest) {
          entries.push([`${any}/realm`, auth.digest.realm]);
          for (const u of auth.digest.users) entries.push([`${any}/user/${u.username}`, slug]);
        }
        if (auth.tech_prefix !== undefined)
          entries.push([`${any}/prefix/${auth.tech_prefix}`, slug]);
      }
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
        for (const n of new Set(auth.p_charge_info.numbers))
          entries.push([`${slug}/pci/${n}`, '1']);
      }
      return entries;
    })
    .filter(
      // The shared realm once, however many lines share it.
      ([key], i, all) =>
        key !== `${CREDENTIAL_LINES_PREFIX}/realm` || all.findIndex(([k]) => k === key) === i,
    );
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
