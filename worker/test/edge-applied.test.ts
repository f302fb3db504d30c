// The edge's report that it applied a config (POST /v1/edge/config/applied) and what the console's
// line API makes of it: per line, applied at the edge (since when), waiting for it, or no edge yet.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEMO_OAUTH_TOKENS } from '@sip-bridge/zendesk-standin/seed';
import { adminFetch, appFetch, createTestLine, edgeFetch, installStandin } from './harness';

const ADMIN = DEMO_OAUTH_TOKENS.apiUser;

beforeEach(async () => {
  installStandin();
  await env.DB.exec(
    'DELETE FROM acl_entries; DELETE FROM lines; DELETE FROM edge_applied; ' +
      'DELETE FROM edge_applied_lines; DELETE FROM edge_config_versions',
  );
  await createTestLine();
});

type Status = { state: string; applied_at?: string; edge_applied_at?: string };

/** Each line's `edge` as the console lists it, by slug. */
async function consoleStates(): Promise<Record<string, Status>> {
  const res = await appFetch('/v1/console/lines', undefined, { agentToken: ADMIN });
  expect(res.status).toBe(200);
  const { lines } = (await res.json()) as { lines: { slug: string; edge: Status }[] };
  return Object.fromEntries(lines.map((l) => [l.slug, l.edge]));
}

/** What the agent does: poll the config, then report its ETag applied at `at`. */
async function edgeApplies(at = new Date().toISOString()) {
  const config = await edgeFetch('/v1/edge/config');
  expect(config.status).toBe(200);
  const etag = config.headers.get('ETag')!;
  const res = await edgeFetch('/v1/edge/config/applied', { etag, applied_at: at });
  return { etag, res };
}

describe('the edge applied report', () => {
  it('says no edge has synced, then applied at the reported time, then waiting after a change', async () => {
    expect(await consoleStates()).toEqual({ 'ai-agent': { state: 'no_edge' } });

    const at = new Date(Date.now() - 1000).toISOString();
    const { res } = await edgeApplies(at);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ recorded: true });
    expect(await consoleStates()).toEqual({ 'ai-agent': { state: 'applied', applied_at: at } });

    // A new ACL entry changes what the edge must enforce: the line waits for the edge.
    const added = await adminFetch('/v1/admin/lines/ai-agent/acl', {
      body: { cidr: '198.51.100.0/24' },
    });
    expect(added.status).toBe(201);
    expect(await consoleStates()).toEqual({
      'ai-agent': { state: 'waiting', edge_applied_at: at },
    });

    const later = new Date().toISOString();
    await edgeApplies(later);
    expect(await consoleStates()).toEqual({
      'ai-agent': { state: 'applied', applied_at: later },
    });
  });

  it('keeps a line’s first applied time when only another line changed, and needs no edge for a rename', async () => {
    await createTestLine({ slug: 'paris', acl: [{ cidr: '203.0.113.0/24' }] });
    const first = new Date(Date.now() - 5000).toISOString();
    await edgeApplies(first);
    // A name is no part of the edge config: the line stays applied.
    await adminFetch('/v1/admin/lines/paris', { method: 'PATCH', body: { name: 'Paris' } });
    expect((await consoleStates()).paris).toEqual({ state: 'applied', applied_at: first });

    await adminFetch('/v1/admin/lines/paris/acl', { body: { cidr: '198.51.100.0/24' } });
    const states = await consoleStates();
    expect(states['ai-agent']).toEqual({ state: 'applied', applied_at: first });
    expect(states.paris).toEqual({ state: 'waiting', edge_applied_at: first });
    const second = new Date().toISOString();
    await edgeApplies(second);
    expect(await consoleStates()).toEqual({
      'ai-agent': { state: 'applied', applied_at: first },
      paris: { state: 'applied', applied_at: second },
    });
  });

  it('counts a disabled line applied once the edge no longer holds it', async () => {
    const first = new Date(Date.now() - 5000).toISOString();
    await edgeApplies(first);
    await adminFetch('/v1/admin/lines/ai-agent', { method: 'PATCH', body: { enabled: false } });
    expect((await consoleStates())['ai-agent']!.state).toBe('waiting');
    const second = new Date().toISOString();
    await edgeApplies(second);
    expect((await consoleStates())['ai-agent']).toEqual({ state: 'applied', applied_at: second });
  });

  it('refuses an ETag it never served, ignores an older report, and clamps a future time', async () => {
    const unknown = await edgeFetch('/v1/edge/config/applied', {
      etag: `"${'0'.repeat(32)}"`,
      applied_at: new Date().toISOString(),
    });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toBe('unknown_config');
    expect((await consoleStates())['ai-agent']).toEqual({ state: 'no_edge' });

    const now = new Date().toISOString();
    const { etag } = await edgeApplies(now);
    const older = await edgeFetch('/v1/edge/config/applied', {
      etag,
      applied_at: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(await older.json()).toEqual({ recorded: false });
    expect((await consoleStates())['ai-agent']).toEqual({ state: 'applied', applied_at: now });

    await adminFetch('/v1/admin/lines/ai-agent', { method: 'PATCH', body: { max_cps: 5 } });
    const future = Date.now() + 3600_000;
    await edgeApplies(new Date(future).toISOString());
    const applied = (await consoleStates())['ai-agent']!;
    expect(applied.state).toBe('applied');
    expect(Date.parse(applied.applied_at!)).toBeLessThanOrEqual(Date.now());
  });

  it('refuses reports that are unsigned or malformed, naming the field', async () => {
    const { etag } = await edgeApplies();
    const unsigned = await adminFetch('/v1/edge/config/applied', {
      body: { etag, applied_at: new Date().toISOString() },
    });
    expect(unsigned.status).toBe(401);
    const bad = await edgeFetch('/v1/edge/config/applied', { etag: 'abc', applied_at: 'soon' });
    expect(bad.status).toBe(400);
    const { issues } = (await bad.json()) as { issues: { path: string; message: string }[] };
    expect(issues.map((i) => i.path).sort()).toEqual(['applied_at', 'etag']);
    expect(JSON.stringify(issues)).not.toContain('soon');
  });

  it('gives each line of a console answer its edge state (create, show, patch)', async () => {
    await edgeApplies();
    const created = await appFetch('/v1/console/lines', undefined, {
      agentToken: ADMIN,
      method: 'POST',
      body: {
        slug: 'lyon',
        name: 'Lyon',
        sip_targets: ['sip:lyon@acme.sip.twilio.com'],
        default_country: 'FR',
        acl: [{ cidr: '198.51.100.0/24' }],
      },
    });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { line: { edge: Status } }).line.edge.state).toBe('waiting');
    const shown = await appFetch('/v1/console/lines/ai-agent', undefined, { agentToken: ADMIN });
    expect(((await shown.json()) as { line: { edge: Status } }).line.edge.state).toBe('applied');
  });
});
