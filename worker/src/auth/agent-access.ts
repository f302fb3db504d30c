// Per-agent authorization for the sidebar API: who the signed-in agent is, and whether Zendesk
// lets them see the ticket, both asked of Zendesk with the agent's own OAuth token.
import type { Context, MiddlewareHandler } from 'hono';
import type { Env } from '../env';
import { apiError } from '../http/problem';
import { getAsAgent, MeSchema, TicketVisibleSchema } from '../zendesk/as-agent';
import { AGENT_TOKEN_HEADER } from '@sip-bridge/contract/app-auth';
import { parseTicketId } from '@sip-bridge/contract/ticket-id';
import {
  AGENT_CACHE_TTL_MS,
  cachedTicketAccess,
  clearTicketAccessCache,
  rememberTicketAccess,
} from './ticket-access-cache';
import { TtlCache } from './ttl-cache';

/** The signed-in user as Zendesk knows them; an admin console can require `role: 'admin'`. */
export interface AgentIdentity {
  user_id: number;
  role: 'agent' | 'admin';
}

type IdentityOutcome = AgentIdentity | 'unauthorized' | 'not_agent';

const identities = new TtlCache<string, IdentityOutcome>({
  ttlMs: AGENT_CACHE_TTL_MS,
  maxEntries: 2000,
});

/** Forgets every cached identity and ticket answer (tests; a new isolate starts empty anyway). */
export function clearAgentAccessCache(): void {
  identities.clear();
  clearTicketAccessCache();
}

/** Cache key for a token: its SHA-256, so the isolate's memory holds no usable token. */
async function tokenKey(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** 401 sign_in_required: the app asks the agent to sign in to Zendesk again. */
export const signInAgain = (c: Context, message: string) =>
  apiError(c, 401, 'sign_in_required', message);

/** 503 zendesk_unavailable with Retry-After: Zendesk could not be asked, so nothing is answered. */
export const zendeskUnavailable = (c: Context, retryAfterS: number) => {
  c.header('Retry-After', String(retryAfterS));
  return apiError(
    c,
    503,
    'zendesk_unavailable',
    'Zendesk could not confirm who you are or which tickets you may see; try again shortly.',
  );
};

/**
 * The agent's OAuth token from the `X-Zendesk-Agent-Token` header (`Bearer <token>`), or undefined.
 * @example agentTokenFrom(c.req.header(AGENT_TOKEN_HEADER))
 */
export function agentTokenFrom(header: string | undefined): string | undefined {
  return /^Bearer ([\w.~+/=-]{8,1024})$/.exec(header ?? '')?.[1];
}

const refuseEndUser = (c: Context) =>
  apiError(c, 403, 'agent_required', 'Only Zendesk agents and admins can read SIP call details.');

/**
 * Who sent the request, from its `X-Zendesk-Agent-Token`: `GET /api/v2/users/me` as them, answered
 * from the per-token cache for 60 s. An agent or admin comes back with the token and its cache key;
 * anything else comes back as the response to send (401 sign_in_required, 503
 * zendesk_unavailable, or `refuseNonAgent` for end-users and anonymous users: 403 agent_required).
 */
export async function identifyAgent<E extends { Bindings: Env }>(
  c: Context<E>,
  refuseNonAgent: (c: Context) => Response = refuseEndUser,
): Promise<{ identity: AgentIdentity; token: string; key: string } | { refusal: Response }> {
  const token = agentTokenFrom(c.req.header(AGENT_TOKEN_HEADER));
  if (!token) {
    return {
      refusal: signInAgain(
        c,
        'The request carried no Zendesk sign-in for this agent; sign in again to authorize the app.',
      ),
    };
  }
  const key = await tokenKey(token);
  let identity = identities.get(key);
  if (identity === undefined) {
    const me = await getAsAgent(c.env.ZENDESK_BASE_URL, token, '/api/v2/users/me.json', MeSchema);
    if (me.kind === 'unavailable') {
      console.warn(`agent identity not checked: Zendesk ${me.reason}`);
      return { refusal: zendeskUnavailable(c, me.retryAfterS) };
    }
    if (me.kind === 'unauthorized') identity = 'unauthorized';
    else if (me.kind !== 'ok') identity = 'not_agent';
    else {
      const { id, role } = me.body.user;
      identity =
        id !== null && (role === 'agent' || role === 'admin') ? { user_id: id, role } : 'not_agent';
    }
    identities.set(key, identity);
  }
  if (identity === 'unauthorized') {
    return {
      refusal: signInAgain(
        c,
        'Zendesk no longer accepts your sign-in for this app; sign in again.',
      ),
    };
  }
  if (identity === 'not_agent') return { refusal: refuseNonAgent(c) };
  return { identity, token, key };
}

const TICKET_PATH = /^\/v1\/tickets\/([1-9][0-9]{0,15})(?:\/|$)/;

/**
 * For every /v1/tickets/... request (after the app JWT): identifies the agent with
 * `GET /api/v2/users/me` as them, refuses end-users and anonymous users (403), then checks with
 * `GET /api/v2/tickets/{id}` as them that they may see the ticket; a ticket they may not see is
 * answered exactly like one that does not exist (404). Zendesk down or rate limited: 503, never
 * a pass. Sets `agent` on the context.
 */
export function agentAccess(): MiddlewareHandler<{
  Bindings: Env;
  Variables: { agent: AgentIdentity };
}> {
  return async (c, next) => {
    const identified = await identifyAgent(c);
    if ('refusal' in identified) return identified.refusal;
    const { identity, token, key } = identified;
    c.set('agent', identity);

    // An id that cannot be a Zendesk ticket id is refused by the route itself (400, field named);
    // Zendesk is not asked about it.
    const ticketId = TICKET_PATH.exec(c.req.path)?.[1];
    if (ticketId !== undefined && parseTicketId(ticketId).ok) {
      let allowed = cachedTicketAccess(identity.user_id, ticketId);
      if (allowed === undefined) {
        const path = `/api/v2/tickets/${ticketId}.json`;
        const seen = await getAsAgent(c.env.ZENDESK_BASE_URL, token, path, TicketVisibleSchema);
        if (seen.kind === 'unavailable') {
          console.warn(`ticket access not checked: Zendesk ${seen.reason}`);
          return zendeskUnavailable(c, seen.retryAfterS);
        }
        if (seen.kind === 'unauthorized') {
          identities.set(key, 'unauthorized');
          return signInAgain(
            c,
            'Zendesk no longer accepts your sign-in for this app; sign in again.',
          );
        }
        allowed = seen.kind === 'ok' && String(seen.body.ticket.id) === ticketId;
        rememberTicketAccess(identity.user_id, ticketId, allowed);
      }
      if (!allowed) {
        return apiError(
          c,
          404,
          'ticket_not_found',
          'No such ticket, or Zendesk does not let you see it.',
        );
      }
    }
    await next();
  };
}
