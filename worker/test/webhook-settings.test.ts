// A line's webhook in the admin API: what is refused (with the field's path, echoing nothing),
// and the signing secret, answered only when it is made.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { adminFetch } from './harness';
import { adminRequest, LOCAL, PRIMARY_URL, runWorker } from './webhook-receiver';

const LINE = {
  slug: 'ai-agent',
  name: 'AI agent hand-off',
  sip_targets: ['sip:mongoose@mongoose.sip.twilio.com'],
  default_country: 'US',
};
const HOOK = 'https://hooks.example.com/sip-bridge?token=query-secret';

beforeEach(async () => {
  await env.DB.exec('DELETE FROM lines');
});

async function json(res: Response) {
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('line webhook settings', () => {
  it.each([
    [{ url: 'http://hooks.example.com/in' }, 'webhook.url', 'must be an https URL'],
    [{ url: PRIMARY_URL }, 'webhook.url', expect.stringContaining('ZENDESK_ALLOW_LOCAL=1')],
    [
      { url: HOOK, failover_url: 'http://hooks.example.com/b' },
      'webhook.failover_url',
      'must be an https URL',
    ],
    [{ url: 'hooks.example.com' }, 'webhook.url', expect.stringContaining('absolute https URL')],
    [
      { url: 'https://user:pw@hooks.example.com/' },
      'webhook.url',
      expect.stringContaining('without credentials'),
    ],
    [{ url: HOOK, events: ['call.bogus'] }, 'webhook.events[0]', expect.any(String)],
    [{ url: HOOK, events: [] }, 'webhook.events', expect.any(String)],
    [
      { url: HOOK, events: ['call.ended', 'call.ended'] },
      'webhook.events',
      'must not repeat an event type',
    ],
    [{ url: HOOK, secret: 'whsec_mine' }, 'webhook', 'has 1 unknown field'],
  ])('refuses %j with a 400 naming %s, and creates no line', async (webhook, path, message) => {
    const res = await json(await adminFetch('/v1/admin/lines', { body: { ...LINE, webhook } }));
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([{ path, message }]);
    expect(JSON.stringify(res.body)).not.toMatch(/hooks\.example\.com|127\.0\.0\.1|whsec_mine/);
    expect((await adminFetch('/v1/admin/lines/ai-agent')).status).toBe(404);
  });

  it('takes a loopback receiver in local runs only', async () => {
    const { res } = await runWorker(
      adminRequest('/v1/admin/lines', { body: { ...LINE, webhook: { url: PRIMARY_URL } } }),
      LOCAL,
    );
    expect(res.status).toBe(201);
    const patched = await adminFetch('/v1/admin/lines/ai-agent', {
      method: 'PATCH',
      body: { webhook: { url: `${PRIMARY_URL}/v2` } },
    });
    expect(patched.status).toBe(400);
  });

  it('answers the secret once, at creation, and never in a list, show or change', async () => {
    const created = await json(
      await adminFetch('/v1/admin/lines', { body: { ...LINE, webhook: { url: HOOK } } }),
    );
    expect(created.status).toBe(201);
    const secret = created.body.webhook_secret as string;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(created.body.line.webhook).toEqual({
      url: HOOK,
      failover_url: null,
      events: ['call.received', 'call.answered', 'call.ended', 'call.rejected'],
      secret_created_at: expect.any(String),
      previous_secret_valid_until: null,
    });
    const answers = [
      await adminFetch('/v1/admin/lines'),
      await adminFetch('/v1/admin/lines/ai-agent'),
      await adminFetch('/v1/admin/lines/ai-agent', {
        method: 'PATCH',
        body: { webhook: { url: HOOK, failover_url: 'https://backup.example.com/in' } },
      }),
      await adminFetch('/v1/admin/lines/ai-agent', { method: 'PATCH', body: { name: 'Renamed' } }),
      await adminFetch('/v1/admin/lines/ai-agent/webhook-deliveries'),
    ];
    for (const res of answers) {
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).not.toContain(secret);
      expect(text).not.toContain('webhook_secret');
    }
    const stored = await env.DB.prepare('SELECT secret, failover_url FROM line_webhooks').first();
    // Changing the webhook kept its secret.
    expect(stored).toEqual({ secret, failover_url: 'https://backup.example.com/in' });
  });

  it('makes a new secret when a webhook is set on a line without one, and removes it with null', async () => {
    expect((await adminFetch('/v1/admin/lines', { body: LINE })).status).toBe(201);
    const set = await json(
      await adminFetch('/v1/admin/lines/ai-agent', {
        method: 'PATCH',
        body: { webhook: { url: HOOK } },
      }),
    );
    expect(set.body.webhook_secret).toMatch(/^whsec_/);
    const removed = await json(
      await adminFetch('/v1/admin/lines/ai-agent', { method: 'PATCH', body: { webhook: null } }),
    );
    expect(removed.body.line.webhook).toBeNull();
    expect(removed.body.webhook_secret).toBeUndefined();
    const again = await json(
      await adminFetch('/v1/admin/lines/ai-agent', {
        method: 'PATCH',
        body: { webhook: { url: HOOK } },
      }),
    );
    expect(again.body.webhook_secret).toMatch(/^whsec_/);
    expect(again.body.webhook_secret).not.toBe(set.body.webhook_secret);
  });

  it('rotates the secret: the new one answered once, the old one valid for a day', async () => {
    const created = await json(
      await adminFetch('/v1/admin/lines', { body: { ...LINE, webhook: { url: HOOK } } }),
    );
    const before = Date.now();
    const rotated = await json(
      await adminFetch('/v1/admin/lines/ai-agent/webhook/rotate-secret', { method: 'POST' }),
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.webhook_secret).toMatch(/^whsec_/);
    expect(rotated.body.webhook_secret).not.toBe(created.body.webhook_secret);
    const until = Date.parse(rotated.body.webhook.previous_secret_valid_until);
    expect(until - before).toBeGreaterThanOrEqual(86_400_000);
    expect(until - before).toBeLessThan(86_400_000 + 60_000);
    const shown = await (await adminFetch('/v1/admin/lines/ai-agent')).text();
    expect(shown).not.toContain(rotated.body.webhook_secret);
    expect(shown).not.toContain(created.body.webhook_secret);
  });

  it('answers 404 to rotating or listing deliveries of a line without a webhook or unknown', async () => {
    expect((await adminFetch('/v1/admin/lines', { body: LINE })).status).toBe(201);
    const rotate = await adminFetch('/v1/admin/lines/ai-agent/webhook/rotate-secret', {
      method: 'POST',
    });
    expect(rotate.status).toBe(404);
    expect((await adminFetch('/v1/admin/lines/nope/webhook-deliveries')).status).toBe(404);
    const page = await json(await adminFetch('/v1/admin/lines/ai-agent/webhook-deliveries'));
    expect(page.body).toEqual({ deliveries: [], next_before: null });
  });

  it('needs the admin token for the webhook routes', async () => {
    expect((await adminFetch('/v1/admin/lines', { body: LINE })).status).toBe(201);
    for (const [path, method] of [
      ['/v1/admin/lines/ai-agent/webhook/rotate-secret', 'POST'],
      ['/v1/admin/lines/ai-agent/webhook-deliveries', 'GET'],
    ] as const) {
      expect((await adminFetch(path, { method, token: 'wrong-token-0123456789' })).status).toBe(
        401,
      );
    }
  });
});

describe('the OpenAPI document', () => {
  it('describes the webhook routes, the settings without a secret, and the event receivers get', async () => {
    const doc = (await (await adminFetch('/openapi.json')).json()) as any;
    const rotate = doc.paths['/v1/admin/lines/{slug}/webhook/rotate-secret'].post;
    const log = doc.paths['/v1/admin/lines/{slug}/webhook-deliveries'].get;
    expect(rotate.security).toEqual([{ adminToken: [] }]);
    expect(log.security).toEqual([{ adminToken: [] }]);
    expect(log.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
      'before',
      'limit',
      'slug',
    ]);
    const { Webhook, WebhookSettings, WebhookDelivery, LinePatch, WebhookEvent } =
      doc.components.schemas;
    expect(Object.keys(Webhook.properties)).not.toContain('secret');
    expect(Object.keys(WebhookSettings.properties).sort()).toEqual([
      'events',
      'failover_url',
      'url',
    ]);
    expect(WebhookDelivery.required).toContain('next_attempt_at');
    expect(LinePatch.properties.webhook).toBeDefined();
    const hook = doc.webhooks.callEvent.post;
    expect(hook.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/WebhookEvent',
    });
    expect(WebhookEvent.required).toEqual(['id', 'type', 'created_at', 'line', 'call']);
  });
});
