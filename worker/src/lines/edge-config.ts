import { listLines } from './store';

/** What the edge agent polls: every enabled line's targets, CPS limit and ACL. */
export interface EdgeConfig {
  lines: {
    slug: string;
    sip_targets: string[];
    max_cps: number;
    acl: { cidr: string; label: string }[];
  }[];
}

/** The edge config document and a strong ETag over its exact bytes. */
export async function buildEdgeConfig(db: D1Database): Promise<{ body: string; etag: string }> {
  const lines = (await listLines(db)).filter((l) => l.enabled);
  const config: EdgeConfig = {
    lines: lines.map((l) => ({
      slug: l.slug,
      sip_targets: l.sip_targets,
      max_cps: l.max_cps,
      acl: l.acl.map(({ cidr, label }) => ({ cidr, label })),
    })),
  };
  const body = JSON.stringify(config);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body));
  const hex = [...new Uint8Array(digest).slice(0, 16)]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
  return { body, etag: `"${hex}"` };
}
