import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../router';
import { findCall, listCallsForTicket, NEXT_SEQ, toCallRecords } from '../calls/record';
import { apiError } from '../http/problem';
import { CallRecordSchema } from '@sip-bridge/contract/calls';
import {
  errorResponses,
  ErrorSchema,
  jsonBody,
  jsonContent,
  TicketIdParamSchema,
} from '../schemas/common';
import { CallIdSchema } from '@sip-bridge/contract/identifiers';

const callsForTicket = createRoute({
  method: 'get',
  path: '/v1/tickets/{ticket_id}/calls',
  summary: 'SIP calls linked to a ticket, newest first (for the sidebar app)',
  security: [{ appJwt: [], agentToken: [] }],
  request: {
    params: z.object({
      ticket_id: TicketIdParamSchema,
    }),
  },
  responses: {
    200: jsonContent(
      z.object({ ticket_id: z.number().int(), calls: z.array(CallRecordSchema) }),
      'The calls',
    ),
    ...errorResponses,
    403: jsonContent(ErrorSchema, 'The signed-in user is not a Zendesk agent or admin'),
    404: jsonContent(ErrorSchema, 'No such ticket, or Zendesk does not let this agent see it'),
    503: jsonContent(ErrorSchema, 'Zendesk could not be asked about the agent (see Retry-After)'),
  },
});

const chooseCaller = createRoute({
  method: 'put',
  path: '/v1/tickets/{ticket_id}/calls/{call_id}/caller',
  summary: 'Record which of the ambiguous candidates the caller was (chosen by the agent)',
  description:
    'Only this call is updated: the number stays ambiguous for later calls, because a shared ' +
    'phone may be answered by another candidate next time.',
  security: [{ appJwt: [], agentToken: [] }],
  request: {
    params: z.object({
      ticket_id: TicketIdParamSchema,
      call_id: CallIdSchema,
    }),
    body: jsonBody(z.object({ user_id: z.number().int().positive() }).strict()),
  },
  responses: {
    200: jsonContent(z.object({ call: CallRecordSchema }), 'The updated call'),
    ...errorResponses,
    403: jsonContent(ErrorSchema, 'The signed-in user is not a Zendesk agent or admin'),
    404: jsonContent(
      ErrorSchema,
      'No such call on this ticket, or the agent may not see the ticket',
    ),
    503: jsonContent(ErrorSchema, 'Zendesk could not be asked about the agent (see Retry-After)'),
    409: jsonContent(ErrorSchema, 'The call is not ambiguous, or the user is not a candidate'),
  },
});

export const ticketRoutes = createRouter()
  .openapi(callsForTicket, async (c) => {
    const ticketId = c.req.valid('param').ticket_id;
    const rows = await listCallsForTicket(c.env.DB, ticketId);
    return c.json({ ticket_id: ticketId, calls: await toCallRecords(c.env.DB, rows) }, 200);
  })
  .openapi(chooseCaller, async (c) => {
    const { ticket_id, call_id } = c.req.valid('param');
    const { user_id } = c.req.valid('json');
    const call = await findCall(c.env.DB, call_id);
    if (!call || call.ticket_id !== ticket_id) {
      return apiError(c, 404, 'not_found', 'No such call on this ticket.');
    }
    const candidates = JSON.parse(call.match_candidates) as { id: number }[];
    if (call.match_result !== 'ambiguous' || !candidates.some((u) => u.id === user_id)) {
      return apiError(
        c,
        409,
        'conflict',
        'The call is not ambiguous, or that user is not one of its candidates.',
      );
    }
    await c.env.DB.prepare(
      `UPDATE calls SET match_result = 'matched', matched_user_id = ?, seq = ${NEXT_SEQ}, updated_at = ?
       WHERE call_id = ?`,
    )
      .bind(user_id, new Date().toISOString(), call_id)
      .run();
    const [updated] = await toCallRecords(c.env.DB, [(await findCall(c.env.DB, call_id))!]);
    return c.json({ call: updated! }, 200);
  });
