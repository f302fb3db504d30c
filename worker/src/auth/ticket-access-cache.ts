// Zendesk's answers to "may this agent see this ticket?", shared by the per-request check of the
// ticket in the path (agent-access.ts) and the check of a caller's other tickets (visible-tickets.ts).
import { TtlCache } from './ttl-cache';

/** How long an answer of Zendesk's (yes or no) is reused: a revoked grant takes effect within it. */
export const AGENT_CACHE_TTL_MS = 60_000;

const answers = new TtlCache<string, boolean>({ ttlMs: AGENT_CACHE_TTL_MS, maxEntries: 10_000 });
const key = (agentId: number, ticketId: number | string) => `${agentId}:${ticketId}`;

/**
 * The cached answer for (agent, ticket), or undefined when Zendesk must be asked.
 * @example cachedTicketAccess(20009, 1001) // true, false or undefined
 */
export function cachedTicketAccess(agentId: number, ticketId: number | string) {
  return answers.get(key(agentId, ticketId));
}

export function rememberTicketAccess(agentId: number, ticketId: number | string, allowed: boolean) {
  answers.set(key(agentId, ticketId), allowed);
}

export function clearTicketAccessCache(): void {
  answers.clear();
}
