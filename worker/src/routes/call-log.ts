// The call log (issue 17): calls found by number, ticket, line, status and local days, paged, and
// one call's details as the sidebar shows them. The console (/v1/console/calls*, a Zendesk admin's
// sign-in) and scripts (/v1/reports/calls*, the admin token) share one implementation.
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { CallIdSchema } from '@sip-bridge/contract/identifiers';
import { parseTicketId } from '@sip-bridge/contract/ticket-id';
import { findCall, toCallRecords } from '../calls/record';
import { apiError } from '../http/problem';
import {
  callerFilter,
  callLog,
  decodeCursor,
  InvalidCallLogCursorError,
  lineCountries,
  type CallLogQuery,
} from '../reports/call-log';
import { accountTimeZone } from '../reports/time-zone';
import { createRouter, type AppEnv } from '../router';
import {
  CallDetailsSchema,
  CallLogPageSchema,
  CallLogQuerySchema,
  type CallLogQueryInput,
} from '../schemas/call-log';
import { errorResponses, ErrorSchema, jsonContent } from '../schemas/common';

const consoleRefusals = {
  403: jsonContent(ErrorSchema, 'The signed-in Zendesk user is not an admin (`admin_required`)'),
  503: jsonContent(ErrorSchema, 'Zendesk could not confirm who the user is'),
};

/** 400 naming one query field; the message says what is expected, never what was sent. */
const badField = (c: Context<AppEnv>, path: string, message: string) =>
  apiError(c, 400, 'invalid_request', 'The request is invalid; see issues.', [{ path, message }]);

/** The validated query as the log reads it, or the field it refuses. */
async function logQuery(
  c: Context<AppEnv>,
  q: CallLogQueryInput,
): Promise<CallLogQuery | { field: string; message: string }> {
  const query: CallLogQuery = {
    timeZone: q.time_zone ?? accountTimeZone(c.env),
    limit: q.limit,
    ...(q.line === undefined ? {} : { line: q.line }),
    ...(q.status === undefined ? {} : { status: q.status }),
    ...(q.from === undefined ? {} : { from: q.from }),
    ...(q.to === undefined ? {} : { to: q.to }),
  };
  if (q.ticket !== undefined) {
    const parsed = parseTicketId(q.ticket);
    if (parsed.ok) query.ticketId = parsed.id;
  }
  if (q.number !== undefined) {
    const caller = callerFilter(q.number, await lineCountries(c.env.DB, q.line));
    if (!caller) {
      return { field: 'number', message: 'must be a phone number, e.g. +1 415 555 0100' };
    }
    query.caller = caller;
  }
  if (q.cursor !== undefined) {
    try {
      query.cursor = decodeCursor(q.cursor);
    } catch (e) {
      if (!(e instanceof InvalidCallLogCursorError)) throw e;
      return { field: 'cursor', message: e.message };
    }
  }
  return query;
}

function callLogRoutes(prefix: '/v1/console' | '/v1/reports') {
  const isConsole = prefix === '/v1/console';
  const security = isConsole ? [{ appJwt: [], agentToken: [] }] : [{ adminToken: [] }];
  const refusals = isConsole ? consoleRefusals : {};
  const who = isConsole
    ? 'For Zendesk admins in the admin console; the same as `/v1/reports/calls*` with the admin token.'
    : 'For scripts, with the admin token; the same as the console’s `/v1/console/calls*`.';

  const list = createRoute({
    method: 'get',
    path: `${prefix}/calls`,
    summary: 'The call log: calls by number, ticket, line, status and local day, newest first',
    description: `${who} Filters combine (all must hold). Pages follow next_cursor; the order (received_at, then the record) is stable, so paging never repeats or skips a call, even while calls arrive.`,
    security,
    request: { query: CallLogQuerySchema },
    responses: {
      200: jsonContent(CallLogPageSchema, 'A page of calls'),
      ...errorResponses,
      ...refusals,
    },
  });
  const show = createRoute({
    method: 'get',
    path: `${prefix}/calls/{call_id}`,
    summary: 'One call with the details the sidebar shows',
    description: `${who} The record has the shape of \`GET /v1/tickets/{ticket_id}/calls\`’s items.${isConsole ? '' : ' (`/v1/reports/calls/export` is the incremental export, not a call named "export".)'}`,
    security,
    request: { params: z.object({ call_id: CallIdSchema }) },
    responses: {
      200: jsonContent(CallDetailsSchema, 'The call'),
      ...errorResponses,
      404: jsonContent(ErrorSchema, 'No call with this Call-ID'),
      ...refusals,
    },
  });

  return createRouter()
    .openapi(list, async (c) => {
      const q = await logQuery(c, c.req.valid('query'));
      if ('field' in q) return badField(c, q.field, q.message);
      return c.json({ ...(await callLog(c.env.DB, q)), time_zone: q.timeZone }, 200);
    })
    .openapi(show, async (c) => {
      const row = await findCall(c.env.DB, c.req.valid('param').call_id);
      if (!row) return apiError(c, 404, 'not_found', 'No call with this Call-ID.');
      const [call] = await toCallRecords(c.env.DB, [row]);
      return c.json({ call: call! }, 200);
    });
}

export const consoleCallLogRoutes = callLogRoutes('/v1/console');
export const reportCallLogRoutes = callLogRoutes('/v1/reports');
