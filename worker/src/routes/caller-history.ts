import { createRoute, z } from '@hono/zod-openapi';
import { AGENT_TOKEN_HEADER } from '@sip-bridge/contract/app-auth';
import { CALLER_HISTORY_LIMIT, CallerHistorySchema } from '@sip-bridge/contract/call-history';
import { CallIdSchema } from '@sip-bridge/contract/identifiers';
import { agentTokenFrom, signInAgain, zendeskUnavailable } from '../auth/agent-access';
import { visibleTickets } from '../auth/visible-tickets';
import { linkedTicketIds, listCallerHistory, toHistoryEntry } from '../calls/caller-history';
import { findCall } from '../calls/record';
import { apiError } from '../http/problem';
import { createRouter } from '../router';
import { errorResponses, ErrorSchema, jsonContent, TicketIdParamSchema } from '../schemas/common';

const callerHistory = createRoute({
  method: 'get',
  path: '/v1/tickets/{ticket_id}/calls/{call_id}/history',
  summary: "The caller's previous calls through the bridge (for the sidebar app)",
  description:
    `Up to ${CALLER_HISTORY_LIMIT} other calls from the same E.164 number as this call, newest ` +
    'first, on any line. Each carries the ticket it was linked to only when Zendesk lets the ' +
    'agent see that ticket (asked as the agent, in one Show Multiple Tickets request for the ' +
    'tickets not already known); otherwise `ticket_id` is null and nothing else of it is sent. ' +
    'A withheld or unreadable number has no history.',
  security: [{ appJwt: [], agentToken: [] }],
  request: {
    params: z.object({
      ticket_id: TicketIdParamSchema,
      call_id: CallIdSchema,
    }),
  },
  responses: {
    200: jsonContent(CallerHistorySchema, "The caller's previous calls"),
    ...errorResponses,
    403: jsonContent(ErrorSchema, 'The signed-in user is not a Zendesk agent or admin'),
    404: jsonContent(
      ErrorSchema,
      'No such call on this ticket, or the agent may not see the ticket',
    ),
    503: jsonContent(ErrorSchema, 'Zendesk could not be asked about the agent (see Retry-After)'),
  },
});

export const callerHistoryRoutes = createRouter().openapi(callerHistory, async (c) => {
  const { ticket_id, call_id } = c.req.valid('param');
  const call = await findCall(c.env.DB, call_id);
  if (!call || call.ticket_id !== ticket_id) {
    return apiError(c, 404, 'not_found', 'No such call on this ticket.');
  }
  const { rows, hasMore } = await listCallerHistory(c.env.DB, {
    callerE164: call.caller_e164,
    callId: call_id,
    limit: CALLER_HISTORY_LIMIT,
  });
  // The ticket in the path was checked by agentAccess; the others are asked about here.
  const others = linkedTicketIds(rows).filter((id) => id !== ticket_id);
  const visible = new Set([ticket_id]);
  const token = agentTokenFrom(c.req.header(AGENT_TOKEN_HEADER));
  if (others.length && token) {
    const seen = await visibleTickets({
      baseUrl: c.env.ZENDESK_BASE_URL,
      token,
      agentId: c.get('agent').user_id,
      ticketIds: others,
    });
    if (seen.kind === 'unavailable') {
      console.warn(`caller history tickets not checked: Zendesk ${seen.reason}`);
      return zendeskUnavailable(c, seen.retryAfterS);
    }
    if (seen.kind === 'unauthorized') {
      return signInAgain(c, 'Zendesk no longer accepts your sign-in for this app; sign in again.');
    }
    for (const id of seen.visible) visible.add(id);
  }
  const calls = rows.map((row) => toHistoryEntry(row, visible));
  return c.json({ ticket_id, call_id, calls, has_more: hasMore }, 200);
});
