// The call log's query and answers, shared by /v1/console/calls* and /v1/reports/calls*.
import { z } from '@hono/zod-openapi';
import { CallRecordSchema } from '@sip-bridge/contract/calls';
import { SlugSchema } from '@sip-bridge/contract/identifiers';
import { parseTicketId } from '@sip-bridge/contract/ticket-id';
import { isTimeZone } from '../reports/time-zone';

/** Most calls one page may hold. */
export const MAX_CALL_LOG_LIMIT = 100;
export const DEFAULT_CALL_LOG_LIMIT = 25;

export const CALL_STATUSES = [
  'ringing',
  'answered',
  'completed',
  'failed',
  'cancelled',
  'rejected',
] as const;

const Day = z.iso.date().openapi({ example: '2026-11-01' });

export const CallLogQuerySchema = z
  .object({
    number: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .openapi({
        example: '(415) 555-0100',
        description:
          'The caller’s number in any form people type (E.164, national with the line’s country, ' +
          'spaces, dashes, dots); "anonymous" finds withheld callers',
      }),
    ticket: z
      .string()
      .max(19)
      .refine((v) => parseTicketId(v).ok, { message: 'must be a Zendesk ticket id' })
      .optional()
      .openapi({ example: '1001', description: 'The ticket the call was linked to' }),
    line: SlugSchema.optional(),
    status: z.enum(CALL_STATUSES).optional(),
    from: Day.optional().openapi({ description: 'First local day, YYYY-MM-DD' }),
    to: Day.optional().openapi({ description: 'Last local day, included' }),
    time_zone: z
      .string()
      .max(64)
      .refine(isTimeZone, { message: 'must be an IANA time zone, e.g. America/New_York' })
      .optional()
      .openapi({ description: 'Zone of from and to; default ACCOUNT_TIME_ZONE, else UTC' }),
    cursor: z
      .string()
      .max(200)
      .optional()
      .openapi({ description: 'next_cursor of the previous page (opaque)' }),
    limit: z.coerce.number().int().min(1).max(MAX_CALL_LOG_LIMIT).default(DEFAULT_CALL_LOG_LIMIT),
  })
  .superRefine((q, ctx) => {
    if (q.from === undefined || q.to === undefined) return;
    if (!Day.safeParse(q.from).success || !Day.safeParse(q.to).success) return;
    if (q.from > q.to)
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
  });

export type CallLogQueryInput = z.infer<typeof CallLogQuerySchema>;

export const CallLogItemSchema = z
  .object({
    call_id: z.string(),
    received_at: z.string(),
    line: z.object({ slug: z.string(), name: z.string().nullable() }),
    caller: z.object({
      e164: z.string().nullable(),
      display: z.string().nullable().openapi({ description: 'The number as people write it' }),
      kind: z.enum(['e164', 'withheld', 'invalid']),
    }),
    status: z.enum(CALL_STATUSES),
    ticket_id: z.number().int().nullable(),
    duration_s: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'Talk time; null unless answered and ended' }),
    cost_usd: z.string().nullable(),
  })
  .openapi('CallLogItem');

export const CallLogPageSchema = z
  .object({
    calls: z.array(CallLogItemSchema),
    time_zone: z.string(),
    next_cursor: z
      .string()
      .nullable()
      .openapi({ description: 'Pass as cursor for the next page; null on the last page' }),
  })
  .openapi('CallLogPage');

export const CallDetailsSchema = z
  .object({ call: CallRecordSchema })
  .openapi('CallDetails', { description: 'The call as the sidebar shows it' });
