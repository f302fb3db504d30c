import type { MiddlewareHandler } from 'hono';
import { timingSafeEqual } from 'hono/utils/buffer';
import type { Env } from '../env';
import { unauthorized } from '../http/problem';
import { acceptedSecrets, noteSecretUsed, type SecretRule } from './rotating-secret';

const ADMIN_TOKEN_RULE: SecretRule = {
  name: 'ADMIN_TOKEN',
  longEnough: (value) => value.length >= 16,
  minimum: '16 characters',
};

/**
 * Accepts `Authorization: Bearer <ADMIN_TOKEN>` (or, during a rotation, ADMIN_TOKEN_PREVIOUS),
 * compared in constant time with every accepted value.
 */
export function adminToken(): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const expected = c.env.ADMIN_TOKEN;
    if (!expected || !ADMIN_TOKEN_RULE.longEnough(expected)) {
      console.error('ADMIN_TOKEN is not configured (16+ characters); refusing admin requests');
      return unauthorized(c);
    }
    const given = /^Bearer (.{1,512})$/.exec(c.req.header('Authorization') ?? '')?.[1];
    if (!given) return unauthorized(c);
    const secrets = acceptedSecrets(c.env, ADMIN_TOKEN_RULE, expected);
    // Every value is compared, so the time taken does not tell which one matched.
    const matches = await Promise.all(secrets.map((secret) => timingSafeEqual(given, secret)));
    const index = matches.indexOf(true);
    if (index < 0) return unauthorized(c);
    noteSecretUsed(ADMIN_TOKEN_RULE, index);
    await next();
  };
}
