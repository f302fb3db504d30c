import { ZendeskError } from './errors';
import {
  showManyTicketsResponseSchema,
  tagsResponseSchema,
  ticketFieldsResponseSchema,
  ticketResponseSchema,
  userResponseSchema,
  userSearchResponseSchema,
  type ZendeskTicket,
  type ZendeskTicketField,
  type ZendeskUser,
} from './schemas';
import { createTransport, type TransportOptions } from './transport';

export type ZendeskClientOptions = TransportOptions;

interface CallOptions {
  /** Epoch ms: never wait or retry past it. */
  deadline?: number;
}

/** A comment as text (`body`) or as HTML (`html_body`, which Zendesk sanitizes). */
type NewComment = { body: string; public: boolean } | { html_body: string; public: boolean };

export type TicketPriority = 'low' | 'normal' | 'high' | 'urgent';
export interface CustomFieldValue {
  id: number;
  value: string | number | boolean | string[] | null;
}

interface NewTicket {
  subject: string;
  comment: NewComment;
  requester_id?: number;
  tags?: string[];
  priority?: TicketPriority;
  custom_fields?: CustomFieldValue[];
  /** 34 = phone call inbound (native Talk), 45 = the same through the Talk Partner Edition API. */
  via_id?: number;
}

/** Changes to a ticket; `tags` replaces the ticket's tags (Update Ticket does not add them). */
interface TicketUpdate {
  comment?: NewComment;
  tags?: string[];
  priority?: TicketPriority;
  custom_fields?: CustomFieldValue[];
  /** With `updated_stamp` (the ticket's `updated_at`): Zendesk answers 409 if it changed since. */
  safe_update?: boolean;
  updated_stamp?: string;
}

interface NewUser {
  name: string;
  /** E.164, e.g. +15551234567. */
  phone: string;
  email?: string;
  external_id?: string;
}

/** Zendesk's voice comment fields; `started_at` is ISO 8601, `call_duration` in seconds. */
interface VoiceComment {
  from: string;
  to: string;
  recording_url?: string;
  started_at: string;
  call_duration: number;
  answered_by_id?: number;
  transcription_text?: string;
  location?: string;
}

export interface ZendeskClient {
  /** The ticket, or null when Zendesk answers 404. */
  showTicket(id: number, call?: CallOptions): Promise<ZendeskTicket | null>;
  /**
   * The tickets of these ids (1 to 100, one request) that exist and the API user may see; ids
   * of tickets that do not exist or are not visible are absent from the answer.
   */
  showManyTickets(ids: readonly number[], call?: CallOptions): Promise<ZendeskTicket[]>;
  /** End users whose phone ends with `digits` (4 to 15 digits, no `+`); first page only. */
  searchEndUsersByPhone(digits: string, call?: CallOptions): Promise<ZendeskUser[]>;
  /** Creates a ticket; never retried automatically. */
  createTicket(ticket: NewTicket, call?: CallOptions): Promise<ZendeskTicket>;
  /** Creates an end user; never retried automatically. */
  createUser(user: NewUser, call?: CallOptions): Promise<ZendeskUser>;
  /** Updates a ticket (comment, tags, fields); never retried automatically. */
  updateTicket(id: number, update: TicketUpdate, call?: CallOptions): Promise<ZendeskTicket>;
  /** Every system and custom ticket field of the account. */
  listTicketFields(call?: CallOptions): Promise<ZendeskTicketField[]>;
  /** Adds tags to a ticket, keeping its own (Tags API, idempotent); answers the ticket's tags. */
  addTags(ticketId: number, tags: string[], call?: CallOptions): Promise<string[]>;
  /** Adds a public reply or a private note to a ticket. */
  addComment(ticketId: number, comment: NewComment, call?: CallOptions): Promise<void>;
  /** Adds a voice comment (call details, optional recording link) to a ticket. */
  addVoiceComment(ticketId: number, voice: VoiceComment, call?: CallOptions): Promise<void>;
  /** HTTP requests actually sent, retries included. */
  readonly requestsMade: number;
  /**
   * True while this isolate knows a request would fail at once without being sent (settings
   * unusable, budget spent, a 429's Retry-After in force): callers can skip waiting to batch.
   */
  refusesRequests(): boolean;
}

const PHONE_DIGITS = /^\d{4,15}$/;
/** Show Multiple Tickets reads at most 100 ids. */
export const SHOW_MANY_MAX_IDS = 100;

/**
 * A typed client for the few Zendesk endpoints the bridge needs. Every call spends from the shared
 * budget, honours the caller's deadline, and retries only reads.
 *
 * @example
 * const zendesk = createZendeskClient({
 *   baseUrl: env.ZENDESK_BASE_URL,
 *   email: env.ZENDESK_EMAIL,
 *   apiToken: env.ZENDESK_API_TOKEN,
 *   budget: createD1Budget(env.DB, { perMinute: 300 }),
 * });
 * const users = await zendesk.searchEndUsersByPhone('15551234567', { deadline: Date.now() + 1500 });
 */
export function createZendeskClient(options: ZendeskClientOptions): ZendeskClient {
  const http = createTransport(options);

  // Ids go into the path, so anything but a positive integer is refused before sending.
  function ticketPath(id: number): string {
    if (!Number.isSafeInteger(id) || id <= 0) {
      throw new ZendeskError('client', `Zendesk ticket id must be a positive integer`, {
        path: '/api/v2/tickets/{id}.json',
      });
    }
    return `/api/v2/tickets/${id}.json`;
  }

  return {
    async showTicket(id, call = {}) {
      try {
        const { ticket } = await http.json(
          { method: 'GET', path: ticketPath(id), deadline: call.deadline },
          ticketResponseSchema,
        );
        return ticket;
      } catch (e) {
        if (e instanceof ZendeskError && e.kind === 'client' && e.status === 404) return null;
        throw e;
      }
    },

    async showManyTickets(ids, call = {}) {
      const unique = [...new Set(ids)];
      const path = '/api/v2/tickets/show_many.json';
      if (unique.length === 0 || unique.length > SHOW_MANY_MAX_IDS) {
        throw new ZendeskError('client', `show_many takes 1 to ${SHOW_MANY_MAX_IDS} ticket ids`, {
          path,
          method: 'GET',
        });
      }
      for (const id of unique) ticketPath(id);
      const { tickets } = await http.json(
        { method: 'GET', path: `${path}?ids=${unique.join(',')}`, deadline: call.deadline },
        showManyTicketsResponseSchema,
      );
      return tickets;
    },

    async searchEndUsersByPhone(digits, call = {}) {
      if (!PHONE_DIGITS.test(digits)) {
        throw new ZendeskError('client', 'phone search needs 4 to 15 digits, without + or spaces', {
          path: '/api/v2/search.json',
          method: 'GET',
        });
      }
      // The leading * matches any stored format: +1 513.555.7611, (513) 555-7611, ...
      const query = encodeURIComponent(`role:end-user phone:*${digits}`);
      const { results } = await http.json(
        {
          method: 'GET',
          path: `/api/v2/search.json?query=${query}&per_page=100`,
          deadline: call.deadline,
        },
        userSearchResponseSchema,
      );
      return results;
    },

    async createTicket(ticket, call = {}) {
      const { ticket: created } = await http.json(
        { method: 'POST', path: '/api/v2/tickets.json', body: { ticket }, deadline: call.deadline },
        ticketResponseSchema,
      );
      return created;
    },

    async createUser(user, call = {}) {
      const { user: created } = await http.json(
        { method: 'POST', path: '/api/v2/users.json', body: { user }, deadline: call.deadline },
        userResponseSchema,
      );
      return created;
    },

    async updateTicket(id, update, call = {}) {
      const { ticket } = await http.json(
        { method: 'PUT', path: ticketPath(id), body: { ticket: update }, deadline: call.deadline },
        ticketResponseSchema,
      );
      return ticket;
    },

    async listTicketFields(call = {}) {
      const { ticket_fields } = await http.json(
        { method: 'GET', path: '/api/v2/ticket_fields.json', deadline: call.deadline },
        ticketFieldsResponseSchema,
      );
      return ticket_fields;
    },

    async addTags(ticketId, tags, call = {}) {
      const res = await http.json(
        {
          method: 'PUT',
          path: ticketPath(ticketId).replace(/\.json$/, '/tags.json'),
          body: { tags },
          deadline: call.deadline,
        },
        tagsResponseSchema,
      );
      return res.tags;
    },

    async addComment(ticketId, comment, call = {}) {
      await http.send({
        method: 'PUT',
        path: ticketPath(ticketId),
        body: { ticket: { comment } },
        deadline: call.deadline,
      });
    },

    async addVoiceComment(ticketId, voice, call = {}) {
      await http.send({
        method: 'PUT',
        path: ticketPath(ticketId),
        body: { ticket: { voice_comment: voice } },
        deadline: call.deadline,
      });
    },

    get requestsMade() {
      return http.requestsMade;
    },

    refusesRequests() {
      return http.refusesRequests();
    },
  };
}
