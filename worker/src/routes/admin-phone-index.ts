import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../router';
import { errorResponses, jsonContent } from '../schemas/common';
import { indexTrust, readPhoneIndexState, type PhoneIndexState } from '../phone-index/store';

const Time = z.iso.datetime().nullable();

const PhoneIndexStatusSchema = z
  .object({
    status: z
      .enum(['not_started', 'backfilling', 'synced', 'stale'])
      .openapi({ description: '`stale`: the export has not caught up for 7 minutes or more' }),
    trust: z.enum(['all', 'matches_only', 'none']).openapi({
      description:
        'What matching takes from the index without asking Zendesk: `all` (matched, ambiguous ' +
        'and no_match), `matches_only` (no_match is confirmed by search), `none` (search as before)',
    }),
    country: z.string().nullable().openapi({ example: 'US' }),
    backfill: z.object({
      start_time: z.number().int().nullable().openapi({ description: 'Unix seconds' }),
      started_at: Time,
      done_at: Time,
    }),
    users_seen: z.number().int(),
    pages: z.number().int(),
    numbers: z.number().int().openapi({ description: 'Rows in the index (number, user)' }),
    last_run_at: Time,
    last_page_at: Time,
    caught_up_at: Time,
    last_error: z.string().nullable(),
    last_error_at: Time,
    retry_after_until: Time,
  })
  .openapi('PhoneIndexStatus');

const status = createRoute({
  method: 'get',
  path: '/v1/admin/phone-index',
  summary: 'Progress of the phone index fed by Zendesk’s incremental user export',
  description:
    'The cron (every 5 minutes) asks for a few pages of the export and resumes from its cursor; ' +
    'see "How a call is decided" in docs/worker.md for when matching trusts the index.',
  security: [{ adminToken: [] }],
  responses: {
    200: jsonContent(z.object({ phone_index: PhoneIndexStatusSchema }), 'Where the index stands'),
    ...errorResponses,
  },
});

const iso = (ms: number | null) => (ms === null || ms === 0 ? null : new Date(ms).toISOString());

function statusOf(state: PhoneIndexState | null, nowMs: number) {
  const trust = indexTrust(state, nowMs);
  if (!state) return { status: 'not_started' as const, trust };
  if (state.backfillDoneAt === null) return { status: 'backfilling' as const, trust };
  return { status: trust === 'all' ? ('synced' as const) : ('stale' as const), trust };
}

export const adminPhoneIndexRoutes = createRouter().openapi(status, async (c) => {
  const [state, count] = await Promise.all([
    readPhoneIndexState(c.env.DB),
    c.env.DB.prepare('SELECT COUNT(*) AS n FROM phone_index').first<{ n: number }>(),
  ]);
  return c.json(
    {
      phone_index: {
        ...statusOf(state, Date.now()),
        country: state?.country ?? null,
        backfill: {
          start_time: state?.startTime ?? null,
          started_at: iso(state?.backfillStartedAt ?? null),
          done_at: iso(state?.backfillDoneAt ?? null),
        },
        users_seen: state?.usersSeen ?? 0,
        pages: state?.pages ?? 0,
        numbers: count?.n ?? 0,
        last_run_at: iso(state?.lastRunAt ?? null),
        last_page_at: iso(state?.lastPageAt ?? null),
        caught_up_at: iso(state?.caughtUpAt ?? null),
        last_error: state?.lastError ?? null,
        last_error_at: iso(state?.lastErrorAt ?? null),
        retry_after_until: iso(state?.retryAfterUntil ?? null),
      },
    },
    200,
  );
});
