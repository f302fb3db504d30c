import type { MiddlewareHandler } from 'hono';
import { apiError, unauthorized } from '../http/problem';
import { findLineConfig, type LineConfig } from '../lines/store';
import type { AppEnv } from '../router';
import { authenticateApiKey, type ApiKeyIdentity } from './api-keys';
import { takeHandoff } from './rate-limit';

/** The AI vendor a handoff request comes from: its key and the line the key is for. */
export type HandoffCaller = ApiKeyIdentity & { line: LineConfig };

/**
 * Accepts `Authorization: Bearer sbk_<id>_<secret>`, a line's API key: unknown, wrong and revoked
 * keys get the uniform 401; a key whose line is disabled 403; a key over its per-minute allowance
 * 429 with Retry-After. Sets `handoffCaller` for the route.
 */
export function apiKeyAuth(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = /^Bearer ([\x21-\x7e]{1,200})$/.exec(c.req.header('Authorization') ?? '')?.[1];
    const key = token ? await authenticateApiKey(c.env.DB, token) : null;
    const line = key ? await findLineConfig(c.env.DB, key.lineSlug) : null;
    if (!key || !line) return unauthorized(c);
    if (!line.enabled) {
      return apiError(
        c,
        403,
        'line_disabled',
        "This API key's line is disabled; an admin must enable it before handoffs are accepted.",
      );
    }
    const rate = await takeHandoff(c.env.DB, key.id, key.handoffsPerMinute, Date.now());
    if (!rate.ok) {
      c.header('Retry-After', String(rate.retryAfterS));
      return apiError(
        c,
        429,
        'rate_limited',
        `This API key may make ${key.handoffsPerMinute} handoff requests a minute; retry after the seconds in Retry-After.`,
      );
    }
    c.set('handoffCaller', { ...key, line });
    await next();
  };
}
