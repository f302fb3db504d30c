// The console and a line's webhook: an admin changes where events go and reads the deliveries,
// and no console answer ever carries the signing secret, which only the admin token is shown.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEMO_OAUTH_TOKENS } from '@sip-bridge/zendesk-standin/seed';
import { adminFetch, appFetch, createTestLine, installStandin } from './harness';

type Operation = { security?: Record<string, unknown>[]; responses: Record<string, unknown> };

const ADMIN = DEMO_OAUTH_TOKENS.apiUser;
const AGENT = DEMO_OAUTH_TOKENS.graceHopper;
const PATH = '/v1/console/lines/ai-agent/webhook';
const as = (token: string, path: string, method = 'GET', body?: unknown) =>
  appFetch(path, undefined, { agentToken: token, method, ...(body ? { body } : {}) });
const HOOK = { url: 'https://hooks.example.com/first' };

/** Makes the line's webhook with the admin token; answers the secret it was shown once. */
async function adminMakesWebhook(): Promise<string> {
  const res = await adminFetch('/v1/admin/lines/ai-agent', {
    method: 'PATCH',
    body: { webhook: HOOK },
  });
  const { webhook_secret } = (await res.json()) as { webhook_secret: string };
  expect(webhook_secret).toMatch(/^whsec_/);
  return webhook_secret;
}

beforeEach(async () => {
  installStandin();
  await env.DB.exec('DELETE FROM acl_entries; DELETE FROM lines');
  await createTestLine();
});

describe('the console and a line’s webhook', () => {
  it('changes url, failover and events, keeps the secret, and no console answer carries it', async () => {
    const secret = await adminMakesWebhook();
    const settings = {
      url: 'https://hooks.example.com/second',
      failover_url: 'https://backup.example.com/in',
      events: ['call.ended'],
    };
    const answers = [
      await as(ADMIN, PATH, 'PUT', settings),
      await as(ADMIN, '/v1/console/lines/ai-agent'),
      await as(ADMIN, '/v1/console/lines'),
      await as(ADMIN, '/v1/console/lines/ai-agent/webhook-deliveries'),
      await as(ADMIN, '/v1/console/lines/ai-agent', 'PATCH', { name: 'Renamed' }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const texts = await Promise.all(answers.map((a) => a.text()));
    expect(JSON.parse(texts[0]!)).toEqual({
      webhook: expect.objectContaining({ ...settings, previous_secret_valid_until: null }),
    });
    for (const text of texts) {
      expect(text).not.toContain(secret);
      expect(text).not.toMatch(/whsec_|webhook_secret"/);
    }
    // The receiver still checks the same secret: the row kept it.
    const row = await env.DB.prepare('SELECT secret, url FROM line_webhooks').first<{
      secret: string;
      url: string;
    }>();
    expect(row).toEqual({ secret, url: settings.url });
  });

  it('makes no webhook (and so no secret) on a line that has none: 409 webhook_not_set', async () => {
    const res = await as(ADMIN, PATH, 'PUT', HOOK);
    expect(res.status).toBe(409);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ error: 'webhook_not_set' });
    expect(text).not.toContain('whsec_');
    const count = await env.DB.prepare('SELECT COUNT(*) AS n FROM line_webhooks').first<{
      n: number;
    }>();
    expect(count!.n).toBe(0);
  });

  it('refuses bad settings under their fields with their kind, echoing nothing', async () => {
    await adminMakesWebhook();
    const schema = await as(ADMIN, PATH, 'PUT', { url: 'hooks.example.com/x', secret: 'whsec_x' });
    expect(schema.status).toBe(400);
    const text = await schema.text();
    expect(text).not.toMatch(/hooks\.example\.com|whsec_x/);
    expect((JSON.parse(text) as { issues: unknown[] }).issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'url', code: 'custom' }),
        expect.objectContaining({ path: '', code: 'unknown_fields' }),
      ]),
    );
    // Plain http passes the schema and is refused by the admin handler's URL policy.
    const policy = await as(ADMIN, PATH, 'PUT', { url: 'http://hooks.example.com/x' });
    expect(policy.status).toBe(400);
    const refusal = (await policy.json()) as { issues: unknown[] };
    expect(refusal.issues).toEqual([
      expect.objectContaining({ path: 'url', code: 'webhook_url_refused' }),
    ]);
    expect(JSON.stringify(refusal)).not.toContain('hooks.example.com');
  });

  it('refuses an agent before any handler runs', async () => {
    await adminMakesWebhook();
    const put = await as(AGENT, PATH, 'PUT', { url: 'https://evil.example.com/' });
    expect(put.status).toBe(403);
    expect(((await put.json()) as { error: string }).error).toBe('admin_required');
    expect((await as(AGENT, '/v1/console/lines/ai-agent/webhook-deliveries')).status).toBe(403);
    const row = await env.DB.prepare('SELECT url FROM line_webhooks').first<{ url: string }>();
    expect(row!.url).toBe(HOOK.url);
  });

  it('documents the console routes for rules and webhook in OpenAPI, with the console’s proofs', async () => {
    const doc = (await (await adminFetch('/openapi.json')).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const operations = [
      ['/v1/console/lines/{slug}/routing-rules', 'get'],
      ['/v1/console/lines/{slug}/routing-rules', 'put'],
      ['/v1/console/lines/{slug}/webhook', 'put'],
      ['/v1/console/lines/{slug}/webhook-deliveries', 'get'],
    ] as const;
    for (const [path, method] of operations) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op!.security).toEqual([{ appJwt: [], agentToken: [] }]);
      expect(op!.responses['403']).toBeDefined();
      expect(JSON.stringify(op!.responses['200'])).not.toContain('webhook_secret');
    }
  });
});
