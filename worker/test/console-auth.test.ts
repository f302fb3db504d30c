// The admin console's API (/v1/console/*): only a Zendesk admin, proven by the app JWT and their
// own Zendesk sign-in, may list and change lines; agents, end-users and forgeries change nothing.
import { env, exports } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ZendeskStandin } from '@sip-bridge/zendesk-standin/app';
import { DEMO_OAUTH_TOKENS } from '@sip-bridge/zendesk-standin/seed';
import { adminFetch, appFetch, appToken, BASE, createTestLine, installStandin } from './harness';

/** The seeded admin (the demo account's API user is a Zendesk admin). */
const ADMIN = DEMO_OAUTH_TOKENS.apiUser;
const AGENT = DEMO_OAUTH_TOKENS.graceHopper;
const END_USER = DEMO_OAUTH_TOKENS.katherineJohnson;

let standin: ZendeskStandin;

beforeEach(async () => {
  standin = installStandin();
  await env.DB.exec('DELETE FROM acl_entries; DELETE FROM lines');
  await createTestLine();
  standin.clearRequests();
});

const newLine = {
  slug: 'paris-office',
  name: 'Paris office',
  sip_targets: ['sip:paris@acme.sip.twilio.com'],
  default_country: 'FR',
  create_ticket: true,
  acl: [{ cidr: '198.51.100.0/24', label: 'Carrier' }],
};
const consoleFetch = (
  path: string,
  agentToken: string | null,
  init: { method?: string; body?: unknown } = {},
) => appFetch(path, undefined, { agentToken, ...init });
const slugsInD1 = async () =>
  (
    await env.DB.prepare('SELECT slug FROM lines ORDER BY slug').all<{ slug: string }>()
  ).results.map((r) => r.slug);
const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;

describe('the console API for Zendesk admins', () => {
  it('lets an admin list lines, create one with an ACL entry, show it and disable it', async () => {
    const listed = await consoleFetch('/v1/console/lines', ADMIN);
    expect(listed.status).toBe(200);
    expect(
      ((await listed.json()) as { lines: { slug: string }[] }).lines.map((l) => l.slug),
    ).toEqual(['ai-agent']);

    const created = await consoleFetch('/v1/console/lines', ADMIN, {
      method: 'POST',
      body: newLine,
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as Record<string, any>;
    expect(body.webhook_secret).toBeUndefined();
    expect(body.line).toMatchObject({
      slug: 'paris-office',
      default_country: 'FR',
      create_ticket: true,
      enabled: true,
      acl: [{ cidr: '198.51.100.0/24', label: 'Carrier' }],
    });

    const disabled = await consoleFetch('/v1/console/lines/paris-office', ADMIN, {
      method: 'PATCH',
      body: { enabled: false, name: 'Paris office (closed)' },
    });
    expect(disabled.status).toBe(200);
    // What the admin API (the scripts' way in) sees is what the console wrote.
    const viaAdmin = (await (await adminFetch('/v1/admin/lines/paris-office')).json()) as any;
    expect(viaAdmin.line).toMatchObject({ enabled: false, name: 'Paris office (closed)' });
    const shown = (await (
      await consoleFetch('/v1/console/lines/paris-office', ADMIN)
    ).json()) as any;
    // The console's line is the admin API's plus its state at the edge (edge-applied.test.ts).
    const { edge, ...line } = shown.line;
    expect(line).toEqual(viaAdmin.line);
    expect(edge).toEqual({ state: 'no_edge' });
  });

  it('lets an admin add and remove a line’s ACL entries, with the admin API’s checks', async () => {
    const added = await consoleFetch('/v1/console/lines/ai-agent/acl', ADMIN, {
      method: 'POST',
      body: { cidr: '203.0.113.0/24', label: 'Second carrier' },
    });
    expect(added.status).toBe(201);
    const acl = ((await added.json()) as any).line.acl as { id: number; cidr: string }[];
    expect(acl.map((e) => e.cidr)).toEqual(['192.0.2.0/24', '203.0.113.0/24']);
    const bad = await consoleFetch('/v1/console/lines/ai-agent/acl', ADMIN, {
      method: 'POST',
      body: { cidr: '203.0.113.9/24' },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).issues.map((i: { path: string }) => i.path)).toEqual([
      'cidr',
    ]);
    const first = acl[0]!.id;
    const removed = await consoleFetch(`/v1/console/lines/ai-agent/acl/${first}`, ADMIN, {
      method: 'DELETE',
    });
    expect(removed.status).toBe(204);
    const line = ((await (await adminFetch('/v1/admin/lines/ai-agent')).json()) as any).line;
    expect(line.acl.map((e: { cidr: string }) => e.cidr)).toEqual(['203.0.113.0/24']);
    // An agent can do neither.
    const byAgent = await consoleFetch(`/v1/console/lines/ai-agent/acl/${acl[1]!.id}`, AGENT, {
      method: 'DELETE',
    });
    expect(byAgent.status).toBe(403);
    expect(
      ((await (await adminFetch('/v1/admin/lines/ai-agent')).json()) as any).line.acl,
    ).toHaveLength(1);
  });

  it('answers a bad CIDR with 400 naming the field, never the value, and writes nothing', async () => {
    const res = await consoleFetch('/v1/console/lines', ADMIN, {
      method: 'POST',
      body: { ...newLine, acl: [{ cidr: '10.0.0.300/24' }] },
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toContain('10.0.0.300');
    const body = JSON.parse(text) as { issues: { path: string }[] };
    expect(body.issues.map((i) => i.path)).toEqual(['acl[0].cidr']);
    expect(await slugsInD1()).toEqual(['ai-agent']);
  });

  it('keeps the admin API’s checks across fields: a secure line needs TLS targets', async () => {
    const res = await consoleFetch('/v1/console/lines', ADMIN, {
      method: 'POST',
      body: { ...newLine, media: 'secure' },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { issues: { path: string }[] };
    expect(body.issues.map((i) => i.path)).toEqual(['sip_targets[0]']);
    expect(await slugsInD1()).toEqual(['ai-agent']);
    const tls = await consoleFetch('/v1/console/lines', ADMIN, {
      method: 'POST',
      body: { ...newLine, media: 'secure', sip_targets: ['sips:paris@acme.sip.twilio.com'] },
    });
    expect(tls.status).toBe(201);
  });

  it('refuses webhook settings, so a signing secret never reaches the browser', async () => {
    const res = await consoleFetch('/v1/console/lines', ADMIN, {
      method: 'POST',
      body: { ...newLine, webhook: { url: 'https://hooks.example.com/sip' } },
    });
    expect(res.status).toBe(400);
    expect(await slugsInD1()).toEqual(['ai-agent']);
  });

  it('keeps the wide-ACL confirmation and slug conflicts of the admin API', async () => {
    const wide = await consoleFetch('/v1/console/lines', ADMIN, {
      method: 'POST',
      body: { ...newLine, acl: [{ cidr: '0.0.0.0/0' }] },
    });
    expect(wide.status).toBe(422);
    expect(await errorOf(wide)).toBe('unconfirmed_wide_acl');
    const twice = await consoleFetch('/v1/console/lines', ADMIN, {
      method: 'POST',
      body: { ...newLine, slug: 'ai-agent' },
    });
    expect(twice.status).toBe(409);
  });

  it('refuses an agent and an end-user with 403 admin_required, and their create writes nothing', async () => {
    for (const token of [AGENT, END_USER]) {
      const listed = await consoleFetch('/v1/console/lines', token);
      expect(listed.status, token).toBe(403);
      expect(await errorOf(listed)).toBe('admin_required');
      const created = await consoleFetch('/v1/console/lines', token, {
        method: 'POST',
        body: newLine,
      });
      expect(created.status, token).toBe(403);
      const patched = await consoleFetch('/v1/console/lines/ai-agent', token, {
        method: 'PATCH',
        body: { enabled: false },
      });
      expect(patched.status, token).toBe(403);
    }
    expect(await slugsInD1()).toEqual(['ai-agent']);
    expect(
      ((await (await adminFetch('/v1/admin/lines/ai-agent')).json()) as any).line.enabled,
    ).toBe(true);
  });

  it('answers 401 for a missing or refused Zendesk sign-in, a forged JWT, or the admin token', async () => {
    for (const token of [null, 'revoked-or-made-up-token']) {
      const res = await consoleFetch('/v1/console/lines', token, { method: 'POST', body: newLine });
      expect(res.status, String(token)).toBe(401);
      expect(await errorOf(res)).toBe('sign_in_required');
    }
    // A JWT signed with another secret: refused before Zendesk is asked anything.
    const forged = await appToken({}, 'not-the-app-secret-0123456789abcdef');
    const res = await appFetch('/v1/console/lines', forged, {
      agentToken: ADMIN,
      method: 'POST',
      body: newLine,
    });
    expect(res.status).toBe(401);
    expect(await errorOf(res)).toBe('unauthorized');
    expect(standin.requests.filter((r) => r.path.startsWith('/api/v2/users/me'))).toHaveLength(1);
    // The admin token is for scripts: it opens /v1/admin/*, not the console.
    const scripted = await exports.default.fetch(
      new Request(`${BASE}/v1/console/lines`, {
        headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}` },
      }),
    );
    expect(scripted.status).toBe(401);
    expect(await slugsInD1()).toEqual(['ai-agent']);
  });

  it('asks Zendesk who the user is once a minute per sign-in, not on every request', async () => {
    await consoleFetch('/v1/console/lines', ADMIN);
    await consoleFetch('/v1/console/lines/ai-agent', ADMIN);
    await consoleFetch('/v1/console/lines', AGENT);
    await consoleFetch('/v1/console/lines', AGENT);
    expect(standin.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /api/v2/users/me.json 200',
      'GET /api/v2/users/me.json 200',
    ]);
  });

  it('documents the console endpoints in the OpenAPI document, with the app’s two proofs', async () => {
    const doc = (await (await adminFetch('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { security: unknown }>>;
    };
    expect(Object.keys(doc.paths['/v1/console/lines'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/v1/console/lines/{slug}'] ?? {}).sort()).toEqual([
      'get',
      'patch',
    ]);
    expect(Object.keys(doc.paths['/v1/console/lines/{slug}/acl'] ?? {})).toEqual(['post']);
    expect(Object.keys(doc.paths['/v1/console/lines/{slug}/acl/{id}'] ?? {})).toEqual(['delete']);
    expect(doc.paths['/v1/console/lines']?.post?.security).toEqual([
      { appJwt: [], agentToken: [] },
    ]);
  });
});
