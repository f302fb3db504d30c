import { z } from '@hono/zod-openapi';
import { isCountryCode } from '../phone/normalize';
import { parseCidr } from '@sip-bridge/contract/cidr';
import { SlugSchema } from '@sip-bridge/contract/identifiers';
import { CONTEXT_HEADER_NAME, RESERVED_HEADER } from '@sip-bridge/contract/header-names';
import { isTlsTarget, LINE_MEDIA } from '@sip-bridge/contract/line-media';
import { LINE_LIMITS, ROUTING_LIMITS, ROUTING_MODES } from '@sip-bridge/contract/line-limits';
import { WebhookSchema, WebhookSecretSchema, WebhookSettingsSchema } from './webhooks';
import { LineAuthInputSchema, LineAuthSchema } from './line-auth';

/** A SIP or SIPS URI with a host, the only kind of target the edge will relay to. */
export const SipTargetSchema = z
  .string()
  .max(255)
  .regex(
    /^sips?:([^@\s;]+@)?[A-Za-z0-9.\-[\]:]+(?::\d{1,5})?(;[^\s]*)?$/,
    'must be a sip: or sips: URI with a host',
  )
  .openapi({ example: 'sip:mongoose@mongoose.sip.twilio.com' });

export const CountrySchema = z
  .string()
  .refine(isCountryCode, {
    message: 'must be an ISO 3166-1 alpha-2 country code libphonenumber knows, e.g. US, FR',
    params: { kind: 'unknown_country' },
  })
  .openapi({ example: 'US' });

export const CidrSchema = z
  .string()
  .max(64)
  .transform((value, ctx) => {
    const parsed = parseCidr(value);
    if (parsed.ok) return parsed.cidr.text;
    ctx.addIssue({ code: 'custom', message: parsed.reason, params: { kind: 'invalid_cidr' } });
    return z.NEVER;
  })
  .openapi({ type: 'string', example: '192.0.2.0/24' });

export const AclEntryInputSchema = z
  .object({
    cidr: CidrSchema,
    label: z.string().max(100).default(''),
    confirm_wide: z
      .boolean()
      .optional()
      .openapi({
        description:
          'Must be true for a network wider than /8 (IPv4) or /32 (IPv6): such an entry lets a large ' +
          'part of the internet call the line. Not stored.',
      }),
  })
  .strict()
  .openapi('AclEntryInput');

export const AclEntrySchema = z
  .object({ id: z.number().int(), cidr: z.string(), label: z.string(), created_at: z.string() })
  .openapi('AclEntry');

/** One context header the line reads, and where its value goes on the call's ticket. */
export const ContextMappingSchema = z
  .object({
    header: z
      .string()
      .regex(CONTEXT_HEADER_NAME, 'must be X-<name> (letters, digits, dashes) or User-to-User')
      .refine(
        (n) => !RESERVED_HEADER.test(n),
        'X-Zendesk- and X-Bridge- headers are the bridge’s own',
      )
      .openapi({ example: 'X-Intent' }),
    to: z.enum(['tag', 'custom_field', 'note']).openapi({
      description:
        '`tag`: the value (lower case, spaces as _) becomes a ticket tag; `custom_field`: the value ' +
        'of ticket field `field_id` (checked against the field when the call is written: a ' +
        'drop-down takes an option tag, a checkbox true/false, a multi-select comma-separated tags); ' +
        '`note`: a line `label: value` in the internal note the bridge adds',
    }),
    field_id: z.number().int().positive().optional().openapi({
      description: 'The ticket field, for `to: custom_field` only (must exist and be active)',
    }),
    label: z
      .string()
      .min(1)
      .max(60)
      .regex(/^[^\p{Cc}]+$/u, 'must be printable text')
      .optional()
      .openapi({ description: 'For `to: note`: the line’s label (default: the header name)' }),
    tag_prefix: z
      .string()
      .max(40)
      .regex(/^[a-z0-9_\-:./]*$/, 'must be lower-case letters, digits, _ - : . /')
      .optional()
      .openapi({ description: 'For `to: tag`: put before the value, e.g. `intent_`' }),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.to === 'custom_field' && m.field_id === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['field_id'],
        message: 'is required for a custom_field',
      });
    }
    if (m.to !== 'custom_field' && m.field_id !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['field_id'], message: 'is only for to: custom_field' });
    }
    if (m.to !== 'note' && m.label !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['label'], message: 'is only for to: note' });
    }
    if (m.to !== 'tag' && m.tag_prefix !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['tag_prefix'], message: 'is only for to: tag' });
    }
  })
  .openapi('ContextMapping');

const ContextMappingsSchema = z
  .array(ContextMappingSchema)
  .max(8)
  .superRefine((list, ctx) => {
    const seen = new Map<string, number>();
    list.forEach((m, i) => {
      const first = seen.get(m.header.toLowerCase());
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'header'],
          message: `repeats context_headers[${first}].header`,
        });
      } else {
        seen.set(m.header.toLowerCase(), i);
      }
    });
  })
  .openapi({
    description:
      'Context headers an AI agent or IVR sends, mapped to the ticket (at most 8; the edge passes ' +
      'at most 8 context headers per call, 256 printable characters each). Unmapped headers are ' +
      'ignored, and no context header is relayed to Zendesk. The call record lists what was ' +
      'applied (`context`).',
  });

export { ROUTING_LIMITS };

const routingFields = {
  mode: z.enum(ROUTING_MODES).openapi({
    description:
      '`sequential`: every call tries `sip_targets` in their order; `round_robin`: each call starts ' +
      'at the next target and fails over through the others',
  }),
  no_ringback_ms: z
    .number()
    .int()
    .min(ROUTING_LIMITS.no_ringback_ms.min)
    .max(ROUTING_LIMITS.no_ringback_ms.max)
    .openapi({
      description:
        'A target that does not ring (180-189; 100 Trying does not count) within this time is given ' +
        'up and the next target tried; after the last one the caller gets 408 and the record ' +
        '`final.cause: no_ringback_timeout` (100-60000, default 5000)',
    }),
  no_answer_ms: z
    .number()
    .int()
    .min(ROUTING_LIMITS.no_answer_ms.min)
    .max(ROUTING_LIMITS.no_answer_ms.max)
    .openapi({
      description:
        'A target that rings but does not answer within this time ends the call: the caller gets 408 ' +
        'and the record `final.cause: no_answer_timeout` (1000-3600000, default 300000)',
    }),
  max_concurrent_calls: z
    .number()
    .int()
    .min(ROUTING_LIMITS.max_concurrent_calls.min)
    .max(ROUTING_LIMITS.max_concurrent_calls.max)
    .openapi({
      description:
        'Calls in progress (ringing or answered) the edge admits on the line; over it the caller gets ' +
        '`503 Concurrent Call Limit Reached` with `Retry-After` (0 = unlimited, the default)',
    }),
};

/** How the edge routes a line's calls: target order, timers, concurrent calls. */
export const RoutingSchema = z
  .object({
    mode: routingFields.mode.default('sequential'),
    no_ringback_ms: routingFields.no_ringback_ms.default(ROUTING_LIMITS.no_ringback_ms.default),
    no_answer_ms: routingFields.no_answer_ms.default(ROUTING_LIMITS.no_answer_ms.default),
    max_concurrent_calls: routingFields.max_concurrent_calls.default(
      ROUTING_LIMITS.max_concurrent_calls.default,
    ),
  })
  .strict()
  .openapi('LineRouting');

/** A change to a line's routing: the fields given replace the stored ones, the others stay. */
export const RoutingPatchSchema = z
  .object(routingFields)
  .partial()
  .strict()
  .openapi('LineRoutingPatch');

const lineFields = {
  name: z.string().min(1).max(100),
  sip_targets: z.array(SipTargetSchema).min(1).max(8),
  default_country: CountrySchema,
  invalid_ticket: z.enum(['drop', 'reject']),
  create_ticket: z.boolean(),
  call_summary: z.enum(['private_note', 'voice_comment', 'none']),
  price_per_minute_micros: z.number().int().min(0).max(100_000_000),
  max_cps: z.number().int().min(LINE_LIMITS.max_cps.min).max(LINE_LIMITS.max_cps.max),
  max_creations_per_minute: z
    .number()
    .int()
    .min(LINE_LIMITS.max_creations_per_minute.min)
    .max(LINE_LIMITS.max_creations_per_minute.max)
    .openapi({
      description:
        'Zendesk users plus tickets the bridge may create for this line per minute (default 30, 0 = none); ' +
        'over it a call is still relayed and recorded, with `create_ticket:line_cap` in `decision.degraded`',
    }),
  requester_mismatch: z.enum(['keep', 'drop']).openapi({
    description:
      'A passed X-Zendesk-Ticket-Id whose requester is not the caller: `keep` relays the header, ' +
      '`drop` relays without it; the call record flags it either way (`ticket.requester_mismatch`)',
  }),
  caller_presentation: z.enum(['as_received', 'e164']).openapi({
    description:
      'How the caller reaches Zendesk: `as_received` relays From and P-Asserted-Identity untouched; ' +
      '`e164` presents a caller the bridge could read as a number in E.164 (the user part of From, ' +
      'and of P-Asserted-Identity when the caller sent one), so Talk matches users and offers ' +
      'callbacks even when the carrier sends national numbers. The call record keeps the original.',
  }),
  enabled: z.boolean(),
  edge_sip_uri: SipTargetSchema.nullable().openapi({
    description:
      'The SIP address AI agents dial at the edge for this line, answered as `sip_uri` by ' +
      '`POST /v1/handoffs`; null (default) when not set, and the handoff answers `sip_uri: null`',
    example: 'sip:ai-agent@edge.example.com',
  }),
  context_headers: ContextMappingsSchema,
  media: z.enum(LINE_MEDIA).openapi({
    description:
      '`rtp` (default): plain RTP only, an SRTP offer is refused with 488. `secure`, like ' +
      'Zendesk’s Secure media (TLS/SRTP): callers must reach the edge over TLS (else 403 ' +
      '`Secure Media Requires TLS`) with an SDES SRTP offer (RTP/SAVP with a=crypto on every ' +
      'stream; plain RTP, DTLS-SRTP and RTP/SAVPF are refused with 488 and a reason), and the ' +
      'edge relays to the line’s targets over TLS, so every `sip_targets` entry must be `sips:` ' +
      'or carry `;transport=tls`. The keys pass through untouched (docs/secure-media.md).',
  }),
};

/**
 * Issues for a secure line's targets that the edge would not reach over TLS; `path` names the
 * field to blame (the targets, or `media` when only the media changes).
 * @example insecureTargetIssues('secure', ['sip:a@b'], (i) => `sip_targets[${i}]`)
 */
export function insecureTargetIssues(
  media: string | undefined,
  targets: readonly string[],
  pathOf: (index: number) => string,
): { path: string; message: string }[] {
  if (media !== 'secure') return [];
  return targets.flatMap((target, i) =>
    isTlsTarget(target)
      ? []
      : [{ path: pathOf(i), message: 'must be sips: or carry ;transport=tls on a secure line' }],
  );
}

export const secureTargetsRefinement = (
  line: { media?: string | undefined; sip_targets?: string[] | undefined },
  ctx: z.RefinementCtx,
) => {
  if (!line.sip_targets) return;
  for (const issue of insecureTargetIssues(line.media, line.sip_targets, String)) {
    ctx.addIssue({
      code: 'custom',
      path: ['sip_targets', Number(issue.path)],
      message: issue.message,
      params: { kind: 'insecure_target' },
    });
  }
};

/** LineCreate's fields, before the checks across fields (the console's schema omits from it). */
export const LineCreateObject = z
  .object({
    slug: SlugSchema,
    name: lineFields.name,
    sip_targets: lineFields.sip_targets,
    default_country: lineFields.default_country,
    invalid_ticket: lineFields.invalid_ticket.default('drop'),
    create_ticket: lineFields.create_ticket.default(false),
    call_summary: lineFields.call_summary.default('private_note'),
    price_per_minute_micros: lineFields.price_per_minute_micros.default(10_000),
    max_cps: lineFields.max_cps.default(LINE_LIMITS.max_cps.default),
    max_creations_per_minute: lineFields.max_creations_per_minute.default(
      LINE_LIMITS.max_creations_per_minute.default,
    ),
    requester_mismatch: lineFields.requester_mismatch.default('keep'),
    caller_presentation: lineFields.caller_presentation.default('as_received'),
    enabled: lineFields.enabled.default(true),
    edge_sip_uri: lineFields.edge_sip_uri.default(null),
    context_headers: lineFields.context_headers.default([]),
    media: lineFields.media.default('rtp'),
    webhook: WebhookSettingsSchema.nullable().default(null),
    routing: RoutingSchema.prefault({}),
    acl: z.array(AclEntryInputSchema).max(256).default([]),
    auth: LineAuthInputSchema.default({ ip: true }),
  })
  .strict();

export const LineCreateSchema =
  LineCreateObject.superRefine(secureTargetsRefinement).openapi('LineCreate');

/** LinePatch's fields, before the checks across fields (the console's schema omits from it). */
export const LinePatchObject = z
  .object({
    ...lineFields,
    auth: LineAuthInputSchema,
    webhook: WebhookSettingsSchema.nullable().openapi({
      description:
        'The whole webhook (replaces the old one, keeping its secret), or null to remove it',
    }),
    routing: RoutingPatchSchema,
  })
  .partial()
  .strict();

export const LinePatchSchema =
  LinePatchObject.superRefine(secureTargetsRefinement).openapi('LinePatch');

export const LineSchema = z
  .object({
    slug: z.string(),
    ...lineFields,
    webhook: WebhookSchema.nullable(),
    routing: RoutingSchema,
    acl: z.array(AclEntrySchema),
    auth: LineAuthSchema,
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Line');

export const BlockedNumberInputSchema = z
  .object({
    number: z.string().min(1).max(64).openapi({ example: '+1 415 555 0123' }),
    /** Read with this country when the number is national; defaults to the line's or US. */
    country: CountrySchema.optional(),
    line: SlugSchema.optional(),
    reason: z.string().max(200).default(''),
  })
  .strict()
  .openapi('BlockedNumberInput');

export const BlockedNumberSchema = z
  .object({
    id: z.number().int(),
    e164: z.string(),
    line: z.string().nullable(),
    reason: z.string(),
    created_at: z.string(),
  })
  .openapi('BlockedNumber');

/** A line answer; `webhook_secret` only when this request made the line's signing secret. */
export const LineAnswerSchema = z.object({
  line: LineSchema,
  webhook_secret: WebhookSecretSchema.optional(),
});

export type ContextMapping = z.infer<typeof ContextMappingSchema>;
export type LineCreate = z.infer<typeof LineCreateSchema>;
export type LinePatch = z.infer<typeof LinePatchSchema>;
export type Line = z.infer<typeof LineSchema>;
export type Routing = z.infer<typeof RoutingSchema>;

/**
 * Issues for ACL entries wider than /8 (IPv4) or /32 (IPv6) sent without `confirm_wide: true`;
 * `pathOf(i)` names the entry's confirm_wide field.
 */
export function unconfirmedWideEntries(
  entries: ReadonlyArray<{ cidr: string; confirm_wide?: boolean | undefined }>,
  pathOf: (index: number) => string,
): { path: string; message: string }[] {
  return entries.flatMap((entry, i) => {
    const [address = '', bits = '0'] = entry.cidr.split('/');
    const widest = address.includes(':') ? 32 : 8;
    if (Number(bits) >= widest || entry.confirm_wide === true) return [];
    return [{ path: pathOf(i), message: `must be true to allow a network wider than /${widest}` }];
  });
}
