// Routing rules as the edge knows them (docs/edge-protocol.md, "Routing rules"): the Worker decides
// which rule routes a call and names it by its id; the edge holds each rule's targets as a
// dispatcher set of its own. Shared by the Worker, the agent and the renderer.

/** How many rules a line may have, and how many targets each (the line's own limit too). */
export const ROUTING_RULE_LIMITS = { rules: 20, targets: 8 } as const;

/**
 * A rule's id: lower-case letters, digits and inner dashes, 1-32 characters. It names the rule in
 * the decision, in the edge's htable key (`<line>/<rule>`) and in line-ids.json, so it stays short
 * and safe in all three.
 */
export const RULE_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

/** True for a well-formed rule id. @example isRuleId('vip') // true */
export function isRuleId(value: unknown): value is string {
  return typeof value === 'string' && RULE_ID_PATTERN.test(value);
}

/** One rule of a line as the edge config carries it: its id and its targets in failover order. */
export interface EdgeRoutingRule {
  id: string;
  sip_targets: string[];
}

/**
 * The key of a rule's dispatcher set in line-ids.json and of its entry in Kamailio's `linerules`
 * htable: `<slug>/<rule id>` (a slug never holds `/`, so it cannot clash with a line's own key).
 * @example ruleSetKey('demo', 'vip') // 'demo/vip'
 */
export const ruleSetKey = (slug: string, ruleId: string) => `${slug}/${ruleId}`;

/** Days of the week as rules' time windows name them (ISO order, Monday first). */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** The caller kinds a rule's `caller` condition names. */
export const CALLER_KINDS = ['returning', 'first_time', 'withheld'] as const;
export type CallerKind = (typeof CALLER_KINDS)[number];

/** Bounds of a rule's condition lists, and of its name. */
export const CONDITION_LIMITS = { tags: 20, organizations: 20, windows: 7, name: 64 } as const;

/** A window's clock time: `HH:MM`, 00:00-23:59, or 24:00 as the end of a day. */
export const CLOCK_PATTERN = /^(?:[01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/;

/** A Zendesk tag as stored on a user: 1-80 characters, no spaces, commas or capitals. */
export const TAG_PATTERN = /^[^\sA-Z,]{1,80}$/;
