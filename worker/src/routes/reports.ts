import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../router';
import { apiError } from '../http/problem';
import { CallRecordSchema } from '@sip-bridge/contract/calls';
import { errorResponses, jsonContent } from '../schemas/common';
import { exportCalls, InvalidCursorError } from '../reports/export';

const security = [{ adminToken: [] }];

const exportRoute = createRoute({
  method: 'get',
  path: '/v1/reports/calls/export',
  summary: 'Incremental export of call records (cursor-based, like Zendesk incremental exports)',
  security,
  request: {
    query: z
      .object({
        start_time: z.coerce
          .number()
          .int()
          .min(0)
          .optional()
          .openapi({ description: 'Unix seconds; first request only' }),
        cursor: z
          .string()
          .max(64)
          .optional()
          .openapi({ description: 'after_cursor of the previous page' }),
        limit: z.coerce.number().int().min(1).max(1000).default(500),
      })
      .refine((q) => (q.start_time === undefined) !== (q.cursor === undefined), {
        message: 'give exactly one of start_time or cursor',
        path: ['start_time'],
      }),
  },
  responses: {
    200: jsonContent(
      z.object({
        calls: z.array(CallRecordSchema),
        after_cursor: z.string().nullable(),
        after_url: z.string().nullable(),
        before_cursor: z.null(),
        before_url: z.null(),
        end_of_stream: z.boolean(),
      }),
      'A page of changed call records',
    ),
    ...errorResponses,
  },
});

export const reportRoutes = createRouter().openapi(exportRoute, async (c) => {
  const q = c.req.valid('query');
  const url = new URL(c.req.url);
  const base = `${url.origin}${url.pathname}`;
  try {
    const from = q.cursor !== undefined ? { cursor: q.cursor } : { startTime: q.start_time! };
    return c.json(await exportCalls(c.env.DB, from, q.limit, base), 200);
  } catch (err) {
    if (err instanceof InvalidCursorError) {
      return apiError(c, 400, 'invalid_request', 'The request is invalid; see issues.', [
        { path: 'cursor', message: err.message },
      ]);
    }
    throw err;
  }
});
