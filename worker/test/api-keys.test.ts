// Per-line API keys for AI vendors: created by an admin (the secret shown once, only its hash
// kept), listed without secrets, revoked; and what a key may do: one line, a disabled line 403,
// a revoked or unknown key 401, over its rate 429. Refused requests write nothing.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ZendeskStandin } from '@sip-bridge/zendesk-standin/app';
import {
  adminFetch,
  createTestKey,
  createTestLine,
  handoff,
  installStandin,
  zendeskRequests,
} from './harness';

let standin: ZendeskStandin;
beforeEach(async () => {
  standin = installStandin();
  await env.DB.exec(
    'DELETE FROM handoffs; DELETE FROM api_key_minutes; DELETE FROM lines; DELETE FROM caller_matches',
  );
  await createTestLine();
});

const ada = { caller: { phone: '+14155550100' }, summary: 'Router keeps rebooting' };
const count = async (table: string) =>
  (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table}`).first<{ n: number }>())!.n;
const sha256Hex = async (text: string) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');

describe('creating a key', () => {
  it('answers the secret once, in the sbk_<id>_<secret> form, and stores only its hash', async () => {
    const { key, secret } = await createTestKey('ai-agent', { label: 'Acme Voice AI (prod)' });
    expect(secret).toMatch(/^sbk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(key).toEqual({
      id: secret.slice(4, 20),
      line: 'ai-agent',
      label: 'Acme Voice AI (prod)',
      handoffs_per_minute: 60,
      created_at: expect.any(String),
      revoked_at: null,
      last_used_at: null,
    });
    const row = await env.DB.prepare('SELECT * FROM api_keys WHERE id = ?')
      .bind(key.id)
      .first<Record<string, unknown>>();
    expect(row?.secret_sha256).toBe(await sha256Hex(secret.slice(21)));
    expect(JSON.stringify(row)).not.toContain(secret.slice(21));
  });

  it('lists the keys of a line, never with a secret', async () => {
    const first = await createTestKey('ai-agent', { label: 'one' });
    const second = await createTestKey('ai-agent', { label: 'two', handoffs_per_minute: 5 });
    const res = await adminFetch('/v1/admin/lines/ai-agent/api-keys');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(first.secret.slice(21));
    expect(text).not.toContain(second.secret.slice(21));
    const { keys } = JSON.parse(text) as { keys: { label: string; handoffs_per_minute: number }[] };
    expect(keys.map((k) => [k.label, k.handoffs_per_minute]).sort()).toEqual([
      ['one', 60],
      ['two', 5],
    ]);
  });

  it('answers 404 for an unknown line and 400 with the field for a bad body', async () => {
    const none = await adminFetch('/v1/admin/lines/nope/api-keys', { body: { label: 'x' } });
    expect(none.status).toBe(404);
    expect((await adminFetch('/v1/admin/lines/nope/api-keys')).status).toBe(404);
    const bad = await adminFetch('/v1/admin/lines/ai-agent/api-keys', {
      body: { label: '', handoffs_per_minute: 0 },
    });
    expect(bad.status).toBe(400);
    const issues = ((await bad.json()) as { issues: { path: string }[] }).issues;
    expect(issues.map((i) => i.path).sort()).toEqual(['handoffs_per_minute', 'label']);
    expect(await count('api_keys')).toBe(0);
  });

  it('needs the admin token, and a key is not one', async () => {
    const { secret } = await createTestKey();
    const res = await adminFetch('/v1/admin/lines/ai-agent/api-keys', { token: secret });
    expect(res.status).toBe(401);
  });

  it('goes with its line', async () => {
    await createTestKey();
    await adminFetch('/v1/admin/lines/ai-agent', { method: 'DELETE' });
    expect(await count('api_keys')).toBe(0);
  });
});

describe('revoking a key', () => {
  it('refuses the key at once with the uniform 401, and keeps it listed with revoked_at', async () => {
    const { key, secret } = await createTestKey();
    const res = await adminFetch(`/v1/admin/lines/ai-agent/api-keys/${key.id}`, {
      method: 'DELETE',
    });
    expect(res.status).toBe(200);
    const revoked = ((await res.json()) as { key: { revoked_at: string | null } }).key;
    expect(revoked.revoked_at).toEqual(expect.any(String));

    const before = zendeskRequests(standin);
    const refused = await handoff(ada, { key: secret });
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({
      error: 'unauthorized',
      message: 'Missing or invalid credentials.',
    });
    expect(zendeskRequests(standin)).toBe(before);
    expect(await count('handoffs')).toBe(0);

    // Revoking again keeps the first time.
    const again = await adminFetch(`/v1/admin/lines/ai-agent/api-keys/${key.id}`, {
      method: 'DELETE',
    });
    expect(((await again.json()) as { key: { revoked_at: string } }).key.revoked_at).toBe(
      revoked.revoked_at,
    );
  });

  it("answers 404 for an unknown key or another line's key", async () => {
    await createTestLine({ slug: 'carrier-b', name: 'Carrier B' });
    const { key } = await createTestKey('carrier-b');
    const other = await adminFetch(`/v1/admin/lines/ai-agent/api-keys/${key.id}`, {
      method: 'DELETE',
    });
    expect(other.status).toBe(404);
    const unknown = await adminFetch('/v1/admin/lines/ai-agent/api-keys/0123456789abcdef', {
      method: 'DELETE',
    });
    expect(unknown.status).toBe(404);
    const malformed = await adminFetch('/v1/admin/lines/ai-agent/api-keys/xyz', {
      method: 'DELETE',
    });
    expect(malformed.status).toBe(400);
  });
});

describe('what a key may do', () => {
  it.each([
    ['no key', ''],
    ['an unknown key', `sbk_0123456789abcdef_${'A'.repeat(43)}`],
    ['the admin token', env.ADMIN_TOKEN],
    ['a malformed key', 'sbk_nope'],
  ])('refuses %s with the uniform 401, writing nothing', async (_label, key) => {
    const res = await handoff(ada, { key });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('unauthorized');
    expect(await count('handoffs')).toBe(0);
    expect(zendeskRequests(standin)).toBe(0);
  });

  it('refuses the right id with a wrong secret', async () => {
    const { secret } = await createTestKey();
    const wrong = `${secret.slice(0, 21)}${secret.slice(21).split('').reverse().join('')}`;
    expect((await handoff(ada, { key: wrong })).status).toBe(401);
    expect((await handoff(ada, { key: secret })).status).toBe(201);
  });

  it('hands off on its own line only: the key decides the line', async () => {
    await createTestLine({ slug: 'carrier-b', name: 'Carrier B' });
    const a = await createTestKey('ai-agent');
    const b = await createTestKey('carrier-b');
    expect((await handoff(ada, { key: a.secret })).body.line).toBe('ai-agent');
    expect((await handoff(ada, { key: b.secret })).body.line).toBe('carrier-b');
  });

  it('answers 403 line_disabled when its line is disabled, asking and writing nothing', async () => {
    const { secret } = await createTestKey();
    await adminFetch('/v1/admin/lines/ai-agent', { method: 'PATCH', body: { enabled: false } });
    const res = await handoff(ada, { key: secret });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('line_disabled');
    expect(zendeskRequests(standin)).toBe(0);
    expect(await count('handoffs')).toBe(0);
    expect(standin.state.tickets.size).toBe(4);
  });

  it('answers 429 with Retry-After over its handoffs per minute, writing nothing', async () => {
    const { secret } = await createTestKey('ai-agent', { handoffs_per_minute: 2 });
    expect((await handoff(ada, { key: secret })).status).toBe(201);
    expect((await handoff(ada, { key: secret })).status).toBe(201);
    const tickets = standin.state.tickets.size;
    const requests = zendeskRequests(standin);
    const over = await handoff(ada, { key: secret });
    expect(over.status).toBe(429);
    expect(over.body.error).toBe('rate_limited');
    const retryAfter = Number(over.headers.get('Retry-After'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(standin.state.tickets.size).toBe(tickets);
    expect(zendeskRequests(standin)).toBe(requests);
    expect(await count('handoffs')).toBe(2);
  });

  it('counts per key: another key of the line has its own allowance', async () => {
    const first = await createTestKey('ai-agent', { handoffs_per_minute: 1 });
    const second = await createTestKey('ai-agent', { handoffs_per_minute: 1 });
    expect((await handoff(ada, { key: first.secret })).status).toBe(201);
    expect((await handoff(ada, { key: first.secret })).status).toBe(429);
    expect((await handoff(ada, { key: second.secret })).status).toBe(201);
  });

  it('records when the key was last used', async () => {
    const { key, secret } = await createTestKey();
    await handoff(ada, { key: secret });
    const { keys } = (await (await adminFetch('/v1/admin/lines/ai-agent/api-keys')).json()) as {
      keys: { id: string; last_used_at: string | null }[];
    };
    expect(keys.find((k) => k.id === key.id)?.last_used_at).toEqual(expect.any(String));
  });
});
