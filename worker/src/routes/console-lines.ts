// The admin console's line endpoints (/v1/console/lines): the admin API's own handlers, reached
// with a Zendesk admin's proof instead of the admin token, so both always validate and write alike.
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { SlugSchema } from '@sip-bridge/contract/identifiers';
import { createRouter, type AppEnv } from '../router';
import { errorResponses, ErrorSchema, jsonBody, jsonContent } from '../schemas/common';
import {
  ConsoleLineAnswerSchema,
  ConsoleLineCreateSchema,
  ConsoleLinePatchSchema,
  ConsoleLineSchema,
} from '../schemas/console';
import { AclEntryInputSchema } from '../schemas/lines';
import { lineEdgeStatuses } from '../lines/edge-applied';
import { consoleHook, LINE_ISSUE_KINDS, withIssueKinds } from '../http/console-issues';
import { adminLineRoutes } from './admin-lines';

const security = [{ appJwt: [], agentToken: [] }];
const SlugParam = z.object({ slug: SlugSchema });
const refused = {
  403: jsonContent(ErrorSchema, 'The signed-in Zendesk user is not an admin (`admin_required`)'),
  503: jsonContent(ErrorSchema, 'Zendesk could not confirm who the user is'),
};
const notFound = { 404: jsonContent(ErrorSchema, 'No such line') };
const checks = {
  409: jsonContent(ErrorSchema, 'A line with this slug already exists'),
  422: jsonContent(
    ErrorSchema,
    'An ACL entry wider than /8 (IPv4) or /32 (IPv6) lacks confirm_wide, or a context mapping ' +
      'names a ticket field that cannot take values',
  ),
};
const note =
  'For Zendesk admins in the admin console: the same handler and validation as the admin API ' +
  '`/v1/admin/lines`, authenticated with the app JWT and the admin’s own Zendesk sign-in.';

const list = createRoute({
  method: 'get',
  path: '/v1/console/lines',
  summary: 'Console: list lines with their ACL',
  description: note,
  security,
  responses: {
    200: jsonContent(z.object({ lines: z.array(ConsoleLineSchema) }), 'Every line'),
    ...errorResponses,
    ...refused,
  },
});
const create = createRoute({
  method: 'post',
  path: '/v1/console/lines',
  summary: 'Console: create a line with its ACL entries',
  description: `${note} A webhook is set with the admin API only, so its secret never reaches the browser.`,
  security,
  request: { body: jsonBody(ConsoleLineCreateSchema) },
  responses: {
    201: jsonContent(ConsoleLineAnswerSchema, 'Created'),
    ...errorResponses,
    ...refused,
    ...checks,
  },
});
const show = createRoute({
  method: 'get',
  path: '/v1/console/lines/{slug}',
  summary: 'Console: show a line',
  description: note,
  security,
  request: { params: SlugParam },
  responses: {
    200: jsonContent(ConsoleLineAnswerSchema, 'The line'),
    ...errorResponses,
    ...refused,
    ...notFound,
  },
});
const patch = createRoute({
  method: 'patch',
  path: '/v1/console/lines/{slug}',
  summary: 'Console: change some fields of a line (disable it with enabled: false)',
  description: note,
  security,
  request: { params: SlugParam, body: jsonBody(ConsoleLinePatchSchema) },
  responses: {
    200: jsonContent(ConsoleLineAnswerSchema, 'Updated'),
    ...errorResponses,
    ...refused,
    ...notFound,
    ...checks,
  },
});

const addAcl = createRoute({
  method: 'post',
  path: '/v1/console/lines/{slug}/acl',
  summary: 'Console: allow a source network on a line',
  description: note,
  security,
  request: { params: SlugParam, body: jsonBody(AclEntryInputSchema) },
  responses: {
    201: jsonContent(ConsoleLineAnswerSchema, 'Added'),
    ...errorResponses,
    ...refused,
    ...notFound,
    ...checks,
  },
});
const removeAcl = createRoute({
  method: 'delete',
  path: '/v1/console/lines/{slug}/acl/{id}',
  summary: 'Console: remove an ACL entry',
  description: note,
  security,
  request: { params: SlugParam.extend({ id: z.coerce.number().int().positive() }) },
  responses: { 204: { description: 'Removed' }, ...errorResponses, ...refused, ...notFound },
});

/**
 * Hands the request, already authorized as an admin, to the admin API's line handler at `path`.
 * The body goes as validated here (a webhook cannot be in it), and is validated there again by
 * the same schemas.
 */
async function viaAdminLines(c: Context<AppEnv>, path: string, body?: unknown): Promise<never> {
  const url = new URL(path, c.req.url);
  const request = new Request(url, {
    method: c.req.method,
    ...(body === undefined
      ? {}
      : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  });
  // Handed on, so an admin handler that defers work (waitUntil) can do so here too.
  let ctx: Context<AppEnv>['executionCtx'] | undefined;
  try {
    ctx = c.executionCtx;
  } catch {
    ctx = undefined; // app.request() in a unit test has none
  }
  const answer = await adminLineRoutes.fetch(request, c.env, ctx);
  // The admin handler's answer is typed by its own route, which documents the same responses.
  return (await withEdgeStatus(c.env.DB, answer)) as never;
}

type Answered = { line?: { slug: string }; lines?: { slug: string }[] };

/**
 * A 2xx answer with `line` or `lines`, each line given its state at the edge (`edge`); a 4xx
 * with issues, each issue given its kind (`code`, http/console-issues.ts).
 */
async function withEdgeStatus(db: D1Database, answer: Response): Promise<Response> {
  if (answer.status >= 400 && answer.status < 500) {
    const refusal = (await answer.clone().json()) as { issues?: unknown };
    if (!Array.isArray(refusal.issues)) return answer;
    return rewritten(
      answer,
      withIssueKinds(refusal as Parameters<typeof withIssueKinds>[0], LINE_ISSUE_KINDS),
    );
  }
  if (answer.status < 200 || answer.status > 299 || answer.status === 204) return answer;
  const body = (await answer.clone().json()) as Answered;
  if (!body.line && !body.lines) return answer;
  const statuses = await lineEdgeStatuses(db);
  const add = (line: { slug: string }) => ({
    ...line,
    edge: statuses.get(line.slug) ?? { state: 'no_edge' },
  });
  const out = {
    ...body,
    ...(body.line ? { line: add(body.line) } : {}),
    ...(body.lines ? { lines: body.lines.map(add) } : {}),
  };
  return rewritten(answer, out);
}

/** The same answer (status, headers) with another JSON body. */
function rewritten(answer: Response, body: unknown): Response {
  const headers = new Headers(answer.headers);
  headers.delete('Content-Length');
  return new Response(JSON.stringify(body), { status: answer.status, headers });
}

export const consoleLineRoutes = createRouter()
  .openapi(list, (c) => viaAdminLines(c, '/v1/admin/lines'), consoleHook)
  .openapi(create, (c) => viaAdminLines(c, '/v1/admin/lines', c.req.valid('json')), consoleHook)
  .openapi(
    show,
    (c) => {
      const { slug } = c.req.valid('param');
      return viaAdminLines(c, `/v1/admin/lines/${slug}`);
    },
    consoleHook,
  )
  .openapi(
    patch,
    (c) => {
      const { slug } = c.req.valid('param');
      return viaAdminLines(c, `/v1/admin/lines/${slug}`, c.req.valid('json'));
    },
    consoleHook,
  )
  .openapi(
    addAcl,
    (c) => {
      const { slug } = c.req.valid('param');
      return viaAdminLines(c, `/v1/admin/lines/${slug}/acl`, c.req.valid('json'));
    },
    consoleHook,
  )
  .openapi(
    removeAcl,
    (c) => {
      const { slug, id } = c.req.valid('param');
      return viaAdminLines(c, `/v1/admin/lines/${slug}/acl/${id}`);
    },
    consoleHook,
  );
