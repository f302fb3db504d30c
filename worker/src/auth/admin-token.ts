import type { MiddlewareHandler } from 'hono';
import { timingSafeEqual } from 'hono/utils/buffer';
import type { Env } from '../env';
import { unauthorized } from '../http/problem';

/** Accepts `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. */
export function adminToken(): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const expected = c.env.ADMIN_TOKEN;
    if (!expected || expected.length < 16) {
      console.error('ADMIN_TOKEN is not configured (16+ characters); refusing admin requests');
      return unauthorized(c);
    }
    const given = /^Bearer (.{1,512})$/.exec(c.req.header('Authorization') ?? '')?.[1];
    if (!given || !(await timingSafeEqual(given, expected))) return unauthorized(c);
    await next();
  };
}
