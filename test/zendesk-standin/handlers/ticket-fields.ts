// Ticket fields: list and show (the ids and options a ticket's `custom_fields` may use).
import { json } from 'itty-router';
import { notFound } from '../responses';
import { ticketFieldJson } from '../serialize';
import { parseId, type ApiContext, type ApiRequest, type ApiRouter } from './context';

export function registerTicketFieldRoutes(router: ApiRouter): void {
  router.get('/api/v2/ticket_fields', listTicketFields).get('/api/v2/ticket_fields/:id', showField);
}

/** Without pagination parameters Zendesk returns every field, in position order. */
function listTicketFields(_req: ApiRequest, ctx: ApiContext): Response {
  const fields = [...ctx.store.ticketFields.values()].sort((a, b) => a.position - b.position);
  return json({
    ticket_fields: fields.map((f) => ticketFieldJson(f, ctx.origin)),
    next_page: null,
    previous_page: null,
    count: fields.length,
  });
}

function showField(req: ApiRequest, ctx: ApiContext): Response {
  const id = parseId(req.params.id);
  const field = id === null ? undefined : ctx.store.ticketFields.get(id);
  return field ? json({ ticket_field: ticketFieldJson(field, ctx.origin) }) : notFound();
}
