// The console's block list per line: an admin lists, blocks and unblocks numbers on one line; the
// number is read with the line's country; a refusal carries its kind; agents change nothing.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEMO_OAUTH_TOKENS } from '@sip-bridge/zendesk-standin/seed';
import { adminFetch, appFetch, createTestLine, edgeFetch, installStandin } from './harness';

const ADMIN = DEMO_OAUTH_TOKENS.apiUser;
const AGENT = DEMO_OAUTH_TOKENS.graceHopper;
const as = (token: string, path: string, method = 'GET', body?: unknown) =>
  appFetch(path, undefined, { agentToken: token, method, ...(body ? { body } : {}) });
type Block = { id: number; e164: string; line: string | null; reason: string };

beforeEach(async () => {
  installStandin();
  await env.DB.exec('DELETE FROM blocked_numbers; DELETE FROM acl_entries; DELETE FROM lines');
  await createTestLine({ default_country: 'FR' });
  await createTestLine({ slug: 'other' });
});

describe('the console’s block list', () => {
  it('blocks a number on the line (read in its country), lists it, and unblocks it', async () => {
    const added = await as(ADMIN, '/v1/console/lines/ai-agent/blocked', 'POST', {
      number: '06 12 34 56 78',
      reason: 'spam',
    });
    expect(added.status).toBe(201);
    const { blocked } = (await added.json()) as { blocked: Block };
    expect(blocked).toMatchObject({ e164: '+33612345678', line: 'ai-agent', reason: 'spam' });
    // A block on every line (admin API only) and one on another line are not this line's.
    await adminFetch('/v1/admin/blocked-numbers', { body: { number: '+1 415 555 0100' } });
    await adminFetch('/v1/admin/blocked-numbers', {
      body: { number: '+1 415 555 0101', line: 'other' },
    });
    const listed = (await (await as(ADMIN, '/v1/console/lines/ai-agent/blocked')).json()) as {
      blocked: Block[];
    };
    expect(listed.blocked.map((b) => b.e164)).toEqual(['+33612345678']);
    // The edge gets it with the line's config.
    const config = (await (await edgeFetch('/v1/edge/config')).json()) as {
      lines: { slug: string; blocked: string[] }[];
    };
    expect(config.lines.find((l) => l.slug === 'ai-agent')!.blocked).toContain('0612345678');

    const removed = await as(ADMIN, `/v1/console/lines/ai-agent/blocked/${blocked.id}`, 'DELETE');
    expect(removed.status).toBe(204);
    const after = (await (await as(ADMIN, '/v1/console/lines/ai-agent/blocked')).json()) as {
      blocked: Block[];
    };
    expect(after.blocked).toEqual([]);
  });

  it('refuses a number it cannot read with its kind, a duplicate with 409, another line’s block with 404', async () => {
    const bad = await as(ADMIN, '/v1/console/lines/ai-agent/blocked', 'POST', { number: 'abc' });
    expect(bad.status).toBe(400);
    const { issues } = (await bad.json()) as { issues: Record<string, unknown>[] };
    expect(issues).toEqual([expect.objectContaining({ path: 'number', code: 'invalid_number' })]);
    expect(JSON.stringify(issues)).not.toContain('abc');
    const line = { number: '+33 6 12 34 56 78' };
    expect((await as(ADMIN, '/v1/console/lines/ai-agent/blocked', 'POST', line)).status).toBe(201);
    expect((await as(ADMIN, '/v1/console/lines/ai-agent/blocked', 'POST', line)).status).toBe(409);
    const elsewhere = (await (
      await adminFetch('/v1/admin/blocked-numbers', {
        body: { number: '+14155550101', line: 'other' },
      })
    ).json()) as { blocked: Block };
    const wrongLine = await as(
      ADMIN,
      `/v1/console/lines/ai-agent/blocked/${elsewhere.blocked.id}`,
      'DELETE',
    );
    expect(wrongLine.status).toBe(404);
    expect((await as(ADMIN, '/v1/console/lines/nope/blocked')).status).toBe(404);
  });

  it('refuses an agent, who blocks nothing', async () => {
    const res = await as(AGENT, '/v1/console/lines/ai-agent/blocked', 'POST', {
      number: '+33612345678',
    });
    expect(res.status).toBe(403);
    const count = await env.DB.prepare('SELECT COUNT(*) AS n FROM blocked_numbers').first<{
      n: number;
    }>();
    expect(count!.n).toBe(0);
  });
});
