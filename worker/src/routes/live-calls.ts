// Live calls and ending one (issue 17): the same routes for the console (/v1/console/calls/*, a
// Zendesk admin's sign-in) and for scripts (/v1/admin/calls/*, the admin token). A hang-up is
// queued for the edge, which polls for it (routes/edge-commands.ts) and ends the dialog.
import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createRouter, type AppEnv } from '../router';
import { apiError } from '../http/problem';
import { callState, listLiveCalls } from '../calls/live';
import { queueHangup, type Requester } from '../commands/store';
import { errorResponses, ErrorSchema, jsonContent } from '../schemas/common';
import { HangupAnswerSchema, HangupParamSchema, LiveCallsSchema } from '../schemas/live-calls';

const consoleRefusals = {
  403: jsonContent(ErrorSchema, 'The signed-in Zendesk user is not an admin (`admin_required`)'),
  503: jsonContent(ErrorSchema, 'Zendesk could not confirm who the user is'),
};

/** The two live-call routes under `prefix` (/v1/console or /v1/admin). */
function liveCallRoutes(prefix: '/v1/console' | '/v1/admin') {
  const isConsole = prefix === '/v1/console';
  const security = isConsole ? [{ appJwt: [], agentToken: [] }] : [{ adminToken: [] }];
  const refusals = isConsole ? consoleRefusals : {};
  const who = isConsole
    ? 'For Zendesk admins in the admin console (app JWT and the admin’s own Zendesk sign-in); the same as `/v1/admin/calls/*` with the admin token.'
    : 'For scripts, with the admin token; the same as the console’s `/v1/console/calls/*`.';
  const requester = (c: Context<AppEnv>): Requester =>
    isConsole ? { kind: 'zendesk_user', userId: c.get('agent').user_id } : { kind: 'admin_token' };

  const live = createRoute({
    method: 'get',
    path: `${prefix}/calls/live`,
    summary: 'Calls in progress: ringing or answered and not ended, by line',
    description: `${who} Relayed calls that have not ended (answered within the last 24 hours, ringing within the last 2: older ones lost their end), with caller, matched user, linked ticket, duration and the latest hang-up asked.`,
    security,
    responses: {
      200: jsonContent(LiveCallsSchema, 'The live calls, by line then time received'),
      ...errorResponses,
      ...refusals,
    },
  });
  const hangup = createRoute({
    method: 'post',
    path: `${prefix}/calls/{call_id}/hangup`,
    summary: 'End an answered call: the edge sends BYE to both sides',
    description: `${who} Queues a hang-up for the edge, which picks it up within about a second and ends the dialog; the command expires if no edge takes it within 30 s. Follow its status in the live list. The call record then has \`final.ended_by\` \`admin\`, \`final.cause\` \`admin_hangup\` and \`final.ended_by_admin\`. The Call-ID is percent-encoded in the path.`,
    security,
    request: { params: HangupParamSchema },
    responses: {
      202: jsonContent(HangupAnswerSchema, 'Queued for the edge'),
      ...errorResponses,
      ...refusals,
      404: jsonContent(ErrorSchema, 'No call with this Call-ID (`call_not_found`)'),
      409: jsonContent(
        ErrorSchema,
        'The call has ended (`call_not_live`), is still ringing (`call_not_answered`), or a hang-up is already queued or done (`hangup_already_requested`)',
      ),
    },
  });

  return createRouter()
    .openapi(live, async (c) => {
      const now = Date.now();
      const calls = await listLiveCalls(c.env.DB, now);
      return c.json({ as_of: new Date(now).toISOString(), calls }, 200);
    })
    .openapi(hangup, async (c) => {
      const { call_id } = c.req.valid('param');
      const state = await callState(c.env.DB, call_id);
      if (state === 'not_found') {
        return apiError(c, 404, 'call_not_found', 'No call with this Call-ID.');
      }
      if (state === 'over') {
        return apiError(c, 409, 'call_not_live', 'This call has already ended.');
      }
      if (state === 'ringing') {
        return apiError(
          c,
          409,
          'call_not_answered',
          'This call is still ringing: the edge can end answered calls only.',
        );
      }
      const outcome = await queueHangup(c.env.DB, call_id, requester(c), Date.now());
      if (!outcome.queued) {
        return apiError(
          c,
          409,
          'hangup_already_requested',
          `A hang-up of this call is already ${outcome.existing.status}.`,
        );
      }
      return c.json({ hangup: outcome.command }, 202);
    });
}

export const consoleLiveCallRoutes = liveCallRoutes('/v1/console');
export const adminLiveCallRoutes = liveCallRoutes('/v1/admin');
