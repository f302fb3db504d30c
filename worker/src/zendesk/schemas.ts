import { z } from 'zod';

// Objects strip unknown keys (zod's default): Zendesk adds fields freely and we keep only what we use.

const zendeskUserSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  // Zendesk sends null when unset; a missing key is read the same way.
  email: z.string().nullable().default(null),
  phone: z.string().nullable().default(null),
  role: z.string(),
  active: z.boolean().optional(),
});
export type ZendeskUser = z.infer<typeof zendeskUserSchema>;

const ticketStatusSchema = z.enum(['new', 'open', 'pending', 'hold', 'solved', 'closed']);

const zendeskTicketSchema = z.object({
  id: z.number().int(),
  status: ticketStatusSchema,
  requester_id: z.number().int(),
  subject: z.string().nullable().default(null),
  /** "An id you can use to link Zendesk Support tickets to local records"; not unique. */
  external_id: z.string().nullable().default(null),
  tags: z.array(z.string()).default([]),
  /** When the ticket last changed: the `updated_stamp` of a safe update. */
  updated_at: z.string().optional(),
  via: z
    .object({
      // Zendesk recommends the string channel but may send the numeric via id.
      channel: z.union([z.string(), z.number()]),
      source: z.unknown().optional(),
    })
    .optional(),
});
export type ZendeskTicket = z.infer<typeof zendeskTicketSchema>;

/** `{"ticket": {...}}` from show, create and update. */
export const ticketResponseSchema = z.object({ ticket: zendeskTicketSchema });
/**
 * Show Multiple Tickets (`GET /api/v2/tickets/show_many.json?ids=1,2`): the tickets asked for
 * that exist and the user may see; the others are simply absent (no error).
 */
export const showManyTicketsResponseSchema = z.object({
  tickets: z.array(zendeskTicketSchema),
  count: z.number().int().optional(),
  next_page: z.string().nullable().optional(),
});

/** List Tickets (`GET /api/v2/tickets.json`), offset pagination: one page of `{tickets, ...}`. */
export const ticketListResponseSchema = z.object({
  tickets: z.array(zendeskTicketSchema),
  next_page: z.string().nullable().optional(),
  count: z.number().int().optional(),
});

/** A ticket field as listed by `GET /api/v2/ticket_fields`, reduced to what validation needs. */
const zendeskTicketFieldSchema = z.object({
  id: z.number().int(),
  /** `text`, `tagger`, `checkbox`, ... or a system field's type (`subject`, `priority`, ...). */
  type: z.string(),
  active: z.boolean().default(true),
  /** The option tags of a drop-down (`tagger`) or multi-select field. */
  custom_field_options: z.array(z.object({ value: z.string() })).optional(),
});
export type ZendeskTicketField = z.infer<typeof zendeskTicketFieldSchema>;

/** `{"ticket_fields": [...]}`: without pagination parameters, every field at once. */
export const ticketFieldsResponseSchema = z.object({
  ticket_fields: z.array(zendeskTicketFieldSchema),
});

/** `{"user": {...}}` from show and create. */
/**
 * One item's outcome in a finished batch job: the ticket's or user's `id`, and `success` (bulk
 * update results, C); `status` ("Updated"/"Created"/"Failed"), `index` (the item's place in the
 * request), `external_id`, `error` and `details` are read when present.
 */
const jobResultSchema = z.object({
  id: z.number().int().optional(),
  index: z.number().int().nonnegative().optional(),
  external_id: z.string().optional(),
  success: z.boolean().optional(),
  status: z.string().optional(),
  error: z.string().optional(),
  details: z.unknown().optional(),
});
export type ZendeskJobResult = z.infer<typeof jobResultSchema>;

/** A background job's status (Show Job Status, and the answer of Update Many). */
export const jobStatusResponseSchema = z.object({
  job_status: z.object({
    id: z.string().min(1),
    // Documented: queued, working, failed, completed (and, on older pages, killed).
    status: z.string(),
    // UNCONFIRMED: what `results` holds before the job ran; null, missing or [] are all read as none.
    results: z.array(jobResultSchema).nullable().optional(),
  }),
});
export type ZendeskJobStatus = z.infer<typeof jobStatusResponseSchema>['job_status'];

/** List Comments: bodies and, for voice comments, their data. */
export const commentsResponseSchema = z.object({
  comments: z.array(
    z.object({
      id: z.number().int(),
      body: z.string().default(''),
      // UNCONFIRMED: voice comments carry their fields (transcription_text, ...) in `data`.
      data: z.record(z.string(), z.unknown()).nullable().optional(),
    }),
  ),
});

export const userResponseSchema = z.object({ user: zendeskUserSchema });

/**
 * Unified search (`/api/v2/search.json`), reduced to its user results. `result_type` is not
 * confirmed in Zendesk's docs, so a result without one is read as a user (our query asks for users).
 */
export const userSearchResponseSchema = z.object({
  results: z
    .array(z.looseObject({ result_type: z.string().optional() }))
    .transform((results) =>
      results.filter((r) => r.result_type === undefined || r.result_type === 'user'),
    )
    .pipe(z.array(zendeskUserSchema)),
  count: z.number().int().optional(),
  next_page: z.string().nullable().optional(),
});

/** A user as the incremental export lists it, reduced to what the phone index needs. */
const exportedUserSchema = z.object({
  id: z.number().int(),
  name: z.string().nullable().default(null),
  phone: z.string().nullable().default(null),
  role: z.string(),
  // "false if the user has been deleted"; a missing key is read as active.
  active: z.boolean().default(true),
  // Routing rules read them from the phone index (docs/worker.md, "Routing rules").
  tags: z.array(z.string()).default([]),
  organization_id: z.number().int().nullable().default(null),
});
export type ExportedUser = z.infer<typeof exportedUserSchema>;

/**
 * Incremental User Export, cursor based (`/api/v2/incremental/users/cursor`), with the
 * `identities` side-load: only phone-number identities are kept.
 */
export const userExportResponseSchema = z.object({
  users: z.array(exportedUserSchema),
  identities: z
    .array(z.looseObject({ user_id: z.number().int(), type: z.string(), value: z.unknown() }))
    .default([])
    .transform((list) =>
      list.flatMap((i) =>
        i.type === 'phone_number' && typeof i.value === 'string'
          ? [{ user_id: i.user_id, value: i.value }]
          : [],
      ),
    ),
  after_cursor: z.string().nullable().default(null),
  end_of_stream: z.boolean(),
});
export type UserExportPage = z.infer<typeof userExportResponseSchema>;

/** Zendesk's error envelope: `error` is usually a code string, sometimes `{title, message}`. */
export const zendeskErrorBodySchema = z.object({
  error: z
    .union([z.string(), z.object({ title: z.string().optional(), message: z.string().optional() })])
    .optional(),
  description: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
