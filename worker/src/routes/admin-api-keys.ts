import { createRoute, z } from '@hono/zod-openapi';
import { SlugSchema } from '@sip-bridge/contract/identifiers';
import { createApiKey, listApiKeys, revokeApiKey } from '../handoffs/api-keys';
import { apiError } from '../http/problem';
import { createRouter } from '../router';
import { ApiKeyCreatedSchema, ApiKeyCreateSchema, ApiKeySchema } from '../schemas/api-keys';
import { errorResponses, ErrorSchema, jsonBody, jsonContent } from '../schemas/common';

const security = [{ adminToken: [] }];
const SlugParam = z.object({ slug: SlugSchema });
const KeyParam = SlugParam.extend({
  id: z
    .string()
    .regex(/^[0-9a-f]{16}$/, 'must be a key id: 16 hex digits (the part after sbk_)')
    .openapi({ example: '3f9a1c2b7d4e5f60' }),
});
const noLine = { 404: jsonContent(ErrorSchema, 'No such line') };

const create = createRoute({
  method: 'post',
  path: '/v1/admin/lines/{slug}/api-keys',
  summary: "Create an AI vendor's API key for a line (the secret is in this answer only)",
  description:
    'The key authenticates `POST /v1/handoffs` for this line only. Only a SHA-256 hash of its ' +
    'secret is stored: keep the answer, it cannot be shown again.',
  security,
  request: { params: SlugParam, body: jsonBody(ApiKeyCreateSchema) },
  responses: {
    201: jsonContent(ApiKeyCreatedSchema, 'Created'),
    ...errorResponses,
    ...noLine,
  },
});
const list = createRoute({
  method: 'get',
  path: '/v1/admin/lines/{slug}/api-keys',
  summary: "A line's API keys, newest first (never their secrets)",
  security,
  request: { params: SlugParam },
  responses: {
    200: jsonContent(z.object({ keys: z.array(ApiKeySchema) }), 'The keys, revoked ones included'),
    ...errorResponses,
    ...noLine,
  },
});
const revoke = createRoute({
  method: 'delete',
  path: '/v1/admin/lines/{slug}/api-keys/{id}',
  summary: 'Revoke an API key (at once it gets 401); it stays listed with revoked_at',
  security,
  request: { params: KeyParam },
  responses: {
    200: jsonContent(z.object({ key: ApiKeySchema }), 'Revoked (or already revoked)'),
    ...errorResponses,
    404: jsonContent(ErrorSchema, 'No such key on this line'),
  },
});

const lineNotFound = (c: Parameters<typeof apiError>[0]) =>
  apiError(c, 404, 'not_found', 'No line with this slug.');

export const adminApiKeyRoutes = createRouter()
  .openapi(create, async (c) => {
    const created = await createApiKey(c.env.DB, c.req.valid('param').slug, c.req.valid('json'));
    return created ? c.json(created, 201) : lineNotFound(c);
  })
  .openapi(list, async (c) => {
    const keys = await listApiKeys(c.env.DB, c.req.valid('param').slug);
    return keys ? c.json({ keys }, 200) : lineNotFound(c);
  })
  .openapi(revoke, async (c) => {
    const { slug, id } = c.req.valid('param');
    const key = await revokeApiKey(c.env.DB, slug, id);
    return key
      ? c.json({ key }, 200)
      : apiError(c, 404, 'not_found', 'No API key with this id on this line.');
  });
