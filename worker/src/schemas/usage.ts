// The usage report's query and answers, shared by /v1/console/usage* and /v1/reports/usage.
import { z } from '@hono/zod-openapi';
import { SlugSchema } from '@sip-bridge/contract/identifiers';
import { daysInRange, isTimeZone } from '../reports/time-zone';

/** Most local days one request may cover: a quarter. */
export const MAX_USAGE_DAYS = 92;

const Day = z.iso.date().openapi({ example: '2026-11-01' });

export const UsageQuerySchema = z
  .object({
    from: Day.openapi({ description: 'First local day, YYYY-MM-DD' }),
    to: Day.openapi({ description: `Last local day, included; at most ${MAX_USAGE_DAYS} days` }),
    time_zone: z
      .string()
      .max(64)
      .refine(isTimeZone, { message: 'must be an IANA time zone, e.g. America/New_York' })
      .optional()
      .openapi({
        example: 'America/New_York',
        description: 'Days and hours are local to this zone; default ACCOUNT_TIME_ZONE, else UTC',
      }),
    line: SlugSchema.optional(),
  })
  .superRefine((q, ctx) => {
    // A malformed day has its own issue already; the range is checked between two real days.
    if (!Day.safeParse(q.from).success || !Day.safeParse(q.to).success) return;
    if (q.from > q.to) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
    } else if (daysInRange(q.from, q.to) > MAX_USAGE_DAYS) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `the range may cover at most ${MAX_USAGE_DAYS} days; ask for fewer`,
      });
    }
  });

const Counts = {
  calls: z.number().int(),
  answered: z.number().int(),
  answered_rate: z.number().nullable().openapi({ description: 'answered / calls, 4 decimals' }),
  rejected: z.number().int(),
  minutes: z.number().int().openapi({
    description: 'Billed minutes: each call’s started minutes, as Zendesk bills a leg',
  }),
  cost_micros: z.number().int(),
  cost_usd: z.string().openapi({ example: '0.03' }),
};

export const UsageReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    time_zone: z.string(),
    usage: z.array(
      z.object({
        line: z.string(),
        line_name: z.string(),
        day: z.string().openapi({ description: 'Local day in time_zone' }),
        ...Counts,
      }),
    ),
    totals: z.object(Counts),
  })
  .openapi('UsageReport');

export const HeatmapSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    time_zone: z.string(),
    cells: z
      .array(
        z.object({
          weekday: z
            .number()
            .int()
            .min(0)
            .max(6)
            .openapi({ description: '0 = Monday … 6 = Sunday' }),
          hour: z.number().int().min(0).max(23).openapi({ description: 'Local hour' }),
          calls: z.number().int().openapi({ description: 'Calls received in this hour' }),
          peak_concurrent: z
            .number()
            .int()
            .openapi({ description: 'Most calls in progress (received..ended) at once' }),
        }),
      )
      .openapi({ description: '168 cells, weekday then hour' }),
  })
  .openapi('UsageHeatmap');

export type UsageQueryInput = z.infer<typeof UsageQuerySchema>;
