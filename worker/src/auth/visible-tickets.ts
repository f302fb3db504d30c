// Which of several tickets the signed-in agent may see, asked of Zendesk as them in one request
// (Show Multiple Tickets), with the answers cached per (agent, ticket) like the ticket in the path.
import { z } from 'zod';
import { getAsAgent } from '../zendesk/as-agent';
import { cachedTicketAccess, rememberTicketAccess } from './ticket-access-cache';

/** Zendesk's Show Multiple Tickets returns up to 100 tickets a request. */
const SHOW_MANY_MAX_IDS = 100;

const ShowManySchema = z.object({ tickets: z.array(z.object({ id: z.number().int() })) });

export type VisibleTickets =
  | { kind: 'ok'; visible: ReadonlySet<number> }
  | { kind: 'unauthorized' }
  | { kind: 'unavailable'; retryAfterS: number; reason: string };

export interface VisibleTicketsQuery {
  baseUrl: string;
  /** The agent's OAuth access token: Zendesk answers as them. */
  token: string;
  agentId: number;
  ticketIds: readonly number[];
}

/**
 * The subset of `ticketIds` Zendesk lets the agent see. Cached answers are used first; the rest go
 * in one `GET /api/v2/tickets/show_many.json?ids=…` as the agent (at most 100 ids, more are treated
 * as not visible). A ticket missing from Zendesk's answer is not visible, and so is every one when
 * Zendesk refuses the request as a whole (403, 404); neither is guessed at. Zendesk unreachable,
 * slow or rate limiting: 'unavailable', nothing assumed.
 *
 * @example
 * const seen = await visibleTickets({ baseUrl, token, agentId: 20009, ticketIds: [1001, 1002] });
 * if (seen.kind === 'ok') seen.visible.has(1002);
 */
export async function visibleTickets(query: VisibleTicketsQuery): Promise<VisibleTickets> {
  const visible = new Set<number>();
  const unknown: number[] = [];
  for (const id of new Set(query.ticketIds)) {
    const cached = cachedTicketAccess(query.agentId, id);
    if (cached === undefined) unknown.push(id);
    else if (cached) visible.add(id);
  }
  const asked = unknown.slice(0, SHOW_MANY_MAX_IDS);
  if (asked.length === 0) return { kind: 'ok', visible };

  const path = `/api/v2/tickets/show_many.json?ids=${asked.join(',')}`;
  const answer = await getAsAgent(query.baseUrl, query.token, path, ShowManySchema);
  if (answer.kind === 'unavailable' || answer.kind === 'unauthorized') return answer;
  if (answer.kind !== 'ok') {
    // A refusal of the whole request says nothing about any one ticket: not visible, not cached.
    return { kind: 'ok', visible };
  }
  const returned = new Set(answer.body.tickets.map((t) => t.id));
  for (const id of asked) {
    const allowed = returned.has(id);
    rememberTicketAccess(query.agentId, id, allowed);
    if (allowed) visible.add(id);
  }
  return { kind: 'ok', visible };
}
