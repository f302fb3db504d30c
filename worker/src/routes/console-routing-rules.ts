// The admin console's routing rules per line (/v1/console/lines/{slug}/routing-rules): the admin
// API's own handler, reached with a Zendesk admin's proof, so both validate and write alike.
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { SlugSchema } from '@sip-bridge/contract/identifiers';
import { consoleHook, withIssueKinds } from '../http/console-issues';
import { createRouter, type AppEnv } from '../router';
import { errorResponses, ErrorSchema, jsonBody, jsonContent } from '../schemas/common';
import { RoutingRulesSchema } from '../schemas/routing-rules';
import { adminRoutingRuleRoutes } from './admin-routing-rules';

const security = [{ appJwt: [], agentToken: [] }];
const SlugParam = z.object({ slug: SlugSchema });
const RulesAnswer = z.object({ routing_rules: RoutingRulesSchema });
const refused = {
  403: jsonContent(ErrorSchema, 'The signed-in Zendesk user is not an admin (`admin_required`)'),
  404: jsonContent(ErrorSchema, 'No such line'),
};
const note =
  'For Zendesk admins in the admin console: the same handler and validation as the admin API ' +
  '`/v1/admin/lines/{slug}/routing-rules`, authenticated with the app JWT and the admin’s own ' +
  'Zendesk sign-in. Every issue of a 400 carries its kind (`code`).';

const show = createRoute({
  method: 'get',
  path: '/v1/console/lines/{slug}/routing-rules',
  summary: "Console: a line's routing rules, in order",
  description: note,
  security,
  request: { params: SlugParam },
  responses: { 200: jsonContent(RulesAnswer, 'The rules'), ...errorResponses, ...refused },
});
const put = createRoute({
  method: 'put',
  path: '/v1/console/lines/{slug}/routing-rules',
  summary: "Console: replace a line's routing rules",
  description: note,
  security,
  request: { params: SlugParam, body: jsonBody(RoutingRulesSchema) },
  responses: { 200: jsonContent(RulesAnswer, 'Replaced'), ...errorResponses, ...refused },
});

/** The admin handler's own 400 through the console: a secure line's target not over TLS. */
const RULE_ISSUE_KINDS: Record<string, string> = { invalid_request: 'insecure_target' };

/** Hands the request, already authorized as an admin, to the admin routing-rules handler. */
async function viaAdminRules(c: Context<AppEnv>, slug: string, body?: unknown): Promise<never> {
  const request = new Request(new URL(`/v1/admin/lines/${slug}/routing-rules`, c.req.url), {
    method: c.req.method,
    ...(body === undefined
      ? {}
      : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const answer = await adminRoutingRuleRoutes.fetch(request, c.env);
  if (answer.status !== 400) return answer as never;
  const refusal = (await answer.json()) as Parameters<typeof withIssueKinds>[0];
  return c.json(withIssueKinds(refusal, RULE_ISSUE_KINDS), 400) as never;
}

export const consoleRoutingRuleRoutes = createRouter()
  .openapi(show, (c) => viaAdminRules(c, c.req.valid('param').slug), consoleHook)
  .openapi(
    put,
    (c) => viaAdminRules(c, c.req.valid('param').slug, c.req.valid('json')),
    consoleHook,
  );
