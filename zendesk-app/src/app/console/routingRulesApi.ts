// A line's routing rules through the console (/v1/console/lines/{slug}/routing-rules,
// worker/src/routes/console-routing-rules.ts): read them, replace them with one PUT.
import { consoleRequest, type ConsoleTarget } from './consoleApi';
import type { RoutingRules } from './routingRules';

const rulesPath = (slug: string) => `/v1/console/lines/${encodeURIComponent(slug)}/routing-rules`;

export async function getRoutingRules(target: ConsoleTarget, slug: string): Promise<RoutingRules> {
  return (await consoleRequest(target, rulesPath(slug))).routing_rules as RoutingRules;
}

/** Replaces the whole ordered list; the rules as written. */
export async function putRoutingRules(
  target: ConsoleTarget,
  slug: string,
  rules: RoutingRules,
): Promise<RoutingRules> {
  return (await consoleRequest(target, rulesPath(slug), 'PUT', rules))
    .routing_rules as RoutingRules;
}
