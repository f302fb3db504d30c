// Error bodies name the field and what is wrong, never what was sent: an unknown key or a bad value
// can be a secret a Zendesk proxy substituted (`{{setting.x}}`), and error bodies end up in logs.
import { env, exports } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { signEdgeRequest } from '@sip-bridge/contract/edge-signature';
import {
  adminFetch,
  appHeaders,
  BASE,
  createTestLine,
  edgeFetch,
  installStandin,
  invite,
} from './harness';

const CANARY = 'canary5ecret9f2e7b';
const SLUG_CANARY = 'canary-5ecret-9f2e7b';

beforeEach(async () => {
  installStandin();
  await env.DB.exec('DELETE FROM calls; DELETE FROM lines; DELETE FROM blocked_numbers');
  await createTestLine();
});

async function expectNoEcho(res: Response, status?: number) {
  const text = await res.text();
  if (status !== undefined) expect(res.status, text).toBe(status);
  expect(text.toLowerCase()).not.toContain(CANARY.toLowerCase());
  expect(text.toLowerCase()).not.toContain('5ecret');
  return text;
}

const withKey = <T extends object>(body: T) => ({ ...body, [CANARY]: 1 });

async function rawPost(path: string, body: string, headers: Record<string, string>) {
  return exports.default.fetch(
    new Request(BASE + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body,
    }),
  );
}

describe('edge endpoints (validly signed) echo nothing', () => {
  it.each([
    ['an unknown top-level key', withKey(invite())],
    ['an unknown nested key', { ...invite(), sip: withKey(invite().sip) }],
    ['a Call-ID', invite({ call_id: `has space ${CANARY}` })],
    ['a line', { ...invite(), line: SLUG_CANARY.toUpperCase() }],
    ['a source address', { ...invite(), source: { ip: CANARY } }],
    ['a transport', { ...invite(), source: { ip: '192.0.2.10', transport: CANARY } }],
    ['a ticket id', { ...invite(), ticket_id: CANARY }],
    ['a From with CR LF', invite({ from: `x\r\n${CANARY}` })],
    ['a budget', { ...invite(), budget_ms: CANARY }],
  ])('decisions: %s', async (_label, body) => {
    const res = await edgeFetch('/v1/edge/decisions', body);
    await expectNoEcho(res);
  });

  it('decisions: a 400 names the field path', async () => {
    const res = await edgeFetch('/v1/edge/decisions', { ...invite(), ticket_id: CANARY });
    const text = await expectNoEcho(res, 400);
    expect(JSON.parse(text).issues).toEqual([
      { path: 'ticket_id', message: 'must be 1-19 digits' },
    ]);
  });

  it.each([
    [
      'an unknown key',
      { events: [withKey({ call_id: 'c1', kind: 'ended', at: new Date().toISOString() })] },
    ],
    ['a kind', { events: [{ call_id: 'c1', kind: CANARY, at: new Date().toISOString() }] }],
    ['a time', { events: [{ call_id: 'c1', kind: 'ended', at: CANARY }] }],
    ['a top-level key', withKey({ events: [] })],
  ])('events: %s', async (_label, body) => {
    // Unknown keys on edge bodies are dropped (an older Worker must take a newer agent's events).
    await expectNoEcho(await edgeFetch('/v1/edge/events', body));
  });

  it('a body that is not JSON', async () => {
    const text = `{"call_id": "${CANARY}", ${CANARY}`;
    const headers = await signEdgeRequest(env.EDGE_SECRET, {
      method: 'POST',
      url: BASE + '/v1/edge/decisions',
      body: text,
    });
    const res = await rawPost('/v1/edge/decisions', text, headers);
    const body = await expectNoEcho(res, 400);
    expect(JSON.parse(body)).toMatchObject({ error: 'invalid_json' });
  });
});

describe('admin endpoints echo nothing', () => {
  const line = {
    slug: 'second',
    name: 'Second',
    sip_targets: ['sip:a@b.example'],
    default_country: 'US',
  };

  it('an unknown key names its object and counts, without naming the key', async () => {
    const res = await adminFetch('/v1/admin/lines/ai-agent', {
      method: 'PATCH',
      body: { [CANARY]: 'x', [`${CANARY}2`]: 'y' },
    });
    const text = await expectNoEcho(res, 400);
    expect(JSON.parse(text).issues).toEqual([{ path: '', message: 'has 2 unknown fields' }]);
  });

  it.each([
    ['an unknown key', withKey(line)],
    ['an unknown key in an ACL entry', { ...line, acl: [withKey({ cidr: '192.0.2.0/24' })] }],
    ['a slug', { ...line, slug: SLUG_CANARY.toUpperCase() }],
    ['an enum', { ...line, invalid_ticket: CANARY }],
    ['a country', { ...line, default_country: CANARY }],
    ['a SIP target', { ...line, sip_targets: [CANARY] }],
    ['a CIDR', { ...line, acl: [{ cidr: `${CANARY}/8` }] }],
    ['a CIDR prefix', { ...line, acl: [{ cidr: `10.0.0.0/${CANARY}` }] }],
    ['a type', { ...line, create_ticket: CANARY }],
  ])('create line: %s', async (_label, body) => {
    await expectNoEcho(await adminFetch('/v1/admin/lines', { body }), 400);
  });

  it('a duplicate slug (409) does not repeat the slug', async () => {
    await createTestLine({ slug: SLUG_CANARY });
    await expectNoEcho(
      await adminFetch('/v1/admin/lines', { body: { ...line, slug: SLUG_CANARY } }),
      409,
    );
    await expectNoEcho(await adminFetch(`/v1/admin/lines/${SLUG_CANARY}x`), 404);
  });

  it.each([
    ['an unknown key', withKey({ cidr: '192.0.2.0/24' })],
    ['a CIDR', { cidr: CANARY }],
  ])('add ACL entry: %s', async (_label, body) => {
    await expectNoEcho(await adminFetch('/v1/admin/lines/ai-agent/acl', { body }), 400);
  });

  it.each([
    ['an unknown key', withKey({ number: '+14155550100' })],
    ['a number', { number: CANARY }],
    ['a country', { number: '4155550100', country: CANARY }],
    ['an unknown line', { number: '+14155550100', line: SLUG_CANARY }],
  ])('block a number: %s', async (_label, body) => {
    const res = await adminFetch('/v1/admin/blocked-numbers', { body });
    expect(res.status).toBeGreaterThanOrEqual(400);
    await expectNoEcho(res);
  });

  it('a report query', async () => {
    await expectNoEcho(await adminFetch(`/v1/reports/calls/export?cursor=${CANARY}`), 400);
    await expectNoEcho(await adminFetch(`/v1/reports/usage?from=${CANARY}&to=x`), 400);
  });
});

describe('ticket endpoints echo nothing', () => {
  const put = async (path: string, body: string) =>
    exports.default.fetch(
      new Request(BASE + path, {
        method: 'PUT',
        // The app's JWT and the agent's OAuth token, as Zendesk's proxy sends them.
        headers: { ...(await appHeaders()), 'Content-Type': 'application/json' },
        body,
      }),
    );

  it.each([
    ['an unknown key', JSON.stringify({ user_id: 1, [CANARY]: 1 })],
    ['a value', JSON.stringify({ user_id: CANARY })],
    ['a body that is not JSON', `{"user_id": ${CANARY}`],
  ])('choose caller: %s', async (_label, body) => {
    await expectNoEcho(await put('/v1/tickets/1001/calls/c1/caller', body), 400);
  });

  it('path parameters', async () => {
    await expectNoEcho(await put(`/v1/tickets/${CANARY}/calls/c1/caller`, '{"user_id":1}'), 400);
  });
});
