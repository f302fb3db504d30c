import { describe, expect, it } from 'vitest';
import { signEdgeRequest } from '../../worker/src/auth/edge-signature';
import { signEdgeRequestNode } from './sign';

describe('signEdgeRequestNode', () => {
  it('signs exactly as the Worker-side signEdgeRequest does', async () => {
    const req = {
      method: 'post',
      pathWithQuery: '/v1/edge/events?x=1',
      body: '{"events":[{"call_id":"ü@x"}]}',
      timestamp: 1_795_000_000,
      nonce: 'abcdefghijklmnop0123',
    };
    const secret = 'edge-secret-0123456789';
    expect(signEdgeRequestNode(secret, req)).toEqual(await signEdgeRequest(secret, req));
    expect(signEdgeRequestNode(`${secret}x`, req)).not.toEqual(await signEdgeRequest(secret, req));
  });

  it('uses a fresh 32-hex-digit nonce and the current time by default', () => {
    const a = signEdgeRequestNode('s'.repeat(16), { method: 'GET', pathWithQuery: '/', body: '' });
    const b = signEdgeRequestNode('s'.repeat(16), { method: 'GET', pathWithQuery: '/', body: '' });
    expect(a['X-Bridge-Nonce']).toMatch(/^[0-9a-f]{32}$/);
    expect(a['X-Bridge-Nonce']).not.toBe(b['X-Bridge-Nonce']);
    expect(Math.abs(Number(a['X-Bridge-Timestamp']) - Date.now() / 1000)).toBeLessThan(5);
  });
});
