import { z } from '@hono/zod-openapi';
import { parseIp } from '../net/cidr';
import { IsoTimeSchema, SlugSchema } from './common';

// SIP header values are bounded and never carry CR/LF (the edge strips them; we refuse them).
const sipValue = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[^\r\n\0]*$/, 'must not contain CR, LF or NUL');

export const CallIdSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'visible ASCII without spaces, as SIP allows')
  .openapi({ example: 'a84b4c76e66710@pc33.example.com' });

export const SipFactsSchema = z
  .object({
    from: sipValue(1024).min(1),
    to: sipValue(1024).min(1),
    request_uri: sipValue(1024).min(1),
    p_asserted_identity: sipValue(1024).nullish(),
    user_agent: sipValue(512).nullish(),
    sanitized: z
      .array(z.string().max(40))
      .max(10)
      .optional()
      .openapi({
        description:
          'Facts the edge made safe, as `name:escaped` (not UTF-8, or control characters) or ' +
          '`name:truncated` (cut to the limit)',
        example: ['user_agent:truncated'],
      }),
  })
  .openapi('SipFacts');

export const SourceSchema = z
  .object({
    ip: z
      .string()
      .max(64)
      .refine((v) => parseIp(v) !== undefined, 'must be an IPv4 or IPv6 address'),
    port: z.number().int().min(1).max(65535).optional(),
    transport: z.enum(['udp', 'tcp', 'tls', 'ws', 'wss']).optional(),
  })
  .openapi('Source');

/** The facts of one INVITE, as the edge saw them. */
export const CallFactsSchema = z.object({
  call_id: CallIdSchema,
  line: SlugSchema,
  source: SourceSchema,
  acl_entry: z
    .string()
    .max(120)
    .nullish()
    .openapi({ description: 'The ACL entry (CIDR) that admitted the source' }),
  sip: SipFactsSchema,
  ticket_id: z
    .string()
    .regex(/^[0-9]{1,19}$/, 'must be 1-19 digits')
    .nullish()
    .openapi({ description: 'X-Zendesk-Ticket-Id as validated by the edge', example: '1001' }),
  codecs: z.array(z.string().max(32)).max(32).default([]),
  received_at: IsoTimeSchema.optional(),
});

export const DecisionRequestSchema = CallFactsSchema.extend({
  budget_ms: z
    .number()
    .int()
    .min(50)
    .max(10_000)
    .optional()
    .openapi({ description: 'Time the edge will wait for this answer; the API answers within it' }),
}).openapi('DecisionRequest');

export const HeaderSchema = z.object({ name: z.string(), value: z.string() }).openapi('Header');

export const DecisionSchema = z
  .object({
    action: z.enum(['relay', 'reject']),
    code: z
      .number()
      .int()
      .optional()
      .openapi({ description: 'SIP status for a reject', example: 603 }),
    reason: z.string().optional().openapi({ example: 'Decline' }),
    headers: z
      .array(HeaderSchema)
      .openapi({ description: 'Headers to set on the relayed INVITE, in order' }),
    targets: z.array(z.string()).openapi({ description: 'SIP URIs to try in order' }),
    call: z.object({
      caller_e164: z.string().nullable(),
      match: z.enum(['matched', 'no_match', 'ambiguous', 'withheld', 'unavailable']),
      ticket_id: z.number().int().nullable(),
      ticket_link: z.enum(['passed', 'passed_unverified', 'created', 'dropped', 'none']),
      ticket_requester_mismatch: z.boolean().nullable().optional().openapi({
        description:
          "True when the passed ticket's requester is not the caller, false when it is; null or absent when it could not be told",
      }),
      degraded: z.array(z.string()).openapi({
        description:
          'Enrichment steps skipped and why (`<step>:<reason>`): Zendesk did not answer in time, ' +
          "the line's creation cap was reached (`create_ticket:line_cap`), or the passed ticket id " +
          'cannot be a Zendesk id (`ticket:not_a_zendesk_id`)',
      }),
    }),
  })
  .openapi('Decision');

export const EventKindSchema = z.enum(['answered', 'ended', 'failed', 'cancelled']);

export const CallEventSchema = z
  .object({
    call_id: CallIdSchema,
    kind: EventKindSchema,
    at: IsoTimeSchema,
    sip_code: z.number().int().min(100).max(699).optional(),
    reason: sipValue(200).optional(),
    ended_by: z.enum(['caller', 'callee', 'proxy']).optional(),
    /** Sent by the edge when the decision may never have reached the API (it failed open). */
    call: CallFactsSchema.optional(),
  })
  .openapi('CallEvent');

export const EventBatchSchema = z
  .object({ events: z.array(CallEventSchema).min(1).max(100) })
  .openapi('CallEventBatch');

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
  .openapi('CallEventResults');

export type CallFacts = z.infer<typeof CallFactsSchema>;
export type DecisionRequest = z.infer<typeof DecisionRequestSchema>;
export type Decision = z.infer<typeof DecisionSchema>;
export type CallEvent = z.infer<typeof CallEventSchema>;
