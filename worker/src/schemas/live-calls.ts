// The live calls list and the hang-up answer, shared by /v1/console/calls/* and /v1/admin/calls/*.
import { z } from '@hono/zod-openapi';
import { CallIdSchema } from '@sip-bridge/contract/identifiers';

export const HangupStateSchema = z
  .object({
    id: z.string().openapi({ description: 'The command id' }),
    status: z.enum(['queued', 'sent', 'done', 'failed', 'expired']).openapi({
      description:
        'queued: waiting for the edge; sent: the edge has it; done: Kamailio ended the call; ' +
        'failed: the edge could not (see failure); expired: no edge picked it up within 30 s',
    }),
    requested_by: z.string().openapi({ example: 'zendesk_user:20001' }),
    requested_at: z.string(),
    failure: z.string().nullable().openapi({
      description:
        'no_such_call, not_answered, kamailio_unreachable, kamailio_error, or no_result (the edge took it and never answered)',
    }),
  })
  .openapi('HangupState');

export const LiveCallSchema = z
  .object({
    call_id: z.string(),
    line: z.string().openapi({ example: 'ai-agent' }),
    status: z.enum(['ringing', 'answered']),
    caller: z.object({
      e164: z.string().nullable().openapi({ example: '+14155550100' }),
      kind: z.string().openapi({ description: 'e164, withheld or invalid' }),
    }),
    matched_user: z.object({
      result: z
        .string()
        .openapi({ description: 'matched, no_match, ambiguous, withheld, unavailable' }),
      user_id: z.number().int().nullable(),
    }),
    ticket_id: z.number().int().nullable(),
    received_at: z.string(),
    answered_at: z.string().nullable(),
    duration_s: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'Seconds since answered; null while ringing' }),
    hangup: HangupStateSchema.nullable().openapi({
      description: 'The latest hang-up asked for this call, if any',
    }),
  })
  .openapi('LiveCall');

export const LiveCallsSchema = z
  .object({
    as_of: z.string().openapi({ description: 'When the list was read' }),
    calls: z.array(LiveCallSchema),
  })
  .openapi('LiveCalls');

export const HangupParamSchema = z.object({ call_id: CallIdSchema });

export const HangupAnswerSchema = z.object({ hangup: HangupStateSchema }).openapi('HangupAnswer');
