// The edge protocol as the Worker and the edge agent both check it (docs/edge-protocol.md): the
// facts of an INVITE, the decision, lifecycle events and the edge config. `.meta({ id })` names a
// schema's component in the Worker's OpenAPI document.
import { z } from 'zod';
import { parseIp } from './cidr';
import { CallIdSchema, IsoTimeSchema, SlugSchema } from './identifiers';
import { TICKET_ID_PATTERN } from './ticket-id';
import { CONTEXT_HEADER_NAME, RESERVED_HEADER } from './header-names';
import type { EdgeLineAuth } from './caller-auth';
import type { LineMedia } from './line-media';
import { RULE_ID_PATTERN, type EdgeRoutingRule } from './routing-rules';

/** The longest SIP facts accepted, in characters (the edge cuts a longer User-Agent to fit). */
export const SIP_FACT_LIMITS = {
  from: 1024,
  to: 1024,
  request_uri: 1024,
  p_asserted_identity: 1024,
  user_agent: 512,
} as const;

/**
 * Context headers an AI agent or IVR sends (`X-…`, and `User-to-User`, RFC 7433): the edge passes
 * at most `headers` of them, each value at most `value` characters of printable ASCII.
 */
export const SIP_CONTEXT_LIMITS = { headers: 8, value: 256 } as const;
export { CONTEXT_HEADER_NAME, RESERVED_HEADER } from './header-names';
/** One context header as the edge passes it. */
export const ContextHeaderSchema = z.object({
  name: z
    .string()
    .regex(CONTEXT_HEADER_NAME, 'must be X-<name> or User-to-User')
    .refine((n) => !RESERVED_HEADER.test(n), 'X-Zendesk- and X-Bridge- are not context'),
  value: z
    .string()
    .max(SIP_CONTEXT_LIMITS.value)
    .regex(/^[\x20-\x7e]*$/, 'must be printable ASCII'),
});

/** The time an edge may give the Worker to decide (`budget_ms`), in milliseconds. */
export const DECISION_BUDGET_MS = { min: 50, max: 10_000 } as const;

// SIP header values are bounded and never carry CR/LF (the edge strips them; we refuse them).
const sipValue = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[^\r\n\0]*$/, 'must not contain CR, LF or NUL');

export const SipFactsSchema = z
  .object({
    from: sipValue(SIP_FACT_LIMITS.from).min(1),
    to: sipValue(SIP_FACT_LIMITS.to).min(1),
    request_uri: sipValue(SIP_FACT_LIMITS.request_uri).min(1),
    p_asserted_identity: sipValue(SIP_FACT_LIMITS.p_asserted_identity).nullish(),
    user_agent: sipValue(SIP_FACT_LIMITS.user_agent).nullish(),
    context: z
      .array(ContextHeaderSchema)
      .max(SIP_CONTEXT_LIMITS.headers)
      .optional()
      .meta({
        description:
          'Context headers the caller sent (`X-…` other than X-Zendesk- and X-Bridge-, and ' +
          '`User-to-User` with its parameters), in message order: at most 8, each value 256 ' +
          'printable ASCII characters; the edge leaves out any other (listed in `sanitized` as ' +
          '`context:dropped`)',
        example: [
          { name: 'X-Intent', value: 'billing' },
          { name: 'User-to-User', value: '56a390f3d2b7310023a2;encoding=hex' },
        ],
      }),
    sanitized: z
      .array(z.string().max(40))
      .max(10)
      .optional()
      .meta({
        description:
          'Facts the edge made safe, as `name:escaped` (not UTF-8, or control characters) or ' +
          '`name:truncated` (cut to the limit)',
        example: ['user_agent:truncated'],
      }),
  })
  .meta({ id: 'SipFacts' });

export const SourceSchema = z
  .object({
    ip: z
      .string()
      .max(64)
      .refine((v) => parseIp(v) !== undefined, 'must be an IPv4 or IPv6 address'),
    port: z.number().int().min(1).max(65535).optional(),
    transport: z.enum(['udp', 'tcp', 'tls', 'ws', 'wss']).optional(),
  })
  .meta({ id: 'Source' });

/** The facts of one INVITE, as the edge saw them. */
export const CallFactsSchema = z.object({
  call_id: CallIdSchema,
  line: SlugSchema,
  source: SourceSchema,
  acl_entry: z
    .string()
    .max(120)
    .nullish()
    .meta({ description: 'The ACL entry (CIDR) that admitted the source' }),
  sip: SipFactsSchema,
  ticket_id: z
    .string()
    .regex(TICKET_ID_PATTERN, 'must be 1-19 digits')
    .nullish()
    .meta({ description: 'X-Zendesk-Ticket-Id as validated by the edge', example: '1001' }),
  codecs: z.array(z.string().max(32)).max(32).default([]),
  received_at: IsoTimeSchema.optional(),
});

export const DecisionRequestSchema = CallFactsSchema.extend({
  budget_ms: z
    .number()
    .int()
    .min(DECISION_BUDGET_MS.min)
    .max(DECISION_BUDGET_MS.max)
    .optional()
    .meta({ description: 'Time the edge will wait for this answer; the API answers within it' }),
}).meta({ id: 'DecisionRequest' });

export const HeaderSchema = z
  .object({ name: z.string(), value: z.string() })
  .meta({ id: 'Header' });

export const DecisionSchema = z
  .object({
    action: z.enum(['relay', 'reject']),
    code: z
      .number()
      .int()
      .optional()
      .meta({ description: 'SIP status for a reject', example: 603 }),
    reason: z.string().optional().meta({ example: 'Decline' }),
    headers: z
      .array(HeaderSchema)
      .meta({ description: 'Headers to set on the relayed INVITE, in order' }),
    targets: z.array(z.string()).meta({ description: 'SIP URIs to try in order' }),
    caller_user: z
      .string()
      .regex(/^\+[1-9][0-9]{6,14}$/)
      .nullable()
      .optional()
      .meta({
        description:
          "The caller's E.164 number for the edge to present as the user part of From (and of " +
          'P-Asserted-Identity when the INVITE has one), on a line whose `caller_presentation` is ' +
          '`e164`; absent or null: relay them as received',
        example: '+14155550100',
      }),
    route_rule: z
      .object({
        id: z.string().regex(RULE_ID_PATTERN),
        name: z.string().max(64),
      })
      .nullable()
      .optional()
      .meta({
        description:
          "The line's routing rule that routes the call (the edge relays to that rule's targets, " +
          "named by `id`); absent or null: the line's own `sip_targets`",
        example: { id: 'vip', name: 'VIP' },
      }),
    call: z.object({
      caller_e164: z.string().nullable(),
      match: z.enum(['matched', 'no_match', 'ambiguous', 'withheld', 'unavailable']),
      ticket_id: z.number().int().nullable(),
      ticket_link: z.enum(['passed', 'passed_unverified', 'created', 'dropped', 'none']),
      ticket_requester_mismatch: z.boolean().nullable().optional().meta({
        description:
          "True when the passed ticket's requester is not the caller, false when it is; null or absent when it could not be told",
      }),
      degraded: z.array(z.string()).meta({
        description:
          'Enrichment steps skipped and why (`<step>:<reason>`): Zendesk did not answer in time, ' +
          "the line's creation cap was reached (`create_ticket:line_cap`), or the passed ticket id " +
          'cannot be a Zendesk id (`ticket:not_a_zendesk_id`)',
      }),
    }),
  })
  .meta({ id: 'Decision' });

export const EventKindSchema = z.enum(['answered', 'ended', 'failed', 'cancelled']);

/**
 * Which of the edge's timers ended a call, when one did (the line's `routing`): no target rang
 * in time (`no_ringback_timeout`), or the ringing target did not answer in time
 * (`no_answer_timeout`). Edges before issue 16 send none, and their events stay valid.
 */
export const END_CAUSES = ['no_ringback_timeout', 'no_answer_timeout'] as const;
export const EndCauseSchema = z.enum(END_CAUSES);

export const CallEventSchema = z
  .object({
    call_id: CallIdSchema,
    kind: EventKindSchema,
    at: IsoTimeSchema,
    sip_code: z.number().int().min(100).max(699).optional(),
    reason: sipValue(200).optional(),
    ended_by: z.enum(['caller', 'callee', 'proxy']).optional(),
    cause: EndCauseSchema.optional().meta({
      description: 'Which edge timer ended the call, when one did (a `failed` event with 408)',
      example: 'no_answer_timeout',
    }),
    /** Sent by the edge when the decision may never have reached the API (it failed open). */
    call: CallFactsSchema.optional(),
  })
  .meta({ id: 'CallEvent' });

export const EventBatchSchema = z
  .object({ events: z.array(CallEventSchema).min(1).max(100) })
  .meta({ id: 'CallEventBatch' });

export const EventResultSchema = z
  .object({
    results: z.array(
      z.object({
        call_id: z.string(),
        kind: EventKindSchema,
        status: z.enum(['applied', 'duplicate', 'unknown_call']),
      }),
    ),
  })
  .meta({ id: 'CallEventResults' });

export type ContextHeader = z.infer<typeof ContextHeaderSchema>;
export type CallFacts = z.infer<typeof CallFactsSchema>;
export type DecisionRequest = z.infer<typeof DecisionRequestSchema>;
export type Decision = z.infer<typeof DecisionSchema>;
export type CallEvent = z.infer<typeof CallEventSchema>;

/** A line's routing as the edge applies it (the Worker's LineRouting). */
export interface EdgeRouting {
  /** `sequential`: targets in their order; `round_robin`: each call starts at the next target. */
  mode: 'sequential' | 'round_robin';
  /** Give a target up when it did not ring (180-189) within this time (100-60000). */
  no_ringback_ms: number;
  /** End the call when the ringing target has not answered within this time (1000-3600000). */
  no_answer_ms: number;
  /** Calls in progress on the line, 0 = unlimited (0-100000). */
  max_concurrent_calls: number;
}

/**
 * What the edge agent polls (`GET /v1/edge/config`, with an ETag): every enabled line's targets,
 * CPS limit, ACL, block list and caller authentication. The agent checks each field before
 * applying any of it.
 */
export interface EdgeConfig {
  lines: {
    /** The line's slug (SlugSchema). */
    slug: string;
    /** SIP or SIPS URIs with a host, in failover order. */
    sip_targets: string[];
    /** Calls per second the edge admits on the line, 0-10000 (0: the edge's own limit). */
    max_cps: number;
    /**
     * How the edge routes the line's calls (Workers before issue 16 send none: the edge then tries
     * targets in order with its own timers and no concurrent limit).
     */
    routing?: EdgeRouting;
    /** Networks in canonical form (parseCidr's `text`). */
    acl: { cidr: string; label: string }[];
    /** Caller digits (3-20) Kamailio refuses with 603 when it relays without a decision. */
    blocked: string[];
    /** How callers prove they may use the line (caller-auth.ts); absent from older Workers. */
    auth?: EdgeLineAuth;
    /** `secure`: TLS and SDES SRTP on both legs (line-media.ts); absent: `rtp`. */
    media?: LineMedia;
    /**
     * The line's routing rules in order, each with its own targets (routing-rules.ts): the edge
     * relays to a rule's targets when the decision names it. Absent: none (and older Workers).
     */
    rules?: EdgeRoutingRule[];
  }[];
}
