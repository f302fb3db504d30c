// In-memory state of the stand-in: users, tickets, their comments and the ticket fields. No Node APIs (runs in workerd).

export const TICKET_STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

export const USER_ROLES = ['end-user', 'agent', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** Which tickets a restricted agent may see; only group restriction is emulated. */
type TicketRestriction = 'groups' | null;

/** A ticket holds at most this many comments; Zendesk answers 422 past it. */
export const MAX_COMMENTS_PER_TICKET = 5000;

export interface StoredUser {
  id: number;
  name: string;
  email: string | null;
  phone: string | null;
  role: UserRole;
  verified: boolean;
  active: boolean;
  shared: boolean;
  external_id: string | null;
  locale: string;
  time_zone: string;
  organization_id: number | null;
  tags: string[];
  user_fields: Record<string, unknown>;
  /** `groups`: the agent sees only tickets of the groups in `group_ids`. */
  ticket_restriction: TicketRestriction;
  group_ids: number[];
  createdAt: number;
  updatedAt: number;
  /** Epoch ms from which search finds this user (mimics Zendesk's indexing delay). */
  searchableAt: number;
}

/** Identity types Zendesk lists (`GET /users/{id}/identities`); the stand-in stores any of them. */
export type IdentityType =
  | 'email'
  | 'phone_number'
  | 'twitter'
  | 'facebook'
  | 'google'
  | 'agent_forwarding'
  | 'sdk'
  | 'messaging'
  | 'microsoft';

/** A user identity: another email, phone number or social account the user is known by. */
export interface StoredIdentity {
  id: number;
  user_id: number;
  type: IdentityType;
  value: string;
  verified: boolean;
  primary: boolean;
  createdAt: number;
  updatedAt: number;
}

/** What `updateUser` may change (a PUT /users/{id} as the Worker's tests need it). */
export interface UserChanges {
  name?: string;
  phone?: string | null;
  role?: UserRole;
}

export interface StoredTicket {
  id: number;
  subject: string | null;
  description: string;
  status: TicketStatus;
  requester_id: number;
  submitter_id: number;
  assignee_id: number | null;
  group_id: number | null;
  tags: string[];
  priority: TicketPriority | null;
  /** Values of custom ticket fields that were set, in field id order. */
  custom_fields: CustomFieldValue[];
  /** Kept as sent so tests can assert on it; the JSON exposes it only as `via.channel`. */
  via_id: number | null;
  /** "An id you can use to link Zendesk Support tickets to local records"; not unique. */
  external_id: string | null;
  createdAt: number;
  updatedAt: number;
}

/** One custom field's value on a ticket, as Zendesk's `custom_fields` array carries it. */
export interface CustomFieldValue {
  id: number;
  value: unknown;
}

/** Types of the system fields every account has, then the custom field types Zendesk documents. */
export const SYSTEM_FIELD_TYPES = [
  'subject',
  'description',
  'status',
  'tickettype',
  'priority',
  'group',
  'assignee',
] as const;
export const CUSTOM_FIELD_TYPES = [
  'text',
  'textarea',
  'checkbox',
  'date',
  'integer',
  'decimal',
  'regexp',
  'partialcreditcard',
  'multiselect',
  'tagger',
  'lookup',
] as const;
export type TicketFieldType =
  (typeof SYSTEM_FIELD_TYPES)[number] | (typeof CUSTOM_FIELD_TYPES)[number];

/** Whether a field is a custom one (the only kind a ticket's `custom_fields` can set). */
export function isCustomField(field: { type: TicketFieldType }): boolean {
  return (CUSTOM_FIELD_TYPES as readonly string[]).includes(field.type);
}

/** A ticket field (`GET /api/v2/ticket_fields`): a system field or a custom one. */
export interface StoredTicketField {
  id: number;
  type: TicketFieldType;
  title: string;
  description: string;
  position: number;
  active: boolean;
  required: boolean;
  /** Set for a checkbox: the tag added when it is checked. */
  tag: string | null;
  /** Options of a `tagger` (drop-down) or `multiselect` field; `value` is the option's tag. */
  custom_field_options: { id: number; name: string; value: string }[];
  createdAt: number;
}

export interface NewTicketField {
  id?: number;
  type: TicketFieldType;
  title: string;
  description?: string;
  active?: boolean;
  required?: boolean;
  tag?: string | null;
  custom_field_options?: { id: number; name: string; value: string }[];
  createdAt?: number;
}

/** The `voice_comment` fields, as documented for the Tickets API. */
export interface VoiceCommentData {
  from: string;
  to: string;
  recording_url?: string;
  started_at: string;
  call_duration: number;
  answered_by_id?: number;
  transcription_text?: string;
  location?: string;
}

export interface StoredComment {
  id: number;
  ticket_id: number;
  type: 'Comment' | 'VoiceComment';
  body: string;
  /** The comment as HTML, when it was sent as `html_body`. */
  html_body?: string;
  public: boolean;
  author_id: number;
  createdAt: number;
  data?: VoiceCommentData;
}

/**
 * One item of a batch job: for Update Many Tickets the ticket id and its own changes; for Create
 * Or Update Many Users the user object as sent (`id` 0).
 */
export interface StoredJobItem {
  id: number;
  changes: Record<string, unknown>;
}

/**
 * A per-item outcome, as Show Job Status lists it once the job has run. A failed user has no id
 * (UNCONFIRMED: Zendesk's examples show `id` on failures of ticket jobs only).
 */
export interface StoredJobResult {
  id?: number;
  index: number;
  action: 'update' | 'create';
  success: boolean;
  status: 'Updated' | 'Created' | 'Failed';
  external_id?: string;
  error?: string;
  details?: string;
}

/**
 * The job types the stand-in runs. UNCONFIRMED: the `job_type` Zendesk names a Create Or Update
 * Many Users job with; the bridge never reads it.
 */
export type JobType = 'bulk_update' | 'bulk_create_or_update_users';

/** A background job, run when it has been polled enough (see options). */
export interface StoredJob {
  id: string;
  jobType: JobType;
  status: 'queued' | 'working' | 'completed' | 'failed';
  items: StoredJobItem[];
  /** The API user who queued it: the items run as that user. */
  actorId: number;
  polls: number;
  results: StoredJobResult[] | null;
  createdAt: number;
  completedAt: number | null;
}

export interface NewUser {
  name: string;
  email?: string | null;
  phone?: string | null;
  role?: UserRole;
  id?: number;
  external_id?: string | null;
  locale?: string;
  time_zone?: string;
  tags?: string[];
  organization_id?: number | null;
  ticket_restriction?: TicketRestriction;
  group_ids?: number[];
  createdAt?: number;
  /** Epoch ms from which search finds the user; defaults to 0 (always searchable). */
  searchableAt?: number;
}

export interface NewTicket {
  /** The first comment; Zendesk calls it the description. */
  description: string;
  requester_id: number;
  subject?: string | null;
  status?: TicketStatus;
  submitter_id?: number;
  assignee_id?: number | null;
  group_id?: number | null;
  tags?: string[];
  priority?: TicketPriority | null;
  custom_fields?: CustomFieldValue[];
  via_id?: number | null;
  external_id?: string | null;
  /** Whether the first comment is public (Zendesk's default is true). */
  public?: boolean;
  /** The first comment as HTML, when it was sent as `html_body` (`description` is its text). */
  html_body?: string;
  id?: number;
  createdAt?: number;
}

export interface NewComment {
  type?: StoredComment['type'];
  body: string;
  html_body?: string;
  public?: boolean;
  author_id: number;
  data?: VoiceCommentData;
  createdAt?: number;
}

const FIRST_USER_ID = 20001;
const FIRST_TICKET_ID = 1001;
const FIRST_COMMENT_ID = 50001;
const FIRST_TICKET_FIELD_ID = 360000001;
const FIRST_AUDIT_ID = 90001;
const FIRST_IDENTITY_ID = 70001;

/**
 * The stand-in's records. Maps are cleared in place on reset, so references held by tests stay valid.
 *
 * @example
 * const store = new StandinStore(Date.now);
 * const ada = store.addUser({ name: 'Ada', phone: '+1 (415) 555-0100' });
 * store.addTicket({ requester_id: ada.id, description: 'Call me back' });
 */
export class StandinStore {
  readonly users = new Map<number, StoredUser>();
  readonly tickets = new Map<number, StoredTicket>();
  /** Comments per ticket id, oldest first. */
  readonly comments = new Map<number, StoredComment[]>();
  /** OAuth access tokens → the user each was granted to (`Authorization: Bearer`). */
  readonly oauthTokens = new Map<string, number>();
  /** System and custom ticket fields, by id. */
  readonly ticketFields = new Map<number, StoredTicketField>();
  /** User identities, by identity id. */
  readonly identities = new Map<number, StoredIdentity>();
  private nextIdentityId = FIRST_IDENTITY_ID;
  /** Background jobs by id (Update Many Tickets). */
  readonly jobs = new Map<string, StoredJob>();
  private nextUserId = FIRST_USER_ID;
  private nextTicketId = FIRST_TICKET_ID;
  private nextCommentId = FIRST_COMMENT_ID;
  private nextAuditId = FIRST_AUDIT_ID;
  private nextTicketFieldId = FIRST_TICKET_FIELD_ID;
  private nextJobId = 1;

  constructor(private readonly now: () => number) {}

  clear(): void {
    this.users.clear();
    this.tickets.clear();
    this.comments.clear();
    this.oauthTokens.clear();
    this.ticketFields.clear();
    this.identities.clear();
    this.nextIdentityId = FIRST_IDENTITY_ID;
    this.jobs.clear();
    this.nextJobId = 1;
    this.nextTicketFieldId = FIRST_TICKET_FIELD_ID;
    this.nextUserId = FIRST_USER_ID;
    this.nextTicketId = FIRST_TICKET_ID;
    this.nextCommentId = FIRST_COMMENT_ID;
    this.nextAuditId = FIRST_AUDIT_ID;
  }

  addUser(input: NewUser): StoredUser {
    const id = input.id ?? this.nextUserId;
    if (this.users.has(id)) throw new Error(`user ${id} already exists`);
    this.nextUserId = Math.max(this.nextUserId, id + 1);
    const createdAt = input.createdAt ?? this.now();
    const user: StoredUser = {
      id,
      name: input.name,
      email: input.email ?? null,
      phone: input.phone ?? null,
      role: input.role ?? 'end-user',
      verified: input.email !== undefined && input.email !== null,
      active: true,
      shared: false,
      external_id: input.external_id ?? null,
      locale: input.locale ?? 'en-US',
      time_zone: input.time_zone ?? 'UTC',
      organization_id: input.organization_id ?? null,
      tags: [...(input.tags ?? [])],
      user_fields: {},
      ticket_restriction: input.ticket_restriction ?? null,
      group_ids: [...(input.group_ids ?? [])],
      createdAt,
      updatedAt: createdAt,
      searchableAt: input.searchableAt ?? 0,
    };
    this.users.set(id, user);
    return user;
  }

  /**
   * Changes a user's name, phone or role; `updated_at` moves to now, as any change of a user
   * moves it, so the incremental export returns the user again.
   */
  updateUser(id: number, changes: UserChanges): StoredUser {
    const user = this.requireUser(id);
    if (changes.name !== undefined) user.name = changes.name;
    if (changes.phone !== undefined) user.phone = changes.phone === '' ? null : changes.phone;
    if (changes.role !== undefined) user.role = changes.role;
    this.touch(user);
    return user;
  }

  /**
   * Deletes a user as Zendesk does at first: the record stays, with `active: false` and a new
   * `updated_at`, so the incremental export reports it.
   * UNCONFIRMED: whether a deleted user keeps `phone` and its identities in the export; the
   * stand-in keeps them (a reader must go by `active`).
   */
  deleteUser(id: number): StoredUser {
    const user = this.requireUser(id);
    user.active = false;
    this.touch(user);
    return user;
  }

  /**
   * Adds an identity (`POST /users/{id}/identities`). The user's `updated_at` moves too.
   * UNCONFIRMED: that adding or removing an identity moves the user's `updated_at` (and so puts
   * the user back in the incremental export); the stand-in assumes it does.
   * UNCONFIRMED simplification: a user's `phone` and `email` are not mirrored as identities.
   */
  addIdentity(userId: number, input: { type: IdentityType; value: string }): StoredIdentity {
    const user = this.requireUser(userId);
    const at = this.now();
    const identity: StoredIdentity = {
      id: this.nextIdentityId++,
      user_id: userId,
      type: input.type,
      value: input.value,
      verified: false,
      primary: false,
      createdAt: at,
      updatedAt: at,
    };
    this.identities.set(identity.id, identity);
    this.touch(user);
    return identity;
  }

  /** Removes an identity; the user's `updated_at` moves (see addIdentity). */
  removeIdentity(id: number): void {
    const identity = this.identities.get(id);
    if (!identity) throw new Error(`identity ${id} does not exist`);
    this.identities.delete(id);
    const user = this.users.get(identity.user_id);
    if (user) this.touch(user);
  }

  /** A user's identities, oldest first. */
  identitiesOf(userId: number): StoredIdentity[] {
    return [...this.identities.values()].filter((i) => i.user_id === userId);
  }

  private requireUser(id: number): StoredUser {
    const user = this.users.get(id);
    if (!user) throw new Error(`user ${id} does not exist`);
    return user;
  }

  /** Moves `updated_at` forward (never back, even when the clock was set back by a test). */
  private touch(user: StoredUser): void {
    user.updatedAt = Math.max(this.now(), user.updatedAt);
  }

  addTicket(input: NewTicket): StoredTicket {
    const requester = this.users.get(input.requester_id);
    if (!requester) throw new Error(`requester ${input.requester_id} does not exist`);
    const id = input.id ?? this.nextTicketId;
    if (this.tickets.has(id)) throw new Error(`ticket ${id} already exists`);
    this.nextTicketId = Math.max(this.nextTicketId, id + 1);
    const createdAt = input.createdAt ?? this.now();
    const ticket: StoredTicket = {
      id,
      subject: input.subject ?? null,
      description: input.description,
      status: input.status ?? 'new',
      requester_id: requester.id,
      submitter_id: input.submitter_id ?? requester.id,
      assignee_id: input.assignee_id ?? null,
      group_id: input.group_id ?? null,
      tags: [...new Set(input.tags ?? [])],
      priority: input.priority ?? null,
      custom_fields: [...(input.custom_fields ?? [])].sort((a, b) => a.id - b.id),
      via_id: input.via_id ?? null,
      external_id: input.external_id ?? null,
      createdAt,
      updatedAt: createdAt,
    };
    this.tickets.set(id, ticket);
    this.comments.set(id, []);
    this.addComment(id, {
      body: input.description,
      ...(input.html_body === undefined ? {} : { html_body: input.html_body }),
      public: input.public ?? true,
      author_id: ticket.submitter_id,
      createdAt,
    });
    return ticket;
  }

  addComment(ticketId: number, input: NewComment): StoredComment {
    const list = this.comments.get(ticketId);
    if (!list) throw new Error(`ticket ${ticketId} does not exist`);
    const comment: StoredComment = {
      id: this.nextCommentId++,
      ticket_id: ticketId,
      type: input.type ?? 'Comment',
      body: input.body,
      ...(input.html_body === undefined ? {} : { html_body: input.html_body }),
      public: input.public ?? true,
      author_id: input.author_id,
      createdAt: input.createdAt ?? this.now(),
      ...(input.data ? { data: input.data } : {}),
    };
    list.push(comment);
    return comment;
  }

  addTicketField(input: NewTicketField): StoredTicketField {
    const id = input.id ?? this.nextTicketFieldId;
    if (this.ticketFields.has(id)) throw new Error(`ticket field ${id} already exists`);
    this.nextTicketFieldId = Math.max(this.nextTicketFieldId, id + 1);
    const field: StoredTicketField = {
      id,
      type: input.type,
      title: input.title,
      description: input.description ?? '',
      position: this.ticketFields.size + 1,
      active: input.active ?? true,
      required: input.required ?? false,
      tag: input.tag ?? null,
      custom_field_options: [...(input.custom_field_options ?? [])],
      createdAt: input.createdAt ?? this.now(),
    };
    this.ticketFields.set(id, field);
    return field;
  }

  commentCount(ticketId: number): number {
    return this.comments.get(ticketId)?.length ?? 0;
  }

  /** Queues a job; ids are 32 hex digits like Zendesk's (a counter, so tests can predict them). */
  addJob(items: StoredJobItem[], actorId: number, jobType: JobType = 'bulk_update'): StoredJob {
    const id = (this.nextJobId++).toString(16).padStart(32, '0');
    const job: StoredJob = {
      id,
      jobType,
      status: 'queued',
      items,
      actorId,
      polls: 0,
      results: null,
      createdAt: this.now(),
      completedAt: null,
    };
    this.jobs.set(id, job);
    return job;
  }

  nextAudit(): number {
    return this.nextAuditId++;
  }

  /** Grants an OAuth access token to a user, as Zendesk's authorization_code flow would. */
  addOAuthToken(token: string, userId: number): void {
    if (!this.users.has(userId)) throw new Error(`user ${userId} does not exist`);
    this.oauthTokens.set(token, userId);
  }

  findUserByOAuthToken(token: string): StoredUser | undefined {
    const id = this.oauthTokens.get(token);
    return id === undefined ? undefined : this.users.get(id);
  }

  findUserByExternalId(externalId: string): StoredUser | undefined {
    for (const user of this.users.values()) if (user.external_id === externalId) return user;
    return undefined;
  }

  findUserByEmail(email: string): StoredUser | undefined {
    const wanted = email.toLowerCase();
    for (const user of this.users.values()) if (user.email?.toLowerCase() === wanted) return user;
    return undefined;
  }

  /** Plain-JSON copy for `GET /__standin/state`. */
  snapshot(): {
    users: StoredUser[];
    tickets: StoredTicket[];
    comments: Record<string, StoredComment[]>;
    ticket_fields: StoredTicketField[];
    identities: StoredIdentity[];
  } {
    return {
      identities: [...this.identities.values()],
      users: [...this.users.values()],
      tickets: [...this.tickets.values()],
      comments: Object.fromEntries(this.comments),
      ticket_fields: [...this.ticketFields.values()],
    };
  }
}
