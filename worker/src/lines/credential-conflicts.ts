// Lines without an IP allowlist (auth.ip false) are found at the edge by their caller's
// credential, so it must name one line (docs/caller-auth.md). The admin API checks a line's new
// auth against every other line here, with field paths; migration 0021's triggers hold the same
// rule in D1 for writes that race.
import { credentialConflicts, type EdgeLineAuth } from '@sip-bridge/contract/caller-auth';
import { storedLineAuths } from './store';

/**
 * The issues (`auth.digest.users[0].username`, `auth.tech_prefix`, `auth.digest.realm`) that
 * stop `slug` from taking `auth`, or none. Messages name the other line, never a credential.
 * @example await credentialConflictIssues(db, 'carrier-b', auth) // [] when it may
 */
export async function credentialConflictIssues(
  db: D1Database,
  slug: string,
  auth: EdgeLineAuth,
): Promise<{ path: string; message: string }[]> {
  if (auth.ip !== false) return [];
  const others = [...(await storedLineAuths(db))]
    .filter(([other]) => other !== slug)
    .map(([other, stored]) => ({ slug: other, auth: stored }));
  return credentialConflicts([...others, { slug, auth }])
    .filter((c) => c.slug === slug)
    .map((c) => ({ path: `auth.${c.field}`, message: c.message }));
}
