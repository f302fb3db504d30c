import type { MiddlewareHandler } from 'hono';
import { verify } from 'hono/jwt';
import type { Env } from '../env';
import { unauthorized } from '../http/problem';
import { APP_JWT_AUDIENCE } from '@sip-bridge/contract/app-auth';

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

/**
 * Accepts requests from the Zendesk sidebar app: an HS256 JWT signed by Zendesk's proxy with the
 * app's secure setting (the secret never reaches the browser), carried as `Authorization: Bearer`.
 */
export function appJwt(): MiddlewareHandler<{
  Bindings: Env;
  Variables: { appClaims: AppClaims };
}> {
  return async (c, next) => {
    const secret = c.env.APP_JWT_SECRET;
    if (!secret || new TextEncoder().encode(secret).length < APP_JWT_MIN_SECRET_BYTES) {
      console.error(
        `APP_JWT_SECRET is missing or shorter than ${APP_JWT_MIN_SECRET_BYTES} bytes; refusing app requests (generate one with: openssl rand -base64 32)`,
      );
      return unauthorized(c);
    }
    const token = /^Bearer ([A-Za-z0-9_\-.]{10,4096})$/.exec(
      c.req.header('Authorization') ?? '',
    )?.[1];
    if (!token) return unauthorized(c);
    try {
      const claims = (await verify(token, secret, {
        alg: 'HS256',
        aud: APP_JWT_AUDIENCE,
      })) as Partial<AppClaims>;
      const now = Math.floor(Date.now() / 1000);
      // hono checks exp only when present: we require it, and a bounded lifetime.
      if (typeof claims.exp !== 'number' || claims.exp - now > APP_JWT_MAX_LIFETIME_S + 60) {
        return unauthorized(c);
      }
      c.set('appClaims', claims as AppClaims);
    } catch {
      return unauthorized(c);
    }
    await next();
  };
}
