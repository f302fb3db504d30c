import type { MiddlewareHandler } from 'hono';
import type { Env } from '../env';
import { unauthorized } from '../http/problem';

/** Headers the edge agent signs every request with. */
export const EDGE_HEADERS = {
  timestamp: 'X-Bridge-Timestamp',
  nonce: 'X-Bridge-Nonce',
  signature: 'X-Bridge-Signature',
} as const;

/** Requests older or newer than this many seconds are refused. */
export const SIGNATURE_WINDOW_S = 60;

const NONCE = /^[A-Za-z0-9_-]{16,64}$/;

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
const SIGNATURE = /^v1=([0-9a-f]{64})$/;
const encoder = new TextEncoder();

/** The exact bytes that are signed: timestamp, nonce, method, path with query, body. */
export function edgeSigningInput(p: {
  timestamp: string;
  nonce: string;
  method: string;
  pathWithQuery: string;
  body: string;
}): string {
  return `${p.timestamp}.${p.nonce}.${p.method.toUpperCase()}.${p.pathWithQuery}.${p.body}`;
}

/** Imported keys, per secret and usage: importKey on every request was a measurable cost. */
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  const id = `${usage}:${secret}`;
  let key = keys.get(id);
  if (!key) {
    key = crypto.subtle.importKey(
      'raw',
      encoder.encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      [usage],
    );
    // A rotated secret replaces the old one; two entries per secret at most are ever useful.
    if (keys.size >= 8) keys.clear();
    keys.set(id, key);
  }
  return key;
}

/**
 * Signs an edge request (used by the edge agent, benchmarks and tests).
 * @example
 * const headers = await signEdgeRequest(secret, { method: 'POST', pathWithQuery: '/v1/edge/decisions', body });
 */
export async function signEdgeRequest(
  secret: string,
  req: { method: string; pathWithQuery: string; body: string; timestamp?: number; nonce?: string },
): Promise<Record<string, string>> {
  const timestamp = String(req.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = req.nonce ?? crypto.randomUUID().replaceAll('-', '');
  const input = edgeSigningInput({ ...req, timestamp, nonce });
  const mac = await crypto.subtle.sign(
    'HMAC',
    await hmacKey(secret, 'sign'),
    encoder.encode(input),
  );
  const hex = [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return {
    [EDGE_HEADERS.timestamp]: timestamp,
    [EDGE_HEADERS.nonce]: nonce,
    [EDGE_HEADERS.signature]: `v1=${hex}`,
  };
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * Refuses edge requests that are unsigned, badly signed, outside the time window, or replayed.
 * The MAC check is crypto.subtle.verify, which compares in constant time; a nonce is accepted once.
 */
export function edgeSignature(): MiddlewareHandler<{
  Bindings: Env;
  Variables: { edgeNonce: EdgeNonce };
}> {
  return async (c, next) => {
    const secret = c.env.EDGE_SECRET;
    if (!secret || secret.length < 16) {
      console.error('EDGE_SECRET is not configured (16+ characters); refusing edge requests');
      return unauthorized(c);
    }
    const timestamp = c.req.header(EDGE_HEADERS.timestamp) ?? '';
    const nonce = c.req.header(EDGE_HEADERS.nonce) ?? '';
    const signature = SIGNATURE.exec(c.req.header(EDGE_HEADERS.signature) ?? '');
    const now = Math.floor(Date.now() / 1000);
    if (!/^\d{1,12}$/.test(timestamp) || !NONCE.test(nonce) || !signature?.[1])
      return unauthorized(c);
    if (Math.abs(now - Number(timestamp)) > SIGNATURE_WINDOW_S) return unauthorized(c);

    const url = new URL(c.req.url);
    const body = await c.req.text();
    const input = edgeSigningInput({
      timestamp,
      nonce,
      method: c.req.method,
      pathWithQuery: url.pathname + url.search,
      body,
    });
    const valid = await crypto.subtle.verify(
      'HMAC',
      await hmacKey(secret, 'verify'),
      hexToBytes(signature[1]),
      encoder.encode(input),
    );
    if (!valid) return unauthorized(c);

    // Only a correctly signed request may spend a nonce, so forgeries cannot fill the table.
    const edgeNonce = { nonce, expiresAt: now + SIGNATURE_WINDOW_S * 2 };
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
