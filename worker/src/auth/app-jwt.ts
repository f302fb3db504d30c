import type { MiddlewareHandler } from 'hono';
import { verify } from 'hono/jwt';
import type { Env } from '../env';
import { unauthorized } from '../http/problem';
import { APP_JWT_AUDIENCE } from '@sip-bridge/contract/app-auth';
import { acceptedSecrets, noteSecretUsed, type SecretRule } from './rotating-secret';

/** Shortest shared secret accepted, in bytes: 32 random bytes, like the HS256 key it is. */
const APP_JWT_MIN_SECRET_BYTES = 32;
/** Longest token lifetime accepted, so a token lifted from a log is useless soon. */
const APP_JWT_MAX_LIFETIME_S = 3600;

export interface AppClaims {
  sub?: string;
  exp: number;
  iat?: number;
  aud: string;
}

const APP_JWT_SECRET_RULE: SecretRule = {
  name: 'APP_JWT_SECRET',
  longEnough: (value) => new TextEncoder().encode(value).length >= APP_JWT_MIN_SECRET_BYTES,
  minimum: `${APP_JWT_MIN_SECRET_BYTES} bytes`,
};

/** The token's claims when one of the secrets verifies it, with which one; null when none does. */
async function verifyWithAny(
  token: string,
  secrets: string[],
): Promise<{ claims: Partial<AppClaims>; index: number } | null> {
  // Every secret is tried, so the time taken does not tell which one matched.
  const results = await Promise.allSettled(
    secrets.map((secret) => verify(token, secret, { alg: 'HS256', aud: APP_JWT_AUDIENCE })),
  );
  const index = results.findIndex((r) => r.status === 'fulfilled');
  const hit = results[index];
  return hit?.status === 'fulfilled' ? { claims: hit.value as Partial<AppClaims>, index } : null;
}

/**
 * Accepts requests from the Zendesk sidebar app: an HS256 JWT signed by Zendesk's proxy with the
 * app's secure setting (the secret never reaches the browser), carried as `Authorization: Bearer`.
 * During a rotation a JWT signed with APP_JWT_SECRET_PREVIOUS is accepted too.
 */
export function appJwt(): MiddlewareHandler<{
  Bindings: Env;
  Variables: { appClaims: AppClaims };
}> {
  return async (c, next) => {
    const secret = c.env.APP_JWT_SECRET;
    if (!secret || !APP_JWT_SECRET_RULE.longEnough(secret)) {
      console.error(
        `APP_JWT_SECRET is missing or shorter than ${APP_JWT_MIN_SECRET_BYTES} bytes; refusing app requests (generate one with: openssl rand -base64 32)`,
      );
      return unauthorized(c);
    }
    const token = /^Bearer ([A-Za-z0-9_\-.]{10,4096})$/.exec(
      c.req.header('Authorization') ?? '',
    )?.[1];
    if (!token) return unauthorized(c);
    const verified = await verifyWithAny(
      token,
      acceptedSecrets(c.env, APP_JWT_SECRET_RULE, secret),
    );
    if (!verified) return unauthorized(c);
    const { claims } = verified;
    const now = Math.floor(Date.now() / 1000);
    // hono checks exp only when present: we require it, and a bounded lifetime.
    if (typeof claims.exp !== 'number' || claims.exp - now > APP_JWT_MAX_LIFETIME_S + 60) {
      return unauthorized(c);
    }
    noteSecretUsed(APP_JWT_SECRET_RULE, verified.index);
    c.set('appClaims', claims as AppClaims);
    await next();
  };
}
