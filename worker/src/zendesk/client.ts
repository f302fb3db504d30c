import { ZendeskError } from './errors';
import {
  commentsResponseSchema,
  jobStatusResponseSchema,
  showManyTicketsResponseSchema,
  ticketFieldsResponseSchema,
  ticketListResponseSchema,
  ticketResponseSchema,
  userResponseSchema,
  userExportResponseSchema,
  userSearchResponseSchema,
  type UserExportPage,
  type ZendeskTicket,
  type ZendeskJobStatus,
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
  /** Our reference for the ticket, to find it again (List Tickets by external_id). */
  external_id?: string;
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

/**
 * One ticket's own changes in an Update Many batch: a comment or a voice comment, custom fields,
 * tags added to the ticket's own (`additional_tags`), or its requester.
 */
export interface BatchTicketUpdate {
  id: number;
  requester_id?: number;
  comment?: NewComment;
  voice_comment?: VoiceComment;
  custom_fields?: CustomFieldValue[];
  additional_tags?: string[];
}

export interface NewUser {
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

export type { ZendeskJobStatus };

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
  /**
   * The tickets whose external_id is exactly this one, smallest id first (first page: Zendesk's
   * external ids need not be unique). Archived tickets and, for a restricted agent, tickets they
   * may not see are not listed.
   */
  findTicketsByExternalId(externalId: string, call?: CallOptions): Promise<ZendeskTicket[]>;
  /**
   * One page of the Incremental User Export, cursor based, with phone-number identities: from
   * `startTime` (Unix seconds, at least a minute ago) the first time, then from the last page's
   * `after_cursor`. Allowed for admins; Zendesk allows 10 of these requests a minute.
   */
  exportUsers(
    from: { startTime: number } | { cursor: string },
    call?: CallOptions & { perPage?: number },
  ): Promise<UserExportPage>;
  /** Creates a ticket; never retried automatically. */
  createTicket(ticket: NewTicket, call?: CallOptions): Promise<ZendeskTicket>;
  /** Creates an end user; never retried automatically. */
  createUser(user: NewUser, call?: CallOptions): Promise<ZendeskUser>;
  /** Updates a ticket (comment, tags, fields); never retried automatically. */
  updateTicket(id: number, update: TicketUpdate, call?: CallOptions): Promise<ZendeskTicket>;
  /** Every system and custom ticket field of the account. */
  listTicketFields(call?: CallOptions): Promise<ZendeskTicketField[]>;
  /** Adds a public reply or a private note to a ticket. */
  addComment(ticketId: number, comment: NewComment, call?: CallOptions): Promise<void>;
  /** Adds a voice comment (call details, optional recording link) to a ticket. */
  addVoiceComment(ticketId: number, voice: VoiceComment, call?: CallOptions): Promise<void>;
  /**
   * Update Many Tickets, batch form (1 to 100 items, each its own changes): queues a job and
   * answers its status; never retried automatically.
   */
  updateManyTickets(items: BatchTicketUpdate[], call?: CallOptions): Promise<ZendeskJobStatus>;
  /**
   * Create Or Update Many Users (1 to 100, each matched by `external_id` or `email`, else
   * created): queues a job whose results come in the order sent; never retried automatically.
   */
  createOrUpdateManyUsers(users: NewUser[], call?: CallOptions): Promise<ZendeskJobStatus>;
  /** A background job's status, or null when Zendesk no longer knows it (404). */
  showJobStatus(jobId: string, call?: CallOptions): Promise<ZendeskJobStatus | null>;
  /** A ticket's comments, newest first (first page: the latest 100). */
  listRecentComments(
    ticketId: number,
    call?: CallOptions,
  ): Promise<{ id: number; body: string; data?: Record<string, unknown> | null | undefined }[]>;
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

    async findTicketsByExternalId(externalId, call = {}) {
      const { tickets } = await http.json(
        {
          method: 'GET',
          path: `/api/v2/tickets.json?external_id=${encodeURIComponent(externalId)}`,
          deadline: call.deadline,
        },
        ticketListResponseSchema,
      );
      // List Tickets filters by the exact id; checked again, so a looser match finds nothing.
      return tickets.filter((t) => t.external_id === externalId);
    },

    async exportUsers(from, call = {}) {
      const query = new URLSearchParams(
        'cursor' in from ? { cursor: from.cursor } : { start_time: String(from.startTime) },
      );
      if (call.perPage !== undefined) query.set('per_page', String(call.perPage));
      query.set('include', 'identities');
      return http.json(
        {
          method: 'GET',
          path: `/api/v2/incremental/users/cursor.json?${query}`,
          deadline: call.deadline,
        },
        userExportResponseSchema,
      );
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

    async updateManyTickets(items, call = {}) {
      if (items.length < 1 || items.length > 100) {
        throw new ZendeskError('client', 'Update Many takes 1 to 100 tickets', {
          path: '/api/v2/tickets/update_many.json',
          method: 'PUT',
        });
      }
      for (const item of items) ticketPath(item.id);
      const { job_status } = await http.json(
        {
          method: 'PUT',
          path: '/api/v2/tickets/update_many.json',
          body: { tickets: items },
          deadline: call.deadline,
        },
        jobStatusResponseSchema,
      );
      return job_status;
    },

    async createOrUpdateManyUsers(users, call = {}) {
      const path = '/api/v2/users/create_or_update_many.json';
      if (users.length < 1 || users.length > 100) {
        throw new ZendeskError('client', 'Create Or Update Many Users takes 1 to 100 users', {
          path,
          method: 'POST',
        });
      }
      const { job_status } = await http.json(
        { method: 'POST', path, body: { users }, deadline: call.deadline },
        jobStatusResponseSchema,
      );
      return job_status;
    },

    async showJobStatus(jobId, call = {}) {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(jobId)) {
        throw new ZendeskError('client', 'Zendesk job id is not a job id', {
          path: '/api/v2/job_statuses/{id}.json',
          method: 'GET',
        });
      }
      try {
        const { job_status } = await http.json(
          { method: 'GET', path: `/api/v2/job_statuses/${jobId}.json`, deadline: call.deadline },
          jobStatusResponseSchema,
        );
        return job_status;
      } catch (e) {
        if (e instanceof ZendeskError && e.kind === 'client' && e.status === 404) return null;
        throw e;
      }
    },

    async listRecentComments(ticketId, call = {}) {
      const { comments } = await http.json(
        {
          method: 'GET',
          path: `${ticketPath(ticketId).replace(/\.json$/, '/comments.json')}?sort_order=desc`,
          deadline: call.deadline,
        },
        commentsResponseSchema,
      );
      return comments;
    },

    get requestsMade() {
      return http.requestsMade;
    },

    refusesRequests() {
      return http.refusesRequests();
    },
  };
}
