// Turns stored records into the JSON shapes Zendesk sends (field names from the fact sheet).
import type { StoredComment, StoredTicket, StoredUser } from './store';

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
    subject: ticket.subject,
    description: ticket.description,
    status: ticket.status,
    requester_id: ticket.requester_id,
    submitter_id: ticket.submitter_id,
    assignee_id: ticket.assignee_id,
    group_id: ticket.group_id,
    tags: [...ticket.tags],
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

export function commentJson(comment: StoredComment) {
  return {
    id: comment.id,
    type: comment.type,
    body: comment.body,
    public: comment.public,
    author_id: comment.author_id,
    created_at: zendeskTime(comment.createdAt),
    ...(comment.data ? { data: { ...comment.data } } : {}),
  };
}
