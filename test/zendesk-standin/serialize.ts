// Turns stored records into the JSON shapes Zendesk sends (field names from the fact sheet).
import { htmlToText, textToHtml } from './comment-html';
import { isCustomField } from './store';
import type {
  StoredComment,
  StoredIdentity,
  StoredTicket,
  StoredTicketField,
  StoredUser,
} from './store';

/** Zendesk timestamps carry no milliseconds: `2009-07-20T22:55:29Z`. */
export function zendeskTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function ticketUrl(origin: string, id: number): string {
  return `${origin}/api/v2/tickets/${id}.json`;
}

function userUrl(origin: string, id: number): string {
  return `${origin}/api/v2/users/${id}.json`;
}

// Via ids: 0 web form, 4 mail, 5 web service (API); 33-35 native Talk and 44-46 Talk Partner
// Edition are all the "voice" channel.
const VIA_CHANNELS = new Map<number, string>([
  [0, 'web'],
  [4, 'email'],
  [5, 'api'],
  ...[33, 34, 35, 44, 45, 46].map((id): [number, string] => [id, 'voice']),
]);

/**
 * UNCONFIRMED: how Zendesk echoes a `via_id` sent to plain `POST /api/v2/tickets`. We answer
 * `channel: "voice"` for the voice via ids (34 included) and `"api"` for none or unknown ids, and
 * keep the confirmed source `{from:{}, to:{}, rel:null}`: phone contents of `source` are undocumented.
 */
function viaJson(viaId: number | null): StoredVia {
  const channel = (viaId === null ? undefined : VIA_CHANNELS.get(viaId)) ?? 'api';
  return { channel, source: { from: {}, to: {}, rel: null } };
}

interface StoredVia {
  channel: string;
  source: { from: Record<string, never>; to: Record<string, never>; rel: null };
}

export function ticketJson(ticket: StoredTicket, origin: string) {
  return {
    id: ticket.id,
    url: ticketUrl(origin, ticket.id),
    external_id: ticket.external_id,
    subject: ticket.subject,
    description: ticket.description,
    status: ticket.status,
    requester_id: ticket.requester_id,
    submitter_id: ticket.submitter_id,
    assignee_id: ticket.assignee_id,
    group_id: ticket.group_id,
    tags: [...ticket.tags],
    priority: ticket.priority,
    // UNCONFIRMED simplification: Zendesk lists every custom field (unset ones with null); the
    // stand-in lists the fields that were set.
    custom_fields: ticket.custom_fields.map(({ id, value }) => ({ id, value })),
    via: viaJson(ticket.via_id),
    created_at: zendeskTime(ticket.createdAt),
    updated_at: zendeskTime(ticket.updatedAt),
  };
}

export function userJson(user: StoredUser, origin: string) {
  return {
    id: user.id,
    url: userUrl(origin, user.id),
    name: user.name,
    email: user.email,
    phone: user.phone,
    role: user.role,
    verified: user.verified,
    active: user.active,
    shared: user.shared,
    external_id: user.external_id,
    locale: user.locale,
    time_zone: user.time_zone,
    organization_id: user.organization_id,
    tags: [...user.tags],
    user_fields: { ...user.user_fields },
    restricted_agent: user.role === 'agent' && user.ticket_restriction !== null,
    ticket_restriction: user.ticket_restriction,
    created_at: zendeskTime(user.createdAt),
    updated_at: zendeskTime(user.updatedAt),
  };
}

/** A user identity, field names from Zendesk's OAS (`UserIdentityObject`). */
export function identityJson(identity: StoredIdentity, origin: string) {
  return {
    url: `${origin}/api/v2/users/${identity.user_id}/identities/${identity.id}.json`,
    id: identity.id,
    user_id: identity.user_id,
    type: identity.type,
    value: identity.value,
    verified: identity.verified,
    primary: identity.primary,
    created_at: zendeskTime(identity.createdAt),
    updated_at: zendeskTime(identity.updatedAt),
  };
}

export function commentJson(comment: StoredComment) {
  return {
    id: comment.id,
    type: comment.type,
    body: comment.body,
    html_body: comment.html_body ?? textToHtml(comment.body),
    plain_body: comment.html_body === undefined ? comment.body : htmlToText(comment.html_body),
    public: comment.public,
    author_id: comment.author_id,
    created_at: zendeskTime(comment.createdAt),
    ...(comment.data ? { data: { ...comment.data } } : {}),
  };
}

/** A ticket field as `GET /api/v2/ticket_fields` lists it (field names from Zendesk's OAS). */
export function ticketFieldJson(field: StoredTicketField, origin: string) {
  return {
    url: `${origin}/api/v2/ticket_fields/${field.id}.json`,
    id: field.id,
    type: field.type,
    title: field.title,
    raw_title: field.title,
    description: field.description,
    raw_description: field.description,
    position: field.position,
    active: field.active,
    required: field.required,
    removable: isCustomField(field),
    tag: field.tag,
    ...(field.type === 'tagger' || field.type === 'multiselect'
      ? {
          custom_field_options: field.custom_field_options.map((o) => ({
            id: o.id,
            name: o.name,
            raw_name: o.name,
            value: o.value,
            default: false,
          })),
        }
      : {}),
    created_at: zendeskTime(field.createdAt),
    updated_at: zendeskTime(field.createdAt),
  };
}
