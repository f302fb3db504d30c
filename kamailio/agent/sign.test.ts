import { createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import {
  signEdgeRequest,
  verifyEdgeSignature,
  type EdgeRequest,
} from '@sip-bridge/contract/edge-signature';
import { signEdgeRequestNode } from './sign';

const secret = 'edge-secret-0123456789';
const signedAt = 1_795_000_000;
const fixed = { timestamp: signedAt, nonce: 'abcdefghijklmnop0123' };

/** The retired v1 signed string: fields joined with '.', no host. */
const v1Input = (r: { method: string; path: string; body: string }) =>
  `${fixed.timestamp}.${fixed.nonce}.${r.method}.${r.path}.${r.body}`;

/** The Worker's verifier on a request carrying these headers. */
function verifyAt(req: EdgeRequest, headers: Record<string, string>) {
  return verifyEdgeSignature(secret, { ...req, headers: new Headers(headers), now: signedAt });
}

describe('signEdgeRequestNode', () => {
  it('signs exactly as the Worker-side signEdgeRequest does, and the Worker verifies it', async () => {
    const req = {
      method: 'post',
      url: 'https://Bridge.Example.com/v1/edge/events?x=1',
      body: '{"events":[{"call_id":"ü@x"}]}',
      ...fixed,
    };
    const headers = signEdgeRequestNode(secret, req);
    expect(headers['X-Bridge-Signature']).toMatch(/^v2=[0-9a-f]{64}$/);
    expect(headers).toEqual(await signEdgeRequest(secret, req));
    expect(signEdgeRequestNode(`${secret}x`, req)).not.toEqual(headers);
    await expect(verifyAt({ ...req, method: 'POST' }, headers)).resolves.toEqual({
      ok: true,
      timestamp: signedAt,
      nonce: fixed.nonce,
    });
  });

  it.each([
    ['a path dot moved into the body', '/v1/edge/a.b', '{}', '/v1/edge/a', 'b.{}'],
    ['a body starting with the old delimiter', '/v1/edge/events', '.x', '/v1/edge/events.', 'x'],
  ])('tells apart requests v1 signed alike: %s', async (_label, pathA, bodyA, pathB, bodyB) => {
    const a = { method: 'POST', url: `http://bridge.test${pathA}`, body: bodyA, ...fixed };
    const b = { method: 'POST', url: `http://bridge.test${pathB}`, body: bodyB, ...fixed };
    const v1 = (path: string, body: string) =>
      createHmac('sha256', secret)
        .update(v1Input({ method: 'POST', path, body }))
        .digest('hex');
    expect(v1(pathA, bodyA)).toBe(v1(pathB, bodyB));

    const signedA = signEdgeRequestNode(secret, a);
    expect(signedA['X-Bridge-Signature']).not.toBe(
      signEdgeRequestNode(secret, b)['X-Bridge-Signature'],
    );
    expect(await verifyAt(a, signedA)).toMatchObject({ ok: true });
    expect(await verifyAt(b, signedA)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('signs the host: lower-cased, with a non-default port only, refused for another host', async () => {
    const at = (url: string) => ({ method: 'GET', url, body: '', ...fixed });
    const sig = (url: string) => signEdgeRequestNode(secret, at(url))['X-Bridge-Signature'];
    expect(sig('https://BRIDGE.example.com:443/v1/edge/lines')).toBe(
      sig('https://bridge.example.com/v1/edge/lines'),
    );
    expect(sig('https://bridge.example.com:8443/v1/edge/lines')).not.toBe(
      sig('https://bridge.example.com/v1/edge/lines'),
    );
    const headers = signEdgeRequestNode(secret, at('https://staging.example.com/v1/edge/lines'));
    expect(await verifyAt(at('https://bridge.example.com/v1/edge/lines'), headers)).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('refuses a v1 signature with reason version, whatever else it carries', async () => {
    const req = { method: 'POST', url: 'http://bridge.test/v1/edge/events', body: '{}', ...fixed };
    const headers = {
      ...signEdgeRequestNode(secret, req),
      'X-Bridge-Signature': `v1=${'0'.repeat(64)}`,
    };
    expect(await verifyAt(req, headers)).toEqual({ ok: false, reason: 'version', version: 1 });
  });

  it('refuses to sign a field with no canonical form', () => {
    const req = { method: 'GET', url: 'http://bridge.test/', body: '' };
    expect(() => signEdgeRequestNode(secret, { ...req, nonce: 'short' })).toThrow(/nonce/);
    expect(() => signEdgeRequestNode(secret, { ...req, method: 'GET\nX' })).toThrow(/method/);
  });

  it('uses a fresh 32-hex-digit nonce and the current time by default', () => {
    vi.useFakeTimers({ now: Date.parse('2026-11-21T08:00:00.900Z'), toFake: ['Date'] });
    try {
      const req = { method: 'GET', url: 'http://127.0.0.1:8787/', body: '' };
      const a = signEdgeRequestNode('s'.repeat(16), req);
      const b = signEdgeRequestNode('s'.repeat(16), req);
      expect(a['X-Bridge-Nonce']).toMatch(/^[0-9a-f]{32}$/);
      expect(a['X-Bridge-Nonce']).not.toBe(b['X-Bridge-Nonce']);
      // Whole seconds since the epoch, rounded down.
      expect(a['X-Bridge-Timestamp']).toBe(String(Date.UTC(2026, 10, 21, 8, 0, 0) / 1000));
    } finally {
      vi.useRealTimers();
    }
  });
});
