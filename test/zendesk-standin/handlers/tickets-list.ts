// List Tickets: `GET /api/v2/tickets`, optionally `?external_id=`, as the authenticated user sees them.
import { json } from 'itty-router';
import { canSeeTicket } from '../access';
import { forbidden } from '../responses';
import { ticketJson } from '../serialize';
import type { ApiContext, ApiRouter } from './context';
import { LIST_RESULT_LIMIT, pageLinks, readOffsetPage } from './pagination';

export function registerTicketListRoutes(router: ApiRouter): void {
  router.get('/api/v2/tickets', listTickets);
}

/** UNCONFIRMED body: the 400 Zendesk gives past the first 10,000 offset records. */
function paginationError(description: string): Response {
  return json({ error: 'InvalidPaginationParameter', description }, { status: 400 });
}

/**
 * Tickets by id, smallest first (Zendesk's default order), 100 a page at most. `external_id`
 * keeps the tickets whose external id is exactly it: Zendesk's "Lists tickets by external id.
 * External ids don't have to be unique for each ticket", so several may come back. A restricted
 * agent gets only the tickets they may see; end-users 403 (allowed for agents). Offset pagination
 * only: `page[...]` cursor parameters, which Zendesk takes here, are not modelled and get a 400.
 */
function listTickets(_req: unknown, ctx: ApiContext): Response {
  if (ctx.actor.role === 'end-user') return forbidden();
  for (const key of ctx.searchParams.keys()) {
    if (key.startsWith('page[')) {
      return paginationError('The Zendesk stand-in lists tickets with offset pagination only');
    }
  }
  const page = readOffsetPage(ctx.searchParams);
  if (!page) return paginationError('page must be a whole number from 1');
  if ((page.page - 1) * page.perPage >= LIST_RESULT_LIMIT) {
    return paginationError('Offset pagination is limited to the first 10000 records');
  }
  const externalId = ctx.searchParams.get('external_id');
  const matches = [...ctx.store.tickets.values()]
    .filter((t) => externalId === null || t.external_id === externalId)
    .filter((t) => canSeeTicket(ctx.actor, t))
    .sort((a, b) => a.id - b.id);
  const start = (page.page - 1) * page.perPage;
  return json({
    tickets: matches.slice(start, start + page.perPage).map((t) => ticketJson(t, ctx.origin)),
    ...pageLinks(ctx, '/api/v2/tickets', page, Math.min(matches.length, LIST_RESULT_LIMIT)),
    count: matches.length,
  });
}
