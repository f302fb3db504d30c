// Admin authorization for the admin console inside Zendesk (/v1/console/*): the sidebar's
// per-agent proof, plus Zendesk's word that this user is an admin.
import type { Context, MiddlewareHandler } from 'hono';
import type { Env } from '../env';
import { apiError } from '../http/problem';
import { identifyAgent, type AgentIdentity } from './agent-access';

/** 403 admin_required: the console is for Zendesk admins; the app shows no console for others. */
const adminRequired = (c: Context) =>
  apiError(
    c,
    403,
    'admin_required',
    'Only Zendesk admins can use the SIP bridge console; ask an admin of this Zendesk account.',
  );

/**
 * For every /v1/console/... request (after the app JWT): asks Zendesk as the signed-in user who
 * they are (`GET /api/v2/users/me` with their OAuth token, cached 60 s per token like the
 * sidebar's check) and lets only `role: 'admin'` through. A JWT built in the browser is never
 * enough: agents and end-users get 403 admin_required, a missing or refused sign-in 401
 * sign_in_required, Zendesk unreachable 503. Sets `agent` on the context.
 */
export function consoleAdmin(): MiddlewareHandler<{
  Bindings: Env;
  Variables: { agent: AgentIdentity };
}> {
  return async (c, next) => {
    const identified = await identifyAgent(c, adminRequired);
    if ('refusal' in identified) return identified.refusal;
    if (identified.identity.role !== 'admin') return adminRequired(c);
    c.set('agent', identified.identity);
    await next();
  };
}
