// The console's routing rules per line: an admin reads and replaces them through the admin API's
// handler; a refusal names its field with its kind and echoes nothing; agents change nothing.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEMO_OAUTH_TOKENS } from '@sip-bridge/zendesk-standin/seed';
import { adminFetch, appFetch, createTestLine, installStandin } from './harness';

const ADMIN = DEMO_OAUTH_TOKENS.apiUser;
const AGENT = DEMO_OAUTH_TOKENS.graceHopper;
const PATH = '/v1/console/lines/ai-agent/routing-rules';
const as = (token: string, path: string, method = 'GET', body?: unknown) =>
  appFetch(path, undefined, { agentToken: token, method, ...(body ? { body } : {}) });
const VIP_RULE = {
  id: 'vip',
  name: 'VIP',
  when: { user_tags: ['vip'], time: [{ days: ['mon', 'tue'], from: '09:00', to: '17:30' }] },
  sip_targets: ['sip:vip@vip-desk.sip.twilio.com'],
};

beforeEach(async () => {
  installStandin();
  await env.DB.exec('DELETE FROM acl_entries; DELETE FROM lines');
  await createTestLine();
});

describe('the console’s routing rules', () => {
  it('replaces the rules with one PUT and reads them back, as the admin API does', async () => {
    const put = await as(ADMIN, PATH, 'PUT', { time_zone: 'Europe/Paris', rules: [VIP_RULE] });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({
      routing_rules: { time_zone: 'Europe/Paris', rules: [VIP_RULE] },
    });
    const read = await as(ADMIN, PATH);
    expect(read.status).toBe(200);
    const admin = await adminFetch('/v1/admin/lines/ai-agent/routing-rules');
    expect(await read.json()).toEqual(await admin.json());
    expect((await as(ADMIN, '/v1/console/lines/nope/routing-rules')).status).toBe(404);
  });

  it('refuses a bad time and a repeated id under their fields, with their kind, echoing nothing', async () => {
    const rules = [
      { ...VIP_RULE, when: { time: [{ days: ['mon'], from: '25:99', to: '17:00' }] } },
      { ...VIP_RULE, name: 'Again' },
    ];
    const res = await as(ADMIN, PATH, 'PUT', { time_zone: 'UTC', rules });
    expect(res.status).toBe(400);
    const { issues } = (await res.json()) as { issues: Record<string, unknown>[] };
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'rules[0].when.time[0].from', code: 'invalid_format' }),
        expect.objectContaining({ path: 'rules[1].id', code: 'custom' }),
      ]),
    );
    expect(JSON.stringify(issues)).not.toContain('25:99');
    expect(await (await as(ADMIN, PATH)).json()).toEqual({
      routing_rules: { time_zone: 'UTC', rules: [] },
    });
  });

  it('gives the admin handler’s own refusal (a plain target on a secure line) its kind', async () => {
    await adminFetch('/v1/admin/lines/ai-agent', {
      method: 'PATCH',
      body: { media: 'secure', sip_targets: ['sips:mongoose@mongoose.sip.twilio.com'] },
    });
    const res = await as(ADMIN, PATH, 'PUT', { rules: [VIP_RULE] });
    expect(res.status).toBe(400);
    const { issues } = (await res.json()) as { issues: Record<string, unknown>[] };
    expect(issues).toEqual([
      expect.objectContaining({ path: 'rules[0].sip_targets[0]', code: 'insecure_target' }),
    ]);
  });

  it('refuses an agent before any handler runs, valid body or not', async () => {
    for (const body of [{ rules: [VIP_RULE] }, { rules: 'nonsense' }]) {
      const res = await as(AGENT, PATH, 'PUT', body);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: string }).error).toBe('admin_required');
    }
    expect((await as(AGENT, PATH)).status).toBe(403);
    const admin = await adminFetch('/v1/admin/lines/ai-agent/routing-rules');
    expect(((await admin.json()) as { routing_rules: { rules: [] } }).routing_rules.rules).toEqual(
      [],
    );
  });
});
