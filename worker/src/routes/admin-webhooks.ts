import { createRoute, z } from '@hono/zod-openapi';
import { SlugSchema } from '@sip-bridge/contract/identifiers';
import {
  WEBHOOK_EVENT_ID_HEADER,
  WEBHOOK_EVENT_TYPE_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WebhookEventSchema,
} from '@sip-bridge/contract/webhooks';
import { apiError } from '../http/problem';
import { createRouter } from '../router';
import { errorResponses, ErrorSchema, jsonContent } from '../schemas/common';
import { WebhookDeliverySchema, WebhookSchema, WebhookSecretSchema } from '../schemas/webhooks';
import { listDeliveries } from '../webhooks/delivery-log';
import { rotateWebhookSecret } from '../webhooks/settings-store';

const security = [{ adminToken: [] }];
const SlugParam = z.object({ slug: SlugSchema });

const rotate = createRoute({
  method: 'post',
  path: '/v1/admin/lines/{slug}/webhook/rotate-secret',
  summary: "Replace a line's webhook signing secret (the new one is in this answer only)",
  description:
    'For 24 hours after, every delivery carries two v1 signatures, one with each secret, so the ' +
    'receiver can switch to the new secret without losing an event. Rotating again within them ' +
    'drops the oldest secret.',
  security,
  request: { params: SlugParam },
  responses: {
    200: jsonContent(
      z.object({ webhook: WebhookSchema, webhook_secret: WebhookSecretSchema }),
      'Rotated',
    ),
    ...errorResponses,
    404: jsonContent(ErrorSchema, 'No such line, or the line has no webhook'),
  },
});

const deliveries = createRoute({
  method: 'get',
  path: '/v1/admin/lines/{slug}/webhook-deliveries',
  summary: "The line's webhook delivery attempts, newest first",
  security,
  request: {
    params: SlugParam,
    query: z.object({
      limit: z.coerce.number().int().min(1).max(200).default(50),
      before: z.coerce
        .number()
        .int()
        .positive()
        .optional()
        .openapi({ description: 'The `next_before` of the previous page' }),
    }),
  },
  responses: {
    200: jsonContent(
      z.object({
        deliveries: z.array(WebhookDeliverySchema),
        next_before: z.number().int().nullable().openapi({ description: 'null on the last page' }),
      }),
      'One page of attempts',
    ),
    ...errorResponses,
    404: jsonContent(ErrorSchema, 'No such line'),
  },
});

/** What a line's receiver gets, for OpenAPI's `webhooks` section (registered in app.ts). */
export const callEventWebhook = {
  method: 'post' as const,
  path: 'callEvent',
  summary: 'A call event, POSTed to the line’s webhook URL (docs/webhooks.md)',
  description:
    'Signed: `X-SIPBridge-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` ' +
    '(a second v1 for 24 h after a rotation). At least once: dedupe by `id` (also in ' +
    '`X-SIPBridge-Event-Id`). Answer 2xx within 5 s; anything else is retried with backoff.',
  request: {
    headers: z.object({
      [WEBHOOK_SIGNATURE_HEADER]: z.string(),
      [WEBHOOK_EVENT_ID_HEADER]: z.string(),
      [WEBHOOK_EVENT_TYPE_HEADER]: z.string(),
    }),
    body: { required: true, content: { 'application/json': { schema: WebhookEventSchema } } },
  },
  responses: { 200: { description: 'Any 2xx: delivered' } },
};

export const adminWebhookRoutes = createRouter()
  .openapi(rotate, async (c) => {
    const { slug } = c.req.valid('param');
    const rotated = await rotateWebhookSecret(c.env.DB, slug, Date.now());
    if (!rotated) return apiError(c, 404, 'not_found', 'No line with this slug has a webhook.');
    return c.json({ webhook: rotated.webhook, webhook_secret: rotated.secret }, 200);
  })
  .openapi(deliveries, async (c) => {
    const { slug } = c.req.valid('param');
    const page = await listDeliveries(c.env.DB, slug, c.req.valid('query'));
    return page ? c.json(page, 200) : apiError(c, 404, 'not_found', 'No line with this slug.');
  });
