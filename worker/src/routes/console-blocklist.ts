// The admin console's block list, per line (/v1/console/lines/{slug}/blocked): the admin API's
// block handler and store, reached with a Zendesk admin's proof. Blocks on every line (no `line`)
// stay with the admin API.
import { createRoute, z } from '@hono/zod-openapi';
import { SlugSchema } from '@sip-bridge/contract/identifiers';
import { apiError } from '../http/problem';
import { BLOCK_ISSUE_KINDS, consoleHook, withIssueKinds } from '../http/console-issues';
import { listBlocked, removeBlock } from '../lines/blocklist-store';
import { findLineConfig } from '../lines/store';
import { createRouter } from '../router';
import { errorResponses, ErrorSchema, jsonBody, jsonContent } from '../schemas/common';
import { BlockedNumberInputSchema, BlockedNumberSchema } from '../schemas/lines';
import { adminBlocklistRoutes } from './admin-blocklist';

const security = [{ appJwt: [], agentToken: [] }];
const SlugParam = z.object({ slug: SlugSchema });
const notFound = { 404: jsonContent(ErrorSchema, 'No such line (or block on it)') };

/** A number to block on the line: read with the line's default country. */
export const ConsoleBlockInputSchema = BlockedNumberInputSchema.omit({
  line: true,
  country: true,
})
  .strict()
  .openapi('ConsoleBlockInput');

const list = createRoute({
  method: 'get',
  path: '/v1/console/lines/{slug}/blocked',
  summary: 'Console: the caller numbers blocked on a line',
  security,
  request: { params: SlugParam },
  responses: {
    200: jsonContent(z.object({ blocked: z.array(BlockedNumberSchema) }), 'The line’s blocks'),
    ...errorResponses,
    ...notFound,
  },
});
const add = createRoute({
  method: 'post',
  path: '/v1/console/lines/{slug}/blocked',
  summary: 'Console: block a caller number on a line (answered 603 Decline)',
  security,
  request: { params: SlugParam, body: jsonBody(ConsoleBlockInputSchema) },
  responses: {
    201: jsonContent(z.object({ blocked: BlockedNumberSchema }), 'Blocked'),
    ...errorResponses,
    ...notFound,
    409: jsonContent(ErrorSchema, 'Already blocked on this line'),
  },
});
const remove = createRoute({
  method: 'delete',
  path: '/v1/console/lines/{slug}/blocked/{id}',
  summary: 'Console: unblock a number on a line',
  security,
  request: { params: SlugParam.extend({ id: z.coerce.number().int().positive() }) },
  responses: { 204: { description: 'Removed' }, ...errorResponses, ...notFound },
});

const lineNotFound = (c: Parameters<typeof apiError>[0]) =>
  apiError(c, 404, 'not_found', 'No line with this slug.');

export const consoleBlocklistRoutes = createRouter()
  .openapi(
    list,
    async (c) => {
      const { slug } = c.req.valid('param');
      if (!(await findLineConfig(c.env.DB, slug))) return lineNotFound(c);
      const blocked = (await listBlocked(c.env.DB)).filter((b) => b.line === slug);
      return c.json({ blocked }, 200);
    },
    consoleHook,
  )
  .openapi(
    add,
    async (c) => {
      const { slug } = c.req.valid('param');
      const body = { ...c.req.valid('json'), line: slug };
      const answer = await adminBlocklistRoutes.fetch(
        new Request(new URL('/v1/admin/blocked-numbers', c.req.url), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        }),
        c.env,
      );
      if (answer.status !== 400) return answer as never;
      const refusal = (await answer.json()) as {
        error: string;
        message: string;
        issues?: { path: string; message: string }[];
      };
      return c.json(withIssueKinds(refusal, BLOCK_ISSUE_KINDS), 400);
    },
    consoleHook,
  )
  .openapi(
    remove,
    async (c) => {
      const { slug, id } = c.req.valid('param');
      const block = (await listBlocked(c.env.DB)).find((b) => b.id === id && b.line === slug);
      if (!block) return apiError(c, 404, 'not_found', 'No block with this id on this line.');
      await removeBlock(c.env.DB, id);
      return c.body(null, 204);
    },
    consoleHook,
  );
