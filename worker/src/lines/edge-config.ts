import type { EdgeLineAuth } from '@sip-bridge/contract/caller-auth';
import type { EdgeConfig } from '@sip-bridge/contract/edge';
import type { CountryCode } from 'libphonenumber-js';
import { edgeBlockKeys } from './edge-blocklist';
import { isDefaultLineAuth } from './auth';
import { listLines, storedLineAuths } from './store';
import { storedRoutingRules } from './routing-rules-store';
import type { RoutingRules } from '../schemas/routing-rules';

const authFor = (auth: EdgeLineAuth | undefined) =>
  auth && !isDefaultLineAuth(auth) ? { auth } : {};

const rulesFor = (rules: RoutingRules | undefined) =>
  rules?.rules.length
    ? { rules: rules.rules.map((r) => ({ id: r.id, sip_targets: r.sip_targets })) }
    : {};

/** The first 16 bytes of the SHA-256 of `text`, in hex. */
async function digestOf(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest).slice(0, 16)]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
}

/**
 * The edge config document, a strong ETag over its exact bytes, and a digest of each enabled
 * line's entry (slug -> digest), which says whether an edge's config holds the line as it is now.
 */
export async function buildEdgeConfig(
  db: D1Database,
): Promise<{ body: string; etag: string; lineDigests: Record<string, string> }> {
  const [all, auths, rules, blocks] = await Promise.all([
    listLines(db),
    storedLineAuths(db),
    storedRoutingRules(db),
    db
      .prepare(
        `SELECT b.e164, l.slug FROM blocked_numbers b LEFT JOIN lines l ON l.id = b.line_id
         ORDER BY b.e164`,
      )
      .all<{ e164: string; slug: string | null }>(),
  ]);
  const lines = all.filter((l) => l.enabled);
  const config: EdgeConfig = {
    lines: lines.map((l) => ({
      slug: l.slug,
      sip_targets: l.sip_targets,
      max_cps: l.max_cps,
      routing: l.routing,
      acl: l.acl.map(({ cidr, label }) => ({ cidr, label })),
      blocked: [
        ...new Set(
          blocks.results
            .filter((b) => b.slug === null || b.slug === l.slug)
            .flatMap((b) => edgeBlockKeys(b.e164, l.default_country as CountryCode)),
        ),
      ],
      // Only lines that ask for more than their ACL carry `auth`: the others' documents (and
      // ETags) stay as they were.
      ...authFor(auths.get(l.slug)),
      // Only secure lines carry `media`: an rtp line's document (and ETag) stays as it was.
      ...(l.media === 'secure' ? { media: 'secure' as const } : {}),
      // Only lines with routing rules carry `rules`: the others' documents stay as they were.
      ...rulesFor(rules.get(l.slug)),
    })),
  };
  const body = JSON.stringify(config);
  const lineDigests: Record<string, string> = {};
  for (const line of config.lines) lineDigests[line.slug] = await digestOf(JSON.stringify(line));
  return { body, etag: `"${await digestOf(body)}"`, lineDigests };
}
