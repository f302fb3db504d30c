import { AGENT_TOKEN_HEADER, APP_JWT_AUDIENCE } from '@sip-bridge/contract/app-auth';
import { HTTPException } from 'hono/http-exception';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { createRouter } from './router';
import { adminToken } from './auth/admin-token';
import { agentAccess } from './auth/agent-access';
import { appJwt } from './auth/app-jwt';
import { consoleAdmin } from './auth/console-admin';
import { edgeSignature } from './auth/edge-signature';
import { apiKeyAuth } from './handoffs/api-key-auth';
import { apiError } from './http/problem';
import { invalidateLineCache } from './lines/line-cache';
import { adminApiKeyRoutes } from './routes/admin-api-keys';
import { adminBlocklistRoutes } from './routes/admin-blocklist';
import { adminLineRoutes } from './routes/admin-lines';
import { adminRoutingRuleRoutes } from './routes/admin-routing-rules';
import { adminPhoneIndexRoutes } from './routes/admin-phone-index';
import { adminWebhookRoutes, callEventWebhook } from './routes/admin-webhooks';
import { consoleCallLogRoutes, reportCallLogRoutes } from './routes/call-log';
import { callerHistoryRoutes } from './routes/caller-history';
import { consoleLineRoutes } from './routes/console-lines';
import { consoleBlocklistRoutes } from './routes/console-blocklist';
import { consoleRoutingRuleRoutes } from './routes/console-routing-rules';
import { consoleWebhookRoutes } from './routes/console-webhook';
import { edgeRoutes } from './routes/edge';
import { edgeCommandRoutes } from './routes/edge-commands';
import { handoffRoutes } from './routes/handoffs';
import { healthRoutes } from './routes/health';
import { adminLiveCallRoutes, consoleLiveCallRoutes } from './routes/live-calls';
import { reportRoutes } from './routes/reports';
import { consoleUsageRoutes, reportUsageRoutes } from './routes/usage';
import { ticketRoutes } from './routes/tickets';

/** Largest request body accepted (an event batch of 100 calls fits in well under this). */
const MAX_BODY_BYTES = 256 * 1024;

/**
 * The bridge API: every route but /health is authenticated (edge HMAC, app JWT with a Zendesk
 * agent's or admin's sign-in, a line's API key or the admin token).
 * @example export default { fetch: createApp().fetch }
 */
export function createApp() {
  const app = createRouter();
  app.use(secureHeaders());
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        apiError(c, 413, 'payload_too_large', `Bodies are limited to ${MAX_BODY_BYTES} bytes.`),
    }),
  );
  app.use('/v1/edge/*', edgeSignature());
  app.use('/v1/tickets/*', appJwt());
  app.use('/v1/tickets/*', agentAccess());
  app.use('/v1/console/*', appJwt());
  app.use('/v1/console/*', consoleAdmin());
  app.use('/v1/admin/*', adminToken());
  for (const writes of ['/v1/admin/*', '/v1/console/*']) {
    app.use(writes, async (c, next) => {
      await next();
      // Lines, ACL and blocks changed here apply to this isolate's next call at once.
      if (c.req.method !== 'GET') invalidateLineCache();
    });
  }
  app.use('/v1/reports/*', adminToken());
  app.use('/v1/handoffs', apiKeyAuth());
  app.use('/openapi.json', adminToken());

  app.route('/', healthRoutes);
  app.route('/', edgeRoutes);
  app.route('/', edgeCommandRoutes);
  app.route('/', ticketRoutes);
  app.route('/', callerHistoryRoutes);
  app.route('/', reportRoutes);
  app.route('/', reportUsageRoutes);
  // After reportRoutes: /v1/reports/calls/export is the export, not a call named "export".
  app.route('/', reportCallLogRoutes);
  app.route('/', adminLineRoutes);
  app.route('/', adminRoutingRuleRoutes);
  app.route('/', consoleLineRoutes);
  app.route('/', consoleBlocklistRoutes);
  app.route('/', consoleRoutingRuleRoutes);
  app.route('/', consoleWebhookRoutes);
  app.route('/', consoleUsageRoutes);
  // Before the call log: `/v1/console/calls/live` is not a call's details (`/calls/{call_id}`).
  app.route('/', consoleLiveCallRoutes);
  app.route('/', adminLiveCallRoutes);
  app.route('/', consoleCallLogRoutes);
  app.route('/', adminBlocklistRoutes);
  app.route('/', adminApiKeyRoutes);
  app.route('/', adminPhoneIndexRoutes);
  app.route('/', adminWebhookRoutes);
  app.route('/', handoffRoutes);

  app.openAPIRegistry.registerWebhook(callEventWebhook);
  app.openAPIRegistry.registerComponent('securitySchemes', 'edgeHmac', {
    type: 'apiKey',
    in: 'header',
    name: 'X-Bridge-Signature',
    description:
      'v2=hex(HMAC-SHA256(EDGE_SECRET, "sipbridge-edge-v2\\n<X-Bridge-Timestamp>\\n<X-Bridge-Nonce>\\n<METHOD>\\n<host>\\n<path?query>\\n<hex SHA-256 of body>")); ' +
      'timestamp within 60 s, nonce used once; a v1 signature gets 401 signature_version',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'appJwt', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: `JWT (HS256, signed by the Zendesk app proxy, aud "${APP_JWT_AUDIENCE}")`,
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'agentToken', {
    type: 'apiKey',
    in: 'header',
    name: AGENT_TOKEN_HEADER,
    description:
      '"Bearer <the agent\'s Zendesk OAuth access token>", filled in by Zendesk\'s proxy from the ' +
      "app's oauth setting; the Worker asks Zendesk as this agent who they are and whether they may see the ticket " +
      '(/v1/console/*: whether they are an admin)',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'handoffKey', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat:
      "sbk_<id>_<secret>: an AI vendor's API key for one line (admin API: /v1/admin/lines/{slug}/api-keys)",
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', {
    type: 'http',
    scheme: 'bearer',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'SIP bridge for Zendesk Talk API',
      version: '1',
      description:
        'Call decisions and lifecycle for the Kamailio edge, AI-agent handoffs, call details for the sidebar app, reports and administration.',
    },
  });

  app.notFound((c) => apiError(c, 404, 'not_found', 'No such endpoint.'));
  app.onError((err, c) => {
    if (err instanceof HTTPException && err.status < 500) {
      // Hono's validators throw 400 for a body that is not JSON at all. A parser's message can
      // quote the body, so none is passed on.
      if (err.status === 400) {
        return apiError(c, 400, 'invalid_json', 'The body is not valid JSON.', [
          { path: '', message: 'expected one JSON value, encoded as UTF-8' },
        ]);
      }
      return apiError(c, err.status as 400, 'invalid_request', 'The request was refused.');
    }
    console.error('unhandled error', err);
    return apiError(
      c,
      500,
      'internal_error',
      'Something went wrong on our side; it has been logged.',
    );
  });
  return app;
}
