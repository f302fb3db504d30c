// Tags API on tickets: `PUT /api/v2/tickets/{id}/tags` (Add Tags) adds to the ticket's tags and
// answers them all; tags already there are not repeated. A closed ticket cannot be changed.
import { json } from 'itty-router';
import { isRecord, isStringArray, parameterMissing, recordInvalid } from '../responses';
import type { ApiContext, ApiRequest, ApiRouter } from './context';
import { findTicket } from './tickets';

export function registerTicketTagRoutes(router: ApiRouter): void {
  router.put('/api/v2/tickets/:id/tags', addTags);
}

function addTags(req: ApiRequest, ctx: ApiContext): Response {
  const ticket = findTicket(req, ctx);
  if (ticket instanceof Response) return ticket;
  const tags = isRecord(ctx.body) ? ctx.body.tags : undefined;
  if (tags === undefined) return parameterMissing('tags');
  if (!isStringArray(tags)) {
    return recordInvalid({ tags: [{ description: 'Tags: must be an array of strings' }] });
  }
  if (ticket.status === 'closed') {
    return recordInvalid({ status: [{ description: 'Status: closed prevents ticket update' }] });
  }
  const added = tags.filter((t) => !ticket.tags.includes(t));
  if (added.length) {
    ticket.tags = [...new Set([...ticket.tags, ...added])];
    ticket.updatedAt = ctx.options.now();
  }
  return json({ tags: ticket.tags });
}
