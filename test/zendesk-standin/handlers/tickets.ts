// Tickets: show, create, update (comments, voice comments, status, tags, priority, external id,
// custom fields) and list comments.
import { json } from 'itty-router';
import { htmlToText } from '../comment-html';
import { canSeeTicket } from '../access';
import {
  FieldErrorList,
  forbidden,
  isPositiveInteger,
  isRecord,
  isStringArray,
  notFound,
  parameterMissing,
  recordInvalid,
  updateConflict,
} from '../responses';
import { commentJson, ticketJson, ticketUrl, zendeskTime } from '../serialize';
import { MAX_COMMENTS_PER_TICKET, TICKET_STATUSES, type TicketStatus } from '../store';
import type { StoredTicket, VoiceCommentData } from '../store';
import { parseId, type ApiContext, type ApiRequest, type ApiRouter } from './context';
import { mergeCustomFields, readCustomFields, readPriority } from './custom-fields';
import { parseVoiceComment, voiceCommentBody } from './voice-comment';

export function registerTicketRoutes(router: ApiRouter): void {
  router
    .get('/api/v2/tickets/:id/comments', listComments)
    .get('/api/v2/tickets/:id', showTicket)
    .post('/api/v2/tickets', createTicket)
    .put('/api/v2/tickets/:id', updateTicket);
}

/** The ticket named in the path, or the answer Zendesk gives: 404 unknown, 403 not visible. */
export function findTicket(req: ApiRequest, ctx: ApiContext): StoredTicket | Response {
  const id = parseId(req.params.id);
  const ticket = id === null ? undefined : ctx.store.tickets.get(id);
  if (!ticket) return notFound();
  return canSeeTicket(ctx.actor, ticket) ? ticket : forbidden();
}

function showTicket(req: ApiRequest, ctx: ApiContext): Response {
  const ticket = findTicket(req, ctx);
  return ticket instanceof Response ? ticket : json({ ticket: ticketJson(ticket, ctx.origin) });
}

function listComments(req: ApiRequest, ctx: ApiContext): Response {
  const ticket = findTicket(req, ctx);
  if (ticket instanceof Response) return ticket;
  const stored = ctx.store.comments.get(ticket.id) ?? [];
  // UNCONFIRMED: `sort_order=desc` (newest first) as List Comments documents for its pages; the
  // stand-in answers every comment on one page either way.
  const comments = ctx.searchParams.get('sort_order') === 'desc' ? [...stored].reverse() : stored;
  return json({
    comments: comments.map(commentJson),
    next_page: null,
    previous_page: null,
    count: comments.length,
  });
}

interface CommentInput {
  body: string;
  html_body?: string;
  public: boolean;
}

/**
 * Reads `{body | html_body, public?}`; `public` defaults to true as in Zendesk. An `html_body`
 * is kept as sent and its text becomes `body` (UNCONFIRMED: which one wins when both are sent;
 * the stand-in takes `html_body`).
 */
function readComment(input: unknown, blankText: string, errors: FieldErrorList): CommentInput {
  const html = isRecord(input) && typeof input.html_body === 'string' ? input.html_body : undefined;
  const body =
    html !== undefined
      ? htmlToText(html)
      : isRecord(input) && typeof input.body === 'string'
        ? input.body
        : '';
  if (body.trim() === '') errors.add('base', blankText, 'BlankValue');
  const pub = isRecord(input) ? input.public : undefined;
  if (pub !== undefined && typeof pub !== 'boolean') {
    errors.add('comment', 'Comment: public must be true or false');
  }
  return { body, ...(html === undefined ? {} : { html_body: html }), public: pub !== false };
}

function readStatus(value: unknown, errors: FieldErrorList): TicketStatus | undefined {
  if (value === undefined) return undefined;
  if (TICKET_STATUSES.includes(value as TicketStatus)) return value as TicketStatus;
  errors.add('status', `Status: ${String(value)} is not one of ${TICKET_STATUSES.join(', ')}`);
  return undefined;
}

function readTags(value: unknown, errors: FieldErrorList): string[] | undefined {
  if (value === undefined) return undefined;
  if (isStringArray(value)) return [...new Set(value)];
  errors.add('tags', 'Tags: must be an array of strings');
  return undefined;
}

/** `external_id`: a string, or null to clear it. UNCONFIRMED: what Zendesk does with other types. */
function readExternalId(value: unknown, errors: FieldErrorList): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value === 'string') return value;
  errors.add('external_id', 'External ID: must be a string');
  return undefined;
}

function readRequesterId(value: unknown, ctx: ApiContext, errors: FieldErrorList) {
  if (value === undefined) return undefined;
  if (isPositiveInteger(value) && ctx.store.users.has(value)) return value;
  errors.add('requester', `Requester: is invalid (no user ${String(value)})`);
  return undefined;
}

/**
 * `requester: {name, email?}` finds the user by email or creates an end-user, as Zendesk does.
 * Returns the user id, or undefined after adding an error.
 */
function requesterFromObject(value: unknown, ctx: ApiContext, errors: FieldErrorList) {
  const name = isRecord(value) && typeof value.name === 'string' ? value.name.trim() : '';
  const email = isRecord(value) && typeof value.email === 'string' ? value.email : undefined;
  const existing = email === undefined ? undefined : ctx.store.findUserByEmail(email);
  if (existing) return existing.id;
  if (name === '') {
    errors.add('requester', 'Requester: Name: cannot be blank', 'BlankValue');
    return undefined;
  }
  const phone = isRecord(value) && typeof value.phone === 'string' ? value.phone : undefined;
  const now = ctx.options.now();
  const searchableAt = now + ctx.options.searchIndexDelayMs;
  return ctx.store.addUser({ name, email: email ?? null, phone: phone ?? null, searchableAt }).id;
}

function readVoiceComment(input: Record<string, unknown>, ctx: ApiContext, errors: FieldErrorList) {
  const value = input.voice_comment;
  return value === undefined ? null : parseVoiceComment(value, ctx.store, errors);
}

function addVoiceComment(ticket: StoredTicket, data: VoiceCommentData, ctx: ApiContext) {
  return ctx.store.addComment(ticket.id, {
    type: 'VoiceComment',
    body: voiceCommentBody(data, ctx.store),
    public: false,
    author_id: ctx.actor.id,
    data,
  });
}

function createTicket(_req: ApiRequest, ctx: ApiContext): Response {
  const input = isRecord(ctx.body) ? ctx.body.ticket : undefined;
  if (!isRecord(input)) return parameterMissing('ticket');
  const errors = new FieldErrorList();
  const comment = readComment(input.comment, 'Description: cannot be blank', errors);
  const subject = input.subject;
  if (subject !== undefined && subject !== null && typeof subject !== 'string') {
    errors.add('subject', 'Subject: must be a string');
  }
  const viaId = input.via_id;
  const validViaId = Number.isSafeInteger(viaId) && (viaId as number) >= 0;
  if (viaId !== undefined && viaId !== null && !validViaId) {
    errors.add('via_id', `Via: ${String(viaId)} is not a via id`);
  }
  const status = readStatus(input.status, errors);
  const tags = readTags(input.tags, errors);
  const priority = readPriority(input.priority, errors);
  const externalId = readExternalId(input.external_id, errors);
  const customFields = readCustomFields(input.custom_fields, ctx.store);
  const voice = readVoiceComment(input, ctx, errors);
  let requesterId = readRequesterId(input.requester_id, ctx, errors);
  // Only create a requester user once the rest of the ticket is known to be valid.
  if (errors.empty && input.requester_id === undefined && input.requester !== undefined) {
    requesterId = requesterFromObject(input.requester, ctx, errors);
  }
  if (!errors.empty) return recordInvalid(errors.details);

  const ticket = ctx.store.addTicket({
    description: comment.body,
    ...(comment.html_body === undefined ? {} : { html_body: comment.html_body }),
    public: comment.public,
    // Zendesk makes the authenticated user the requester when none is given.
    requester_id: requesterId ?? ctx.actor.id,
    submitter_id: ctx.actor.id,
    subject: typeof subject === 'string' ? subject : null,
    status: status ?? 'new',
    tags: tags ?? [],
    priority: priority ?? null,
    custom_fields: customFields ?? [],
    via_id: validViaId ? (viaId as number) : null,
    external_id: externalId ?? null,
  });
  if (voice) addVoiceComment(ticket, voice, ctx);
  const url = ticketUrl(ctx.origin, ticket.id);
  return json(
    { ticket: ticketJson(ticket, ctx.origin) },
    { status: 201, headers: { Location: url } },
  );
}

type AuditEvent = Record<string, unknown> & { id: number; type: string };

/** Update Ticket; also runs each item of an Update Many Tickets job, with the same checks. */
export function updateTicket(req: ApiRequest, ctx: ApiContext): Response {
  const ticket = findTicket(req, ctx);
  if (ticket instanceof Response) return ticket;
  const input = isRecord(ctx.body) ? ctx.body.ticket : undefined;
  if (!isRecord(input)) return parameterMissing('ticket');
  if (ticket.status === 'closed') {
    return recordInvalid({ status: [{ description: 'Status: closed prevents ticket update' }] });
  }
  if (input.safe_update === true && typeof input.updated_stamp === 'string') {
    if (input.updated_stamp !== zendeskTime(ticket.updatedAt)) return updateConflict();
  }
  const errors = new FieldErrorList();
  const comment =
    input.comment === undefined
      ? null
      : readComment(input.comment, 'Comment: cannot be blank', errors);
  const voice = readVoiceComment(input, ctx, errors);
  const requesterId = readRequesterId(input.requester_id, ctx, errors);
  const status = readStatus(input.status, errors);
  const tags = readTags(input.tags, errors);
  const priority = readPriority(input.priority, errors);
  const externalId = readExternalId(input.external_id, errors);
  const customFields = readCustomFields(input.custom_fields, ctx.store);
  const adding = (comment ? 1 : 0) + (voice ? 1 : 0);
  if (ctx.store.commentCount(ticket.id) + adding > MAX_COMMENTS_PER_TICKET) {
    const text = `Comments: a ticket can hold at most ${MAX_COMMENTS_PER_TICKET} comments`;
    errors.add('base', text, 'TooManyComments');
  }
  if (!errors.empty) return recordInvalid(errors.details);

  const { store } = ctx;
  const events: AuditEvent[] = [];
  const change = (field: string, value: unknown, previous: unknown) => {
    const event = { id: store.nextAudit(), type: 'Change', field_name: field, value };
    events.push({ ...event, previous_value: previous });
  };
  if (comment) {
    // A comment event carries the comment's own id, as in Zendesk audits.
    events.push(commentJson(store.addComment(ticket.id, { ...comment, author_id: ctx.actor.id })));
  }
  if (voice) events.push(commentJson(addVoiceComment(ticket, voice, ctx)));
  if (requesterId !== undefined && requesterId !== ticket.requester_id) {
    change('requester_id', requesterId, ticket.requester_id);
    ticket.requester_id = requesterId;
  }
  if (status !== undefined && status !== ticket.status) {
    change('status', status, ticket.status);
    ticket.status = status;
  }
  if (tags !== undefined) {
    change('tags', tags, ticket.tags);
    ticket.tags = tags;
  }
  if (priority !== undefined && priority !== ticket.priority) {
    change('priority', priority, ticket.priority);
    ticket.priority = priority;
  }
  if (externalId !== undefined && externalId !== ticket.external_id) {
    change('external_id', externalId, ticket.external_id);
    ticket.external_id = externalId;
  }
  if (customFields?.length) {
    for (const f of customFields) {
      const previous = ticket.custom_fields.find((c) => c.id === f.id)?.value ?? null;
      change(String(f.id), f.value, previous);
    }
    ticket.custom_fields = mergeCustomFields(ticket.custom_fields, customFields);
  }
  ticket.updatedAt = ctx.options.now();
  // UNCONFIRMED: Zendesk's audit object has more fields; we keep id, ticket_id, times and events.
  const audit = {
    id: store.nextAudit(),
    ticket_id: ticket.id,
    author_id: ctx.actor.id,
    created_at: zendeskTime(ticket.updatedAt),
    events,
  };
  return json({ ticket: ticketJson(ticket, ctx.origin), audit });
}
