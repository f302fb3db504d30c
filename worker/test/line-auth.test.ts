import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { adminFetch, createTestLine, edgeFetch, installStandin } from './harness';

// Caller auth per line in the admin API: secrets in once, only HA1s and the token's SHA-256
// stored and sent to the edge, never returned.
const PASSWORD = 'correct-horse-battery';
// MD5("carrier1:edge.example.com:correct-horse-battery") and SHA-256("tok_3xV9qLmN2pR7sT4w").
const HA1 = 'ee5f2f2ebbb34e47baf90b42f16e118c';
const TOKEN = 'tok_3xV9qLmN2pR7sT4w';
const TOKEN_SHA256 = '0fb5d7f8358f20c8c138e2b6bb593dc48af42b4773874245c7c95ab1b49f44f7';

const fullAuth = {
  digest: { realm: 'edge.example.com', users: [{ username: 'carrier1', password: PASSWORD }] },
  token: { header: 'X-Line-Token', secret: TOKEN },
  tech_prefix: '1234',
  p_charge_info: { numbers: ['+14155550100'] },
};

async function edgeLine() {
  const res = await edgeFetch('/v1/edge/config');
  return ((await res.json()) as { lines: Record<string, any>[] }).lines[0]!;
}

beforeEach(async () => {
  installStandin();
  await env.DB.exec('DELETE FROM lines; DELETE FROM blocked_numbers');
});

describe('line caller auth', () => {
  it('stores only the HA1 and the token hash, shows neither, and sends them to the edge', async () => {
    const line = (await createTestLine({ auth: fullAuth })) as Record<string, any>;
    expect(line.auth).toEqual({
      ip: true,
      digest: { realm: 'edge.example.com', users: [{ username: 'carrier1' }] },
      token: { header: 'X-Line-Token', secret_set: true },
      tech_prefix: '1234',
      p_charge_info: { numbers: ['+14155550100'] },
    });
    const stored = await env.DB.prepare('SELECT auth FROM lines').first<{ auth: string }>();
    expect(stored!.auth).not.toContain(PASSWORD);
    expect(stored!.auth).not.toContain(TOKEN);
    const shown = await (await adminFetch('/v1/admin/lines/ai-agent')).text();
    for (const secret of [PASSWORD, TOKEN, HA1, TOKEN_SHA256]) expect(shown).not.toContain(secret);
    expect((await edgeLine()).auth).toEqual({
      ip: true,
      digest: { realm: 'edge.example.com', users: [{ username: 'carrier1', ha1: HA1 }] },
      token: { header: 'X-Line-Token', sha256: TOKEN_SHA256 },
      tech_prefix: '1234',
      p_charge_info: { numbers: ['14155550100'] },
    });
  });

  it('leaves auth out of the edge config for a line with its ACL alone', async () => {
    const line = (await createTestLine()) as Record<string, any>;
    expect(line.auth).toEqual({ ip: true });
    expect(await edgeLine()).not.toHaveProperty('auth');
  });

  it('accepts an HA1 instead of a password, and keeps stored secrets when a PATCH omits them', async () => {
    await createTestLine({ auth: fullAuth });
    const patched = await adminFetch('/v1/admin/lines/ai-agent', {
      method: 'PATCH',
      body: {
        auth: {
          digest: {
            realm: 'edge.example.com',
            users: [{ username: 'carrier1' }, { username: 'carrier2', ha1: 'a'.repeat(32) }],
          },
          token: { header: 'X-Other-Token' },
        },
      },
    });
    expect(patched.status).toBe(200);
    expect((await edgeLine()).auth).toEqual({
      ip: true,
      digest: {
        realm: 'edge.example.com',
        users: [
          { username: 'carrier1', ha1: HA1 },
          { username: 'carrier2', ha1: 'a'.repeat(32) },
        ],
      },
      token: { header: 'X-Other-Token', sha256: TOKEN_SHA256 },
    });
  });

  it('refuses a new user, a changed realm or a new token without its secret (422, nothing written)', async () => {
    await createTestLine({ auth: { tech_prefix: '1234' } });
    const res = await adminFetch('/v1/admin/lines/ai-agent', {
      method: 'PATCH',
      body: {
        name: 'renamed',
        auth: {
          digest: { realm: 'edge.example.com', users: [{ username: 'carrier1' }] },
          token: { header: 'X-Line-Token' },
        },
      },
    });
    expect(res.status).toBe(422);
    expect(
      ((await res.json()) as { issues: { path: string }[] }).issues.map((i) => i.path),
    ).toEqual(['auth.digest.users[0].password', 'auth.token.secret']);
    const line = ((await (await adminFetch('/v1/admin/lines/ai-agent')).json()) as any).line;
    expect(line.name).toBe('AI agent hand-off');
    expect(line.auth).toEqual({ ip: true, tech_prefix: '1234' });
  });

  it('names the field of a bad setting and never echoes a submitted secret', async () => {
    const res = await adminFetch('/v1/admin/lines', {
      body: {
        slug: 'ai-agent',
        name: 'x',
        sip_targets: ['sip:a@b.example'],
        default_country: 'US',
        auth: {
          ip: 'no',
          digest: { realm: 'edge.example.com', users: [{ username: 'ab', password: 'short' }] },
          token: { header: 'X-Bridge-Token', secret: 'has spaces in it, 1234' },
          tech_prefix: '12a4',
          p_charge_info: { numbers: ['4155550100'] },
        },
      },
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    const paths = (JSON.parse(text) as { issues: { path: string }[] }).issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'auth.ip',
        'auth.digest.users[0].username',
        'auth.digest.users[0].password',
        'auth.token.header',
        'auth.token.secret',
        'auth.tech_prefix',
        'auth.p_charge_info.numbers[0]',
      ]),
    );
    expect(text).not.toContain('short');
    expect(text).not.toContain('has spaces');
    expect((await adminFetch('/v1/admin/lines/ai-agent')).status).toBe(404);
  });

  it('is in the OpenAPI document: LineAuthInput in, LineAuth out, without any secret out', async () => {
    const doc = (await (await adminFetch('/openapi.json')).json()) as any;
    const schemas = doc.components.schemas;
    expect(Object.keys(schemas.LineAuthInput.properties).sort()).toEqual(
      ['digest', 'ip', 'p_charge_info', 'tech_prefix', 'token'].sort(),
    );
    expect(schemas.LineCreate.properties.auth).toBeDefined();
    expect(schemas.LinePatch.properties.auth).toBeDefined();
    const shown = JSON.stringify(schemas.LineAuth);
    expect(shown).toContain('secret_set');
    for (const field of ['"password"', '"ha1"', '"sha256"', '"secret"']) {
      expect(shown).not.toContain(field);
    }
  });
});
