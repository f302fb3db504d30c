import type { MiddlewareHandler } from 'hono';
import type { Env } from '../env';
import { apiError, unauthorized } from '../http/problem';
import {
  SIGNATURE_WINDOW_S,
  signatureVersionMessage,
  verifyEdgeSignatureWithAny,
} from '@sip-bridge/contract/edge-signature';
import { acceptedSecrets, noteSecretUsed, type SecretRule } from './rotating-secret';

const EDGE_SECRET_RULE: SecretRule = {
  name: 'EDGE_SECRET',
  longEnough: (value) => value.length >= 16,
  minimum: '16 characters',
};

/** A verified request's nonce, to be spent exactly once. */
export interface EdgeNonce {
  nonce: string;
  expiresAt: number;
}

/**
 * Routes that spend the nonce themselves, in the same D1 transaction as their write, so a cached
 * decision costs one round trip. They must call spendNonce() or guard their write on the nonce.
 */
const NONCE_SPENT_BY_ROUTE = new Set(['/v1/edge/decisions']);

/** The statement that records a nonce; it changes no row when the nonce was already seen. */
export function nonceInsert(db: D1Database, n: EdgeNonce): D1PreparedStatement {
  return db
    .prepare(
      'INSERT INTO edge_nonces (nonce, expires_at) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING',
    )
    .bind(n.nonce, n.expiresAt);
}

/** Records the nonce; false when it was already used (a replay). */
export async function spendNonce(db: D1Database, n: EdgeNonce): Promise<boolean> {
  return (await nonceInsert(db, n).run()).meta.changes === 1;
}

/**
 * Refuses edge requests that are unsigned, badly signed, signed for another host, outside the time
 * window, or replayed; a nonce is accepted once. An older scheme (v1) gets its own 401 code,
 * `signature_version`, so an agent left behind says why; every other failure stays uniform.
 * During a rotation a request signed with EDGE_SECRET_PREVIOUS is accepted too.
 */
export function edgeSignature(): MiddlewareHandler<{
  Bindings: Env;
  Variables: { edgeNonce: EdgeNonce };
}> {
  return async (c, next) => {
    const secret = c.env.EDGE_SECRET;
    if (!secret || !EDGE_SECRET_RULE.longEnough(secret)) {
      console.error('EDGE_SECRET is not configured (16+ characters); refusing edge requests');
      return unauthorized(c);
    }
    const url = new URL(c.req.url);
    const now = Math.floor(Date.now() / 1000);
    const verified = await verifyEdgeSignatureWithAny(
      acceptedSecrets(c.env, EDGE_SECRET_RULE, secret),
      {
        now,
        method: c.req.method,
        url,
        headers: c.req.raw.headers,
        body: () => c.req.text(),
      },
    );
    if (!verified.ok) {
      if (verified.reason === 'version') {
        return apiError(c, 401, 'signature_version', signatureVersionMessage(verified.version));
      }
      return unauthorized(c);
    }
    noteSecretUsed(EDGE_SECRET_RULE, verified.secretIndex);

    // Only a correctly signed request may spend a nonce, so forgeries cannot fill the table.
    const edgeNonce = { nonce: verified.nonce, expiresAt: now + SIGNATURE_WINDOW_S * 2 };
    c.set('edgeNonce', edgeNonce);
    if (!NONCE_SPENT_BY_ROUTE.has(url.pathname) && !(await spendNonce(c.env.DB, edgeNonce))) {
      return unauthorized(c);
    }
    if (Math.random() < 0.01) {
      c.executionCtx.waitUntil(
        c.env.DB.prepare('DELETE FROM edge_nonces WHERE expires_at < ?').bind(now).run(),
      );
    }
    await next();
  };
}
