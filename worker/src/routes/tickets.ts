import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../app-env';
import { listCallsForTicket, toCallRecord } from '../calls/record';
import { CallRecordSchema } from '../schemas/calls';
import { errorResponses, jsonContent } from '../schemas/common';

const callsForTicket = createRoute({
  method: 'get',
  path: '/v1/tickets/{ticket_id}/calls',
  summary: 'SIP calls linked to a ticket, newest first (for the sidebar app)',
  security: [{ appJwt: [] }],
  request: {
    params: z.object({
      ticket_id: z
        .string()
        .regex(/^[1-9][0-9]{0,15}$/, 'must be a ticket id')
        .openapi({ example: '1001' }),
    }),
  },
  responses: {
    200: jsonContent(
      z.object({ ticket_id: z.number().int(), calls: z.array(CallRecordSchema) }),
      'The calls',
    ),
    ...errorResponses,
  },
});

export const ticketRoutes = createRouter().openapi(callsForTicket, async (c) => {
  const ticketId = Number(c.req.valid('param').ticket_id);
  const rows = await listCallsForTicket(c.env.DB, ticketId);
  return c.json({ ticket_id: ticketId, calls: rows.map(toCallRecord) }, 200);
});
