import { z } from 'zod';
import { CallRecordSchema } from './calls';

/** At most this many earlier calls are listed for a caller. */
export const CALLER_HISTORY_LIMIT = 10;

/** One earlier call from the same number, as much of it as an agent needs at a glance. */
export const CallerHistoryEntrySchema = z
  .object({
    received_at: z.string().meta({
      description: 'When the call reached the bridge (ISO 8601, UTC)',
      example: '2026-11-21T09:30:00.000Z',
    }),
    line: z.object({
      slug: z.string().meta({ example: 'ai-agent' }),
      name: z.string().nullable().meta({
        description: "The line's name; null when the line has since been deleted",
        example: 'AI agent hand-off',
      }),
    }),
    status: CallRecordSchema.shape.status,
    duration_s: z.number().int().nullable().meta({
      description:
        'Seconds from answer to end; null when the call was not answered or has not ended',
    }),
    ticket_id: z
      .number()
      .int()
      .nullable()
      .meta({
        description:
          'The ticket the call was linked to, only when Zendesk lets this agent see it; null when ' +
          'the call was linked to none, or to one the agent may not see (nothing else of it is sent)',
      }),
  })
  .meta({ id: 'CallerHistoryEntry' });

/** What `GET /v1/tickets/{ticket_id}/calls/{call_id}/history` answers. */
export const CallerHistorySchema = z
  .object({
    ticket_id: z.number().int(),
    call_id: z.string(),
    calls: z.array(CallerHistoryEntrySchema).meta({
      description:
        "The caller's other calls by the same E.164 number, newest first, this one left out; " +
        'empty when the number was withheld or could not be read',
    }),
    has_more: z
      .boolean()
      .meta({ description: `True when there are more than the ${CALLER_HISTORY_LIMIT} listed` }),
  })
  .meta({ id: 'CallerHistory' });

export type CallerHistoryEntry = z.infer<typeof CallerHistoryEntrySchema>;
export type CallerHistory = z.infer<typeof CallerHistorySchema>;
