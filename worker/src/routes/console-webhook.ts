// The admin console's view of a line's webhook (/v1/console/lines/{slug}/webhook…): where the
// events go and how their deliveries went, never the signing secret (docs/security.md). Making or
// rotating the secret stays with the admin token, which is the only caller ever shown it.
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { SlugSchema } from '@sip-bridge/contract/identifiers';
import { apiError } from '../http/problem';
import { consoleHook, withIssueKinds } from '../http/console-issues';
import { getLine } from '../lines/store';
import { createRouter, type AppEnv } from '../router';
import { errorResponses, ErrorSchema, jsonBody, jsonContent } from '../schemas/common';
import { WebhookDeliverySchema, WebhookSchema, WebhookSettingsSchema } from '../schemas/webhooks';
import { adminLineRoutes } from './admin-lines';
import { adminWebhookRoutes } from './admin-webhooks';

const security = [{ appJwt: [], agentToken: [] }];
const SlugParam = z.object({ slug: SlugSchema });
const refused = {
  403: jsonContent(ErrorSchema, 'The signed-in Zendesk user is not an admin (`admin_required`)'),
};
const note =
  'For Zendesk admins in the admin console, authenticated with the app JWT and the admin’s own ' +
  'Zendesk sign-in. No answer carries a signing secret: creating a webhook (which makes its ' +
  'secret) and rotating the secret stay with the admin API.';

const set = createRoute({
  method: 'put',
  path: '/v1/console/lines/{slug}/webhook',
  summary: "Console: change where a line's webhook sends events (its secret is kept)",
  description:
    `${note} The line must already have a webhook (made with \`PATCH /v1/admin/lines/{slug}\`); ` +
    'the same URL checks as the admin API apply.',
  security,
  request: { params: SlugParam, body: jsonBody(WebhookSettingsSchema) },
  responses: {
    200: jsonContent(z.object({ webhook: WebhookSchema }), 'Changed; the secret is the same'),
    ...errorResponses,
    ...refused,
    404: jsonContent(ErrorSchema, 'No such line'),
    409: jsonContent(
      ErrorSchema,
      'The line has no webhook yet (`webhook_not_set`): create it with the admin token',
    ),
  },
});

const deliveries = createRoute({
  method: 'get',
  path: '/v1/console/lines/{slug}/webhook-deliveries',
  summary: "Console: the line's webhook delivery attempts, newest first",
  description: `${note} The admin API's own handler and page.`,
  security,
  request: {
    params: SlugParam,
    query: z.object({
      limit: z.coerce.number().int().min(1).max(200).default(50),
      before: z.coerce.number().int().positive().optional(),
    }),
  },
  responses: {
    200: jsonContent(
      z.object({
        deliveries: z.array(WebhookDeliverySchema),
        next_before: z.number().int().nullable(),
      }),
      'One page of attempts',
    ),
    ...errorResponses,
    ...refused,
    404: jsonContent(ErrorSchema, 'No such line'),
  },
});

/** The admin line handler's URL refusals (`invalid_request`) are URLs the Worker may not send to. */
const WEBHOOK_ISSUE_KINDS: Record<string, string> = { invalid_request: 'webhook_url_refused' };

function adminRequest(c: Context<AppEnv>, path: string, method: string, body?: unknown) {
  return new Request(new URL(path, c.req.url), {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  });
}

export const consoleWebhookRoutes = createRouter()
  .openapi(
    set,
    async (c) => {
      const { slug } = c.req.valid('param');
      const line = await getLine(c.env.DB, slug);
      if (!line) return apiError(c, 404, 'not_found', 'No line with this slug.');
      if (!line.webhook) {
        return apiError(
          c,
          409,
          'webhook_not_set',
          'This line has no webhook; create it with the admin token, which is shown its secret.',
        );
      }
      const answer = await adminLineRoutes.fetch(
        adminRequest(c, `/v1/admin/lines/${slug}`, 'PATCH', { webhook: c.req.valid('json') }),
        c.env,
      );
      const body = (await answer.json()) as {
        line?: { webhook: z.infer<typeof WebhookSchema> | null };
        error?: string;
        issues?: { path: string; message: string }[];
      };
      if (answer.status === 400) {
        const issues = (body.issues ?? []).map((i) => ({
          ...i,
          path: i.path.replace(/^webhook\.?/, ''),
        }));
        return c.json(withIssueKinds({ ...body, issues }, WEBHOOK_ISSUE_KINDS), 400) as never;
      }
      // Only the settings go back: never `webhook_secret`, even had the webhook been removed
      // meanwhile and this write made a new one (it is then rotated with the admin token).
      if (answer.status !== 200 || !body.line?.webhook) {
        return apiError(c, 404, 'not_found', 'No line with this slug.');
      }
      return c.json({ webhook: body.line.webhook }, 200);
    },
    consoleHook,
  )
  .openapi(
    deliveries,
    async (c) => {
      const { slug } = c.req.valid('param');
      const { limit, before } = c.req.valid('query');
      const query = new URLSearchParams({ limit: String(limit) });
      if (before !== undefined) query.set('before', String(before));
      const answer = await adminWebhookRoutes.fetch(
        adminRequest(c, `/v1/admin/lines/${slug}/webhook-deliveries?${query}`, 'GET'),
        c.env,
      );
      return answer as never;
    },
    consoleHook,
  );
