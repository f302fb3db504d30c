// The console's refusals carry the kind of each problem (`code`), so the admin console words them
// in the admin's language; the admin API's answers stay as they are.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEMO_OAUTH_TOKENS } from '@sip-bridge/zendesk-standin/seed';
import { adminFetch, appFetch, createTestLine, installStandin } from './harness';

const ADMIN = DEMO_OAUTH_TOKENS.apiUser;
const consoleFetch = (path: string, method: string, body: unknown) =>
  appFetch(path, undefined, { agentToken: ADMIN, method, body });
type Issues = { error: string; issues: Record<string, unknown>[] };

beforeEach(async () => {
  installStandin();
  await env.DB.exec('DELETE FROM acl_entries; DELETE FROM lines');
  await createTestLine();
});

const line = {
  slug: 'paris',
  name: 'Paris',
  sip_targets: ['sip:paris@acme.sip.twilio.com'],
  default_country: 'FR',
};

describe('the console’s field issues', () => {
  it('name the kind of each problem, with its bound, echoing nothing', async () => {
    const res = await consoleFetch('/v1/console/lines', 'POST', {
      ...line,
      name: '',
      default_country: 'XX',
      sip_targets: ['tel:+33612345678'],
      routing: { no_answer_ms: 999 },
      acl: [{ cidr: '203.0.113.9/24' }],
      auth: { ip: true, token: { header: 'X-Bridge-Token', secret: 'short' } },
      surprise: 1,
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as Issues;
    const byPath = Object.fromEntries(body.issues.map(({ path, ...rest }) => [path, rest]));
    expect(byPath).toMatchObject({
      name: { code: 'too_small', origin: 'string', minimum: 1 },
      default_country: { code: 'unknown_country' },
      'sip_targets[0]': { code: 'invalid_format' },
      'routing.no_answer_ms': { code: 'too_small', origin: 'number', minimum: 1000 },
      'acl[0].cidr': { code: 'invalid_cidr' },
      'auth.token.header': { code: 'reserved_header' },
      'auth.token.secret': { code: 'invalid_format' },
      '': { code: 'unknown_fields' },
    });
    for (const secret of ['tel:+33612345678', '203.0.113.9', 'short', 'XX'])
      expect(JSON.stringify(body)).not.toContain(secret);
  });

  it('give a kind to the refusals the admin handlers build: secure targets, wide networks, secrets', async () => {
    const secure = await consoleFetch('/v1/console/lines', 'POST', { ...line, media: 'secure' });
    expect(((await secure.json()) as Issues).issues).toEqual([
      expect.objectContaining({ path: 'sip_targets[0]', code: 'insecure_target' }),
    ]);
    const mediaOnly = await consoleFetch('/v1/console/lines/ai-agent', 'PATCH', {
      media: 'secure',
    });
    expect(((await mediaOnly.json()) as Issues).issues).toEqual([
      expect.objectContaining({ path: 'media', code: 'insecure_target' }),
    ]);
    const wide = await consoleFetch('/v1/console/lines/ai-agent/acl', 'POST', {
      cidr: '0.0.0.0/0',
    });
    expect(wide.status).toBe(422);
    expect(((await wide.json()) as Issues).issues).toEqual([
      expect.objectContaining({ path: 'confirm_wide', code: 'unconfirmed_wide' }),
    ]);
    const secretless = await consoleFetch('/v1/console/lines/ai-agent', 'PATCH', {
      auth: { ip: true, token: { header: 'X-Line-Token' } },
    });
    expect(secretless.status).toBe(422);
    expect(((await secretless.json()) as Issues).issues).toEqual([
      expect.objectContaining({ path: 'auth.token.secret', code: 'missing_secret' }),
    ]);
  });

  it('leave the admin API’s issues as they were', async () => {
    const res = await adminFetch('/v1/admin/lines', { body: { ...line, name: '' } });
    const { issues } = (await res.json()) as Issues;
    expect(issues).toEqual([{ path: 'name', message: expect.any(String) }]);
  });
});
