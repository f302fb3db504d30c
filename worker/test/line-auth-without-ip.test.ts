import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { adminFetch, createTestLine, edgeFetch, installStandin } from './harness';

// Lines without an IP allowlist (auth.ip false): found at the edge by a digest username or a
// tech prefix, each naming one line, checked by the admin API with field paths and held in D1 by
// migration 0021's triggers.
const REALM = 'edge.example.com';
const PASSWORD = 'correct-horse-battery';
const digest = (...usernames: string[]) => ({
  realm: REALM,
  users: usernames.map((username) => ({ username, password: PASSWORD })),
});
const token = { header: 'X-Line-Token', secret: 'tok_3xV9qLmN2pR7sT4w' };

const line = (slug: string, auth: Record<string, unknown>, acl: unknown[] = []) =>
  adminFetch('/v1/admin/lines', {
    body: {
      slug,
      name: slug,
      sip_targets: ['sip:mongoose@mongoose.sip.twilio.com'],
      default_country: 'US',
      acl,
      auth,
    },
  });

async function issues(res: Response) {
  return ((await res.json()) as { error: string; issues: { path: string; message: string }[] })
    .issues;
}

beforeEach(async () => {
  installStandin();
  await env.DB.exec('DELETE FROM lines; DELETE FROM blocked_numbers');
});

describe('lines without an IP allowlist', () => {
  it('takes a line with digest users and no ACL, and sends ip false to the edge', async () => {
    const res = await line('carrier-a', { ip: false, digest: digest('carrier1') });
    expect(res.status).toBe(201);
    expect(((await res.json()) as any).line.auth).toEqual({
      ip: false,
      digest: { realm: REALM, users: [{ username: 'carrier1' }] },
    });
    const config = (await (await edgeFetch('/v1/edge/config')).json()) as { lines: any[] };
    expect(config.lines[0].acl).toEqual([]);
    expect(config.lines[0].auth.ip).toBe(false);
    expect(config.lines[0].auth.digest.users[0].username).toBe('carrier1');
  });

  it('takes a tech prefix with a token, but neither alone nor a token alone (400 auth.ip)', async () => {
    expect((await line('both', { ip: false, tech_prefix: '1234', token })).status).toBe(201);
    for (const [slug, auth] of [
      ['prefix', { ip: false, tech_prefix: '5678' }],
      ['token', { ip: false, token }],
      ['charge', { ip: false, p_charge_info: { numbers: ['+14155550100'] } }],
      ['bare', { ip: false }],
    ] as const) {
      const res = await line(slug, auth);
      expect(res.status, slug).toBe(400);
      expect(await issues(res)).toEqual([
        {
          path: 'auth.ip',
          message:
            'false needs a credential that names the line and proves the caller: digest ' +
            'users, or a tech prefix with a token',
        },
      ]);
    }
    expect(await env.DB.prepare('SELECT slug FROM lines').all()).toMatchObject({
      results: [{ slug: 'both' }],
    });
  });

  it('refuses a digest username or tech prefix another such line has (409, the field named)', async () => {
    expect((await line('carrier-a', { ip: false, digest: digest('carrier1') })).status).toBe(201);
    expect((await line('prefixed', { ip: false, tech_prefix: '1234', token })).status).toBe(201);

    const sameUser = await line('carrier-b', { ip: false, digest: digest('carrier2', 'carrier1') });
    expect(sameUser.status).toBe(409);
    expect(await issues(sameUser)).toEqual([
      {
        path: 'auth.digest.users[1].username',
        message: 'is a user of line carrier-a, which also takes callers without an IP allowlist',
      },
    ]);
    const samePrefix = await line('prefixed-2', { ip: false, tech_prefix: '1234', token });
    expect(samePrefix.status).toBe(409);
    expect((await issues(samePrefix))[0]!.path).toBe('auth.tech_prefix');
    const otherRealm = await line('carrier-c', {
      ip: false,
      digest: { realm: 'other.example.com', users: [{ username: 'carrier3', password: PASSWORD }] },
    });
    expect(otherRealm.status).toBe(409);
    expect((await issues(otherRealm))[0]).toEqual({
      path: 'auth.digest.realm',
      message:
        'differs from the realm of line carrier-a: lines without an IP allowlist share one realm',
    });
    // Lines with their ACL are found by their source address: they may share any credential.
    expect(
      (
        await line('acl-line', { ip: true, digest: digest('carrier1'), tech_prefix: '1234' }, [
          { cidr: '192.0.2.0/24', label: 'x' },
        ])
      ).status,
    ).toBe(201);
    const slugs = await env.DB.prepare('SELECT slug FROM lines ORDER BY slug').all<{
      slug: string;
    }>();
    expect(slugs.results.map((r) => r.slug)).toEqual(['acl-line', 'carrier-a', 'prefixed']);
  });

  it('checks a PATCH the same way, and a line may keep its own credentials', async () => {
    expect((await line('carrier-a', { ip: false, digest: digest('carrier1') })).status).toBe(201);
    await createTestLine({ slug: 'carrier-b', auth: { digest: digest('carrier1') } });
    const patch = (slug: string, auth: unknown) =>
      adminFetch(`/v1/admin/lines/${slug}`, { method: 'PATCH', body: { auth } });
    const turned = await patch('carrier-b', { ip: false, digest: digest('carrier1') });
    expect(turned.status).toBe(409);
    expect((await issues(turned))[0]!.path).toBe('auth.digest.users[0].username');
    // The line's own stored username is no conflict with itself.
    expect(
      (await patch('carrier-a', { ip: false, digest: digest('carrier1', 'carrier9') })).status,
    ).toBe(200);
    expect((await patch('carrier-b', { ip: false, digest: digest('carrier2') })).status).toBe(200);
  });

  it('holds the rule in D1 too: a write that bypasses the API is refused by the triggers', async () => {
    expect((await line('carrier-a', { ip: false, digest: digest('carrier1') })).status).toBe(201);
    const stored = await env.DB.prepare("SELECT auth FROM lines WHERE slug = 'carrier-a'").first<{
      auth: string;
    }>();
    const insert = (slug: string, auth: string) =>
      env.DB.prepare(
        `INSERT INTO lines (slug, name, sip_targets, default_country, auth, created_at, updated_at)
         VALUES (?, ?, '["sip:a@b.example"]', 'US', ?, '2026-01-01', '2026-01-01')`,
      )
        .bind(slug, slug, auth)
        .run();
    await expect(insert('racer', stored!.auth)).rejects.toThrow(/line_auth_without_ip_conflict/);
    await expect(insert('bare', '{"ip":false,"tech_prefix":"1234"}')).rejects.toThrow(
      /line_auth_without_ip_needs_credential/,
    );
    const otherRealm = JSON.stringify({
      ip: false,
      digest: { realm: 'other.example', users: [{ username: 'carrier7', ha1: 'a'.repeat(32) }] },
    });
    await expect(insert('realm', otherRealm)).rejects.toThrow(/line_auth_without_ip_conflict/);
    const prefixed =
      '{"ip":false,"tech_prefix":"1234","token":{"header":"X-T","sha256":"' +
      'b'.repeat(64) +
      '"}}';
    await insert('prefixed', prefixed);
    await expect(insert('prefixed-2', prefixed)).rejects.toThrow(/line_auth_without_ip_conflict/);
    // ip true lines never count, and an update is held too.
    await insert('acl-line', stored!.auth.replace('"ip":false', '"ip":true'));
    await expect(
      env.DB.prepare("UPDATE lines SET auth = ? WHERE slug = 'acl-line'").bind(stored!.auth).run(),
    ).rejects.toThrow(/line_auth_without_ip_conflict/);
    // Its own row is no conflict.
    await env.DB.prepare("UPDATE lines SET auth = ? WHERE slug = 'carrier-a'")
      .bind(stored!.auth)
      .run();
  });

  it('documents ip false and the 409 in the OpenAPI document', async () => {
    const doc = (await (await adminFetch('/openapi.json')).json()) as any;
    expect(doc.components.schemas.LineAuthInput.properties.ip.description).toContain('false:');
    const patch = doc.paths['/v1/admin/lines/{slug}'].patch.responses;
    expect(patch['409'].description).toContain('credential_conflict');
    expect(doc.paths['/v1/admin/lines'].post.responses['409'].description).toContain(
      'credential_conflict',
    );
  });
});
