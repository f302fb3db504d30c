// Show Multiple Tickets: `GET /api/v2/tickets/show_many?ids=1,2,3`, as the authenticated user sees them.
import { json } from 'itty-router';
import { canSeeTicket } from '../access';
import { forbidden, parameterMissing } from '../responses';
import { ticketJson } from '../serialize';
import type { StoredTicket } from '../store';
import { parseId, type ApiContext, type ApiRouter } from './context';

/** Zendesk: "This endpoint will return up to 100 tickets records." */
export const SHOW_MANY_MAX_IDS = 100;

export function registerTicketShowManyRoutes(router: ApiRouter): void {
  // Registered before `/api/v2/tickets/:id`, which would read `show_many` as a ticket id.
  router.get('/api/v2/tickets/show_many', showManyTickets);
}

/**
 * The listed tickets this user may see, in the order asked, each once. Unknown ids and tickets the
 * user may not see are left out (no 403 or 404 for one of them); ids past the first 100 are not
 * read. End-users get 403: the endpoint is allowed for agents only.
 */
function showManyTickets(_req: unknown, ctx: ApiContext): Response {
  const raw = ctx.searchParams.get('ids');
  if (raw === null || raw.trim() === '') return parameterMissing('ids');
  if (ctx.actor.role === 'end-user') return forbidden();
  const ids = [...new Set(raw.split(',').map((part) => parseId(part.trim())))]
    .filter((id): id is number => id !== null)
    .slice(0, SHOW_MANY_MAX_IDS);
  const tickets = ids
    .map((id) => ctx.store.tickets.get(id))
    .filter((t): t is StoredTicket => t !== undefined && canSeeTicket(ctx.actor, t));
  return json({
    tickets: tickets.map((t) => ticketJson(t, ctx.origin)),
    next_page: null,
    previous_page: null,
    count: tickets.length,
  });
}
