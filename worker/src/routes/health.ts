import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../router';
import { jsonContent } from '../schemas/common';

const health = createRoute({
  method: 'get',
  path: '/health',
  summary: 'Liveness and database reachability (no authentication)',
  responses: {
    200: jsonContent(
      z.object({ status: z.literal('ok'), database: z.literal('ok') }),
      'The API and D1 answer',
    ),
    503: jsonContent(
      z.object({ status: z.literal('degraded'), database: z.literal('unreachable') }),
      'D1 does not answer',
    ),
  },
});

export const healthRoutes = createRouter().openapi(health, async (c) => {
  try {
    await c.env.DB.prepare('SELECT 1').first();
    return c.json({ status: 'ok' as const, database: 'ok' as const }, 200);
  } catch {
    return c.json({ status: 'degraded' as const, database: 'unreachable' as const }, 503);
  }
});
