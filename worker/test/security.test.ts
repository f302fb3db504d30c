import { env, exports } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { OPEN_TICKET_ID } from '@sip-bridge/zendesk-standin/seed';
import { signEdgeRequest } from '@sip-bridge/contract/edge-signature';
import {
  adminFetch,
  appFetch,
  appToken,
  BASE,
  callRow,
  createTestLine,
  decide,
  edgeFetch,
  installStandin,
  invite,
} from './harness';

beforeEach(async () => {
  installStandin();
  await env.DB.exec('DELETE FROM calls; DELETE FROM lines');
  await createTestLine();
});

const expectUnauthorized = async (res: Response) => {
  expect(res.status).toBe(401);
  // The same answer whatever failed, so it tells an attacker nothing.
  expect(await res.json()).toEqual({
    error: 'unauthorized',
    message: 'Missing or invalid credentials.',
  });
};

describe('edge requests (HMAC v2 over timestamp, nonce, method, host, path and body)', () => {
  const path = '/v1/edge/decisions';

  it('refuses an unsigned request', async () => {
    const res = await exports.default.fetch(
      new Request(BASE + path, { method: 'POST', body: JSON.stringify(invite()) }),
    );
    await expectUnauthorized(res);
  });

  it('refuses a request signed with another secret', async () => {
    await expectUnauthorized(
      await edgeFetch(path, invite(), { secret: 'not-the-edge-secret-at-all' }),
    );
  });

  it('refuses a body changed after signing', async () => {
    const body = JSON.stringify(invite());
    const headers = await signEdgeRequest(env.EDGE_SECRET, {
      method: 'POST',
      url: BASE + path,
      body,
    });
    const tampered = body.replace('192.0.2.10', '192.0.2.66');
    await expectUnauthorized(
      await exports.default.fetch(
        new Request(BASE + path, { method: 'POST', headers, body: tampered }),
      ),
    );
  });

  it('refuses a signature made for another endpoint', async () => {
    const body = JSON.stringify({ events: [] });
    const headers = await signEdgeRequest(env.EDGE_SECRET, {
      method: 'POST',
      url: BASE + '/v1/edge/events',
      body,
    });
    await expectUnauthorized(
      await exports.default.fetch(new Request(BASE + path, { method: 'POST', headers, body })),
    );
  });

  it.each([
    ['stale', -120],
    ['from the future', 120],
  ])('refuses a %s timestamp', async (_label, offset) => {
    const timestamp = Math.floor(Date.now() / 1000) + offset;
    await expectUnauthorized(await edgeFetch(path, invite(), { timestamp }));
  });

  it.each([
    ['a decision that asks Zendesk', () => invite({ ticket_id: String(OPEN_TICKET_ID) })],
    [
      'a decision made without Zendesk (one D1 transaction)',
      () => invite({ from: 'sip:anonymous@anonymous.invalid' }),
    ],
    ['a reject', () => invite({ line: 'unknown-line' })],
  ])('refuses a replay of %s inside the window, writing nothing', async (_label, make) => {
    const req = make();
    const nonce = `replay-${crypto.randomUUID()}`;
    expect((await edgeFetch(path, req, { nonce })).status).toBe(200);
    const before = await env.DB.prepare('SELECT seq, updated_at FROM calls WHERE call_id = ?')
      .bind(req.call_id)
      .first();
    await expectUnauthorized(await edgeFetch(path, req, { nonce }));
    const after = await env.DB.prepare('SELECT seq, updated_at FROM calls WHERE call_id = ?')
      .bind(req.call_id)
      .first();
    expect(after).toEqual(before);
  });

  it('refuses a replayed event batch', async () => {
    const batch = { events: [{ call_id: 'x@y', kind: 'answered', at: new Date().toISOString() }] };
    const nonce = `replay-${crypto.randomUUID()}`;
    expect((await edgeFetch('/v1/edge/events', batch, { nonce })).status).toBe(200);
    await expectUnauthorized(await edgeFetch('/v1/edge/events', batch, { nonce }));
  });

  it('refuses a malformed signature header', async () => {
    const res = await edgeFetch(path, invite(), { headers: { 'X-Bridge-Signature': 'v2=zz' } });
    await expectUnauthorized(res);
  });
});

describe('sidebar app requests (ZAF-proxy-signed JWT)', () => {
  const path = `/v1/tickets/${OPEN_TICKET_ID}/calls`;

  it('accepts a valid token', async () => {
    expect((await appFetch(path)).status).toBe(200);
  });

  it('refuses a missing token', async () => {
    await expectUnauthorized(await exports.default.fetch(new Request(BASE + path)));
  });

  it('refuses a token signed with another secret', async () => {
    await expectUnauthorized(
      await appFetch(path, await appToken({}, 'another-secret-0123456789abcdef')),
    );
  });

  it.each([
    ['expired', { exp: Math.floor(Date.now() / 1000) - 10 }],
    ['without exp', { exp: undefined }],
    ['for another audience', { aud: 'someone-else' }],
    ['valid for a day', { exp: Math.floor(Date.now() / 1000) + 86_400 }],
  ])('refuses a token %s', async (_label, claims) => {
    await expectUnauthorized(await appFetch(path, await appToken(claims)));
  });

  it('refuses an unsigned "alg: none" token', async () => {
    const part = (o: object) =>
      btoa(JSON.stringify(o)).replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_');
    const token = `${part({ alg: 'none', typ: 'JWT' })}.${part({ aud: 'sip-bridge-api', exp: 9999999999 })}.`;
    await expectUnauthorized(await appFetch(path, token));
  });

  it('does not accept the admin token or an edge signature as app credentials', async () => {
    await expectUnauthorized(await appFetch(path, env.ADMIN_TOKEN));
  });
});

describe('administration (admin token)', () => {
  it.each([
    ['missing', ''],
    ['wrong', 'wrong-token-wrong-token-wrong'],
    ['a prefix of the right one', 'test-admin-token'],
  ])('refuses a %s token', async (_label, token) => {
    await expectUnauthorized(await adminFetch('/v1/admin/lines', { token }));
  });

  it('guards reports and the OpenAPI document too', async () => {
    await expectUnauthorized(
      await adminFetch('/v1/reports/usage?from=2026-01-01&to=2026-01-02', { token: 'x' }),
    );
    await expectUnauthorized(await exports.default.fetch(new Request(`${BASE}/openapi.json`)));
  });

  it('serves the OpenAPI document to an admin, describing every endpoint', async () => {
    const res = await adminFetch('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/health',
        '/v1/edge/decisions',
        '/v1/edge/events',
        '/v1/edge/config',
        '/v1/tickets/{ticket_id}/calls',
        '/v1/reports/calls/export',
        '/v1/reports/usage',
        '/v1/admin/lines',
        '/v1/admin/blocked-numbers',
      ]),
    );
  });

  it('leaves health open', async () => {
    const res = await exports.default.fetch(new Request(`${BASE}/health`));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', database: 'ok' });
  });
});

describe('bad bodies', () => {
  it('answers 400 with field paths for an invalid decision request', async () => {
    const bad = { ...invite(), ticket_id: '12ab', source: { ip: 'not-an-ip' }, codecs: 'PCMU' };
    const res = await edgeFetch('/v1/edge/decisions', bad);
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      error: string;
      issues: { path: string; message: string }[];
    };
    expect(body.error).toBe('invalid_request');
    expect(body.issues.map((i) => i.path).sort()).toEqual(['codecs', 'source.ip', 'ticket_id']);
    expect(body.issues.find((i) => i.path === 'ticket_id')?.message).toBe('must be 1-19 digits');
  });

  it('refuses header values carrying CR or LF', async () => {
    const req = invite();
    req.sip.user_agent = 'x\r\nX-Zendesk-Ticket-Id: 1';
    const res = await edgeFetch('/v1/edge/decisions', req);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { issues: { path: string }[] }).issues[0]?.path).toBe(
      'sip.user_agent',
    );
  });

  it('answers 400 invalid_json for a body that is not JSON, and writes nothing', async () => {
    const before = await env.DB.prepare('SELECT COUNT(*) AS n FROM calls').first<{ n: number }>();
    const res = await edgeFetch('/v1/edge/decisions', '{"call_id": "x", ');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_json');
    const after = await env.DB.prepare('SELECT COUNT(*) AS n FROM calls').first<{ n: number }>();
    expect(after?.n).toBe(before?.n);
  });

  it('answers 413 for an oversized body', async () => {
    const res = await edgeFetch('/v1/edge/decisions', {
      ...invite(),
      padding: 'x'.repeat(300 * 1024),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toBe('payload_too_large');
  });

  it('answers 400 with the path for an invalid line (bad CIDR, non-SIP target)', async () => {
    const res = await adminFetch('/v1/admin/lines', {
      body: {
        slug: 'bad',
        name: 'Bad',
        sip_targets: ['http://example.com'],
        default_country: 'XX',
        acl: [{ cidr: '10.0.0.1/8' }],
      },
    });
    expect(res.status).toBe(400);
    const issues = ((await res.json()) as { issues: { path: string; message: string }[] }).issues;
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'sip_targets[0]', message: 'must be a sip: or sips: URI with a host' },
        { path: 'acl[0].cidr', message: 'host bits are set; the network is 10.0.0.0/8' },
        expect.objectContaining({ path: 'default_country' }),
      ]),
    );
  });

  it('stores SQL-looking input verbatim', async () => {
    const sneaky = `"Robert'); DROP TABLE calls;--" <sip:+14155550100@carrier.example>`;
    const req = invite({ from: sneaky });
    req.sip.user_agent = "1' OR '1'='1";
    expect((await decide(req)).status).toBe(200);
    const row = await callRow(req.call_id);
    expect(row?.from_uri).toBe(sneaky);
    expect(row?.user_agent).toBe("1' OR '1'='1");
    expect(
      await env.DB.prepare("SELECT name FROM sqlite_master WHERE name = 'calls'").first(),
    ).not.toBeNull();
  });
});
