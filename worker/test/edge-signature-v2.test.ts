import { env, exports } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { signEdgeRequest } from '@sip-bridge/contract/edge-signature';
import { BASE, createTestLine, edgeFetch, installStandin, invite } from './harness';

beforeEach(async () => {
  installStandin();
  await env.DB.exec('DELETE FROM calls; DELETE FROM lines');
  await createTestLine();
});

const UNAUTHORIZED = { error: 'unauthorized', message: 'Missing or invalid credentials.' };

/** Sends a POST with exactly these headers and body. */
const post = (path: string, headers: Record<string, string>, body: string) =>
  exports.default.fetch(
    new Request(BASE + path, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body,
    }),
  );

describe('edge signature v2', () => {
  it('accepts a v2 signature for this host', async () => {
    expect((await edgeFetch('/v1/edge/decisions', invite())).status).toBe(200);
  });

  it('refuses a signature made for another host', async () => {
    const res = await edgeFetch('/v1/edge/decisions', invite(), {
      signedFor: 'https://other-bridge.example.com',
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(UNAUTHORIZED);
  });

  it('refuses the same signature once the body moves a path dot (one v1 signed string)', async () => {
    // v1 signed both as "<ts>.<nonce>.POST./v1/edge/events.x.{...}".
    const body = '{"events":[]}';
    const headers = await signEdgeRequest(env.EDGE_SECRET, {
      method: 'POST',
      url: `${BASE}/v1/edge/events`,
      body: `.x${body}`,
    });
    const res = await post('/v1/edge/events.x', headers, body);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(UNAUTHORIZED);
  });

  it('answers a v1 signature with signature_version and what to upgrade', async () => {
    const body = JSON.stringify(invite());
    const signed = await signEdgeRequest(env.EDGE_SECRET, {
      method: 'POST',
      url: `${BASE}/v1/edge/decisions`,
      body,
    });
    const v1 = {
      ...signed,
      'X-Bridge-Signature': signed['X-Bridge-Signature']!.replace('v2=', 'v1='),
    };
    const res = await post('/v1/edge/decisions', v1, body);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: 'signature_version',
      message: 'Edge signature v1 is no longer accepted: upgrade the edge agent (it must sign v2)',
    });
    // Nothing was decided or spent: the same nonce signed v2 still goes through.
    expect((await post('/v1/edge/decisions', signed, body)).status).toBe(200);
  });

  it('keeps the uniform 401 for a missing or malformed signature', async () => {
    const body = JSON.stringify(invite());
    for (const signature of [undefined, 'v2=zz', 'hmac=abc']) {
      const signed = await signEdgeRequest(env.EDGE_SECRET, {
        method: 'POST',
        url: `${BASE}/v1/edge/decisions`,
        body,
      });
      const headers: Record<string, string> = { ...signed };
      if (signature === undefined) delete headers['X-Bridge-Signature'];
      else headers['X-Bridge-Signature'] = signature;
      const res = await post('/v1/edge/decisions', headers, body);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual(UNAUTHORIZED);
    }
  });
});
