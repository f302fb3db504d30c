import { z } from '@hono/zod-openapi';
import { TranscriptRoleSchema } from '@sip-bridge/contract/handoff';
import { IsoTimeSchema } from '@sip-bridge/contract/identifiers';
import { parseTicketId, TICKET_ID_PATTERN } from '@sip-bridge/contract/ticket-id';

/** The bounds of a handoff; the transcript's are answered 413 (see HandoffRequestSchema). */
export const HANDOFF_LIMITS = {
  transcriptTurns: 300,
  transcriptChars: 20_000,
  summaryChars: 4000,
  subjectChars: 150,
  tags: 20,
  customFields: 50,
} as const;

/** The header an AI agent sets on the INVITE, and the field names it is known by. */
export const TICKET_HEADER = 'X-Zendesk-Ticket-Id';

// Text that reaches a ticket is refused with control characters, which no agent could read.
// eslint-disable-next-line no-control-regex
const CONTROL = /^[^\x00-\x1f\x7f]*$/;
// Line breaks and tabs are kept in multi-line text.
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_LINES = /^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$/;

const oneLine = (max: number) =>
  z.string().min(1).max(max).regex(CONTROL, 'must be one line without control characters');
const multiLine = (max?: number) => {
  const text = z.string().min(1);
  return (max === undefined ? text : text.max(max)).regex(
    CONTROL_BUT_LINES,
    'must not contain control characters other than tab and line breaks',
  );
};

const CallerSchema = z
  .object({
    phone: z
      .string()
      .min(1)
      .max(64)
      .openapi({
        description:
          "The caller's number as the AI agent has it (E.164, national, formatted, a tel: or sip: URI); " +
          "read with the line's default country",
        example: '(415) 555-0100',
      }),
    name: oneLine(100).optional().openapi({ example: 'Ada Lovelace' }),
    email: z.email().max(254).optional().openapi({ example: 'ada@example.com' }),
    external_id: oneLine(255).optional().openapi({
      description: "The caller's id in your systems; set on a Zendesk user the bridge creates",
    }),
  })
  .strict()
  .openapi('HandoffCaller');

const TranscriptTurnInputSchema = z
  .object({
    role: TranscriptRoleSchema,
    text: multiLine(),
    at: IsoTimeSchema.optional(),
  })
  .strict()
  .openapi('TranscriptTurnInput');

/** A value Zendesk custom fields take: text, number, checkbox, multi-select tags, or null to clear. */
const CustomFieldValueSchema = z.union([
  z.string().max(10_000),
  z.number(),
  z.boolean(),
  z.array(z.string().max(255)).max(100),
  z.null(),
]);

const TICKET_ID_RULE = 'must be a Zendesk ticket id, 1 to 9007199254740991';

export const TicketIdInputSchema = z
  .union(
    [z.string().regex(TICKET_ID_PATTERN), z.number().int().min(1).max(Number.MAX_SAFE_INTEGER)],
    { error: TICKET_ID_RULE },
  )
  .transform((value, ctx) => {
    // Exact or refused, never rounded (the contract's one parser of ticket ids).
    const parsed = parseTicketId(String(value));
    if (parsed.ok) return parsed.id;
    ctx.addIssue({ code: 'custom', message: TICKET_ID_RULE });
    return z.NEVER;
  })
  .openapi({ example: 1001 });

export const HandoffRequestSchema = z
  .object({
    caller: CallerSchema,
    subject: oneLine(HANDOFF_LIMITS.subjectChars).optional().openapi({
      description: 'Subject of a new ticket (default: "Call from <caller>"); ignored on an update',
    }),
    summary: multiLine(HANDOFF_LIMITS.summaryChars).optional(),
    transcript: z
      .array(TranscriptTurnInputSchema)
      .optional()
      .openapi({
        description:
          `At most ${HANDOFF_LIMITS.transcriptTurns} turns and ${HANDOFF_LIMITS.transcriptChars} ` +
          'characters of text in all; a longer transcript is refused with 413 (path `transcript`): ' +
          'send its last part, or a summary',
      }),
    intent: oneLine(100).optional().openapi({ example: 'billing_dispute' }),
    language: z
      .string()
      .regex(
        /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}$/,
        'must be a BCP 47 language tag, e.g. en, en-US, pt-BR',
      )
      .max(35)
      .optional()
      .openapi({ example: 'en-US' }),
    tags: z
      .array(
        z
          .string()
          .regex(/^[a-z0-9_-]{1,80}$/, 'must be 1-80 lower-case letters, digits, _ or -')
          .openapi({ example: 'vip' }),
      )
      .max(HANDOFF_LIMITS.tags)
      .optional()
      .openapi({ description: "Added to the ticket, beside the bridge's own (sip_bridge, ...)" }),
    custom_fields: z
      .array(z.object({ id: z.number().int().positive(), value: CustomFieldValueSchema }).strict())
      .max(HANDOFF_LIMITS.customFields)
      .optional()
      .openapi({
        description:
          "Zendesk custom ticket fields, checked against the account's fields: an unknown, inactive or " +
          'system field id, or a value the field cannot take, is refused with 422 (path `custom_fields[i].id` or `.value`)',
      }),
    priority: z.enum(['low', 'normal', 'high', 'urgent']).optional(),
    ticket_id: TicketIdInputSchema.optional().openapi({
      description:
        'An existing, not closed ticket to add the handoff to, instead of creating one (a string of digits or an integer)',
    }),
  })
  .strict()
  .openapi('HandoffRequest');

export const IdempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 letters, digits, ".", "_", ":" or "-"')
  .openapi({
    description:
      'Makes a retry safe: the same key with the same request on the same line answers the first ' +
      'answer again and writes nothing; with a different request, 422 `idempotency_key_reused`. A UUID is a good key',
    example: '7d3c2f0e-1b8a-4e4f-9c1d-2a6b5e8f0c31',
  });

const MatchCandidateSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  phone: z.string().nullable(),
});

export const HandoffSchema = z
  .object({
    handoff_id: z.string().openapi({ example: 'ho_5f0c9a1e2b3d4c5e6f708192' }),
    line: z.string().openapi({ example: 'ai-agent' }),
    ticket_id: z.number().int().openapi({ example: 1005 }),
    ticket: z.enum(['created', 'updated']),
    header: z.string().openapi({
      description: 'The SIP header to set on the transferred INVITE, exactly',
      example: `${TICKET_HEADER}: 1005`,
    }),
    sip_uri: z.string().nullable().openapi({
      description:
        "Where to send the call: the line's edge address (`edge_sip_uri`); null when the admin has not set it (dial the edge address you were given)",
      example: 'sip:ai-agent@edge.example.com',
    }),
    expires_at: z.string().openapi({
      description:
        'Until when a call with the header is linked to this handoff without asking Zendesk; later the ticket is still verified and linked as any passed ticket',
    }),
    caller: z.object({
      e164: z.string().openapi({ example: '+14155550100' }),
      match: z.enum(['matched', 'no_match', 'ambiguous']).openapi({
        description:
          'The Zendesk end-users with this phone: one (`matched`), none, or several (`ambiguous`, never guessed)',
      }),
      user_id: z.number().int().nullable().openapi({
        description: 'The matched or created user, the requester of a created ticket',
      }),
      candidates: z.array(MatchCandidateSchema).openapi({ description: 'When ambiguous' }),
      requester: z.enum(['matched', 'created', 'none', 'unchanged']).openapi({
        description:
          "How the ticket's requester was chosen: the matched user, a user created for the caller, none " +
          '(Zendesk makes the API user the requester; see requester_note), or an updated ticket keeps its own',
      }),
      requester_note: z.string().nullable().openapi({
        description: 'Why no requester was set or created, when so',
        example: 'several users share this phone; an agent chooses',
      }),
    }),
    created_at: z.string(),
  })
  .openapi('Handoff');

export type HandoffRequest = z.infer<typeof HandoffRequestSchema>;
export type HandoffAnswer = z.infer<typeof HandoffSchema>;
