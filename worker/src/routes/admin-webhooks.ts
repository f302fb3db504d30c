import { createRoute, z } from '@hono/zod-openapi';
import { SlugSchema } from '@sip-bridge/contract/identifiers';
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
