// A line's routing rules through the console (/v1/console/lines/{slug}/routing-rules,
// worker/src/routes/console-routing-rules.ts): read them, replace them with one PUT.
import { ConsoleError, consoleRequest, type ConsoleTarget } from './consoleApi';
import type { RoutingRules } from './routingRules';

const rulesPath = (slug: string) => `/v1/console/lines/${encodeURIComponent(slug)}/routing-rules`;

/** The rules as the Worker answers them; an answer without them is a failure. */
function rulesOf(body: Record<string, unknown>): RoutingRules {
  const rules = body.routing_rules as RoutingRules | undefined;
  if (typeof rules?.time_zone !== 'string' || !Array.isArray(rules.rules))
    throw new ConsoleError(200, 'unexpected_answer');
  return rules;
}

export async function getRoutingRules(target: ConsoleTarget, slug: string): Promise<RoutingRules> {
  return rulesOf(await consoleRequest(target, rulesPath(slug)));
}

/** Replaces the whole ordered list; the rules as written. */
export async function putRoutingRules(
  target: ConsoleTarget,
  slug: string,
  rules: RoutingRules,
): Promise<RoutingRules> {
  return rulesOf(await consoleRequest(target, rulesPath(slug), 'PUT', rules));
}
