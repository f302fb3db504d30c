import { describe, expect, it } from 'vitest';
import { signEdgeRequest, verifyEdgeSignature, verifyEdgeSignatureWithAny } from './edge-signature';

const current = 'edge-secret-new-0123456789abcdef';
const previous = 'edge-secret-old-0123456789abcdef';
const req = { method: 'POST', url: 'https://bridge.example/v1/edge/events', body: '{"events":[]}' };

async function received(secret: string) {
  const headers = new Headers(await signEdgeRequest(secret, req));
  return { ...req, headers };
}

describe('verifyEdgeSignatureWithAny (a rotation: current, then previous)', () => {
  it('says which secret verified', async () => {
    await expect(
      verifyEdgeSignatureWithAny([current, previous], await received(current)),
    ).resolves.toMatchObject({ ok: true, secretIndex: 0 });
    await expect(
      verifyEdgeSignatureWithAny([current, previous], await received(previous)),
    ).resolves.toMatchObject({ ok: true, secretIndex: 1 });
  });

  it('refuses a request signed with neither', async () => {
    await expect(
      verifyEdgeSignatureWithAny([current, previous], await received(`${previous}x`)),
    ).resolves.toEqual({ ok: false, reason: 'invalid' });
    await expect(verifyEdgeSignatureWithAny([], await received(current))).resolves.toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('leaves verifyEdgeSignature as it was: one secret, no index', async () => {
    const verified = await verifyEdgeSignature(current, await received(current));
    expect(verified.ok && Object.keys(verified).sort()).toEqual(['nonce', 'ok', 'timestamp']);
    await expect(verifyEdgeSignature(current, await received(previous))).resolves.toEqual({
      ok: false,
      reason: 'invalid',
    });
  });
});
