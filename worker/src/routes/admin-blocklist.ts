import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../router';
import { apiError } from '../http/problem';
import { addBlock, BlockConflictError, listBlocked, removeBlock } from '../lines/blocklist-store';
import { findLineConfig } from '../lines/store';
import { normalizeCallerNumber } from '../phone/normalize';
import { errorResponses, ErrorSchema, jsonBody, jsonContent } from '../schemas/common';
import { BlockedNumberInputSchema, BlockedNumberSchema } from '../schemas/lines';

const security = [{ adminToken: [] }];

const list = createRoute({
  method: 'get',
  path: '/v1/admin/blocked-numbers',
  summary: 'List blocked caller numbers',
  security,
  responses: {
    200: jsonContent(z.object({ blocked: z.array(BlockedNumberSchema) }), 'Every block'),
    ...errorResponses,
  },
});
const create = createRoute({
  method: 'post',
  path: '/v1/admin/blocked-numbers',
  summary: 'Block a caller number on one line or on all lines (answered 603 Decline)',
  security,
  request: { body: jsonBody(BlockedNumberInputSchema) },
  responses: {
    201: jsonContent(z.object({ blocked: BlockedNumberSchema }), 'Blocked'),
    ...errorResponses,
    404: jsonContent(ErrorSchema, 'No such line'),
    409: jsonContent(ErrorSchema, 'Already blocked'),
  },
});
const remove = createRoute({
  method: 'delete',
  path: '/v1/admin/blocked-numbers/{id}',
  summary: 'Unblock',
  security,
  request: { params: z.object({ id: z.coerce.number().int().positive() }) },
  responses: {
    204: { description: 'Removed' },
    ...errorResponses,
    404: jsonContent(ErrorSchema, 'No such block'),
  },
});

export const adminBlocklistRoutes = createRouter()
  .openapi(list, async (c) => c.json({ blocked: await listBlocked(c.env.DB) }, 200))
  .openapi(create, async (c) => {
    const input = c.req.valid('json');
    const line = input.line ? await findLineConfig(c.env.DB, input.line) : null;
    if (input.line && !line)
      return apiError(c, 404, 'not_found', 'No line with the slug in `line`.');
    const number = normalizeCallerNumber(
      input.number,
      input.country ?? line?.defaultCountry ?? 'US',
    );
    if (number.kind !== 'e164') {
      return apiError(c, 400, 'invalid_request', 'The request is invalid; see issues.', [
        {
          path: 'number',
          message:
            number.kind === 'withheld'
              ? 'withheld callers cannot be blocked by number'
              : number.reason,
        },
      ]);
    }
    try {
      const blocked = await addBlock(c.env.DB, {
        e164: number.e164,
        lineId: line?.id ?? null,
        reason: input.reason,
      });
      return c.json({ blocked }, 201);
    } catch (err) {
      if (err instanceof BlockConflictError) return apiError(c, 409, 'conflict', err.message);
      throw err;
    }
  })
  .openapi(remove, async (c) => {
    const { id } = c.req.valid('param');
    return (await removeBlock(c.env.DB, id))
      ? c.body(null, 204)
      : apiError(c, 404, 'not_found', 'No block with this id.');
  });
