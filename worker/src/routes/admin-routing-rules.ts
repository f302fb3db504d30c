import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../router';
import { apiError } from '../http/problem';
import { SlugSchema } from '@sip-bridge/contract/identifiers';
import { errorResponses, ErrorSchema, jsonBody, jsonContent } from '../schemas/common';
import { insecureTargetIssues } from '../schemas/lines';
import { RoutingRulesSchema } from '../schemas/routing-rules';
import { readRoutingRules, writeRoutingRules } from '../lines/routing-rules-store';
import { SecureMediaTargetsError } from '../lines/store';

const security = [{ adminToken: [] }];
const SlugParam = z.object({ slug: SlugSchema });
const notFound = { 404: jsonContent(ErrorSchema, 'No such line') };
const RulesAnswer = z.object({ routing_rules: RoutingRulesSchema });

const show = createRoute({
  method: 'get',
  path: '/v1/admin/lines/{slug}/routing-rules',
  summary: "A line's routing rules, in order",
  security,
  request: { params: SlugParam },
  responses: {
    200: jsonContent(RulesAnswer, 'The rules (none: every call goes to the line’s sip_targets)'),
    ...errorResponses,
    ...notFound,
  },
});
const put = createRoute({
  method: 'put',
  path: '/v1/admin/lines/{slug}/routing-rules',
  summary: "Replace a line's routing rules",
  description:
    'The whole ordered list: the first rule whose conditions all hold routes a call to its own ' +
    'targets, and a call no rule takes goes to the line’s `sip_targets`. The edge picks the ' +
    'change up with its next config sync; calls in progress keep their route.',
  security,
  request: { params: SlugParam, body: jsonBody(RoutingRulesSchema) },
  responses: {
    200: jsonContent(RulesAnswer, 'Replaced'),
    ...errorResponses,
    ...notFound,
  },
});

const invalid = (c: Parameters<typeof apiError>[0], issues: { path: string; message: string }[]) =>
  apiError(c, 400, 'invalid_request', 'The request is invalid; see issues.', issues);
const lineNotFound = (c: Parameters<typeof apiError>[0]) =>
  apiError(c, 404, 'not_found', 'No line with this slug.');

export const adminRoutingRuleRoutes = createRouter()
  .openapi(show, async (c) => {
    const stored = await readRoutingRules(c.env.DB, c.req.valid('param').slug);
    return stored ? c.json({ routing_rules: stored.rules }, 200) : lineNotFound(c);
  })
  .openapi(put, async (c) => {
    const { slug } = c.req.valid('param');
    const rules = c.req.valid('json');
    const stored = await readRoutingRules(c.env.DB, slug);
    if (!stored) return lineNotFound(c);
    // A secure line reaches every target over TLS, its rules' targets included.
    const issues = rules.rules.flatMap((rule, i) =>
      insecureTargetIssues(stored.media, rule.sip_targets, (j) => `rules[${i}].sip_targets[${j}]`),
    );
    if (issues.length) return invalid(c, issues);
    try {
      if (!(await writeRoutingRules(c.env.DB, slug, rules))) return lineNotFound(c);
    } catch (err) {
      if (err instanceof SecureMediaTargetsError) {
        return invalid(c, [
          {
            path: 'rules',
            message: 'the line became secure: every target must be sips: or ;transport=tls',
          },
        ]);
      }
      throw err;
    }
    return c.json({ routing_rules: rules }, 200);
  });
