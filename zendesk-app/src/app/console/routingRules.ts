// A line's routing rules in the console's form: their state as typed, what is wrong with them
// (the admin API's own rules, from @sip-bridge/contract/routing-rules, never copies), the body of
// the one PUT that saves them, and the Worker's refusals by the field they belong under.
import {
  CALLER_KINDS,
  CLOCK_PATTERN,
  CONDITION_LIMITS,
  ROUTING_RULE_LIMITS,
  RULE_ID_PATTERN,
  TAG_PATTERN,
  type CallerKind,
  type Weekday,
} from '@sip-bridge/contract/routing-rules';
import { isTlsTarget, type LineMedia } from '@sip-bridge/contract/line-media';
import type { FieldIssue } from './consoleApi';
import { issueProblem } from './issueProblem';
import type { FieldProblems } from './lineForm';

/** A line's rules as the Worker answers them (worker/src/schemas/routing-rules.ts). */
export interface RoutingRules {
  time_zone: string;
  rules: {
    id: string;
    name: string;
    when: {
      caller?: CallerKind[];
      user_tags?: string[];
      organization_ids?: number[];
      time?: { days: Weekday[]; from: string; to: string }[];
    };
    sip_targets: string[];
  }[];
}

export interface WindowDraft {
  days: Weekday[];
  from: string;
  to: string;
}

export interface RuleDraft {
  /** The row's own key for React, stable while rows move. */
  key: number;
  id: string;
  name: string;
  caller: CallerKind[];
  /** Tags and organization ids as typed: separated by commas, spaces or new lines. */
  tags: string;
  organizations: string;
  windows: WindowDraft[];
  /** One SIP URI per line. */
  targets: string;
}

export interface RulesDraft {
  timeZone: string;
  rules: RuleDraft[];
}

let nextKey = 1;
const key = () => nextKey++;

export const emptyRule = (): RuleDraft => ({
  key: key(),
  id: '',
  name: '',
  caller: [],
  tags: '',
  organizations: '',
  windows: [],
  targets: '',
});

export const emptyWindow = (): WindowDraft => ({
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  from: '09:00',
  to: '17:00',
});

/** The form's state for the rules as stored. */
export function rulesDraftOf(stored: RoutingRules): RulesDraft {
  return {
    timeZone: stored.time_zone,
    rules: stored.rules.map((r) => ({
      key: key(),
      id: r.id,
      name: r.name,
      caller: [...(r.when.caller ?? [])],
      tags: (r.when.user_tags ?? []).join(', '),
      organizations: (r.when.organization_ids ?? []).join(', '),
      windows: (r.when.time ?? []).map((w) => ({ ...w, days: [...w.days] })),
      targets: r.sip_targets.join('\n'),
    })),
  };
}

/** The rules with the one at `index` moved by `by` places (nothing moves past either end). */
export function moveRule(rules: readonly RuleDraft[], index: number, by: -1 | 1): RuleDraft[] {
  const to = index + by;
  if (to < 0 || to >= rules.length) return [...rules];
  const out = [...rules];
  [out[index], out[to]] = [out[to]!, out[index]!];
  return out;
}

const words = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((w) => w.trim())
    .filter(Boolean);
const lines = (text: string) =>
  text
    .split('\n')
    .map((w) => w.trim())
    .filter(Boolean);

/** The body of `PUT /v1/console/lines/{slug}/routing-rules`: the whole ordered list. */
export function rulesBody(draft: RulesDraft): RoutingRules {
  return {
    time_zone: draft.timeZone.trim() || 'UTC',
    rules: draft.rules.map((r) => {
      const tags = words(r.tags);
      const organizations = words(r.organizations).map(Number);
      return {
        id: r.id.trim(),
        name: r.name.trim(),
        when: {
          ...(r.caller.length ? { caller: CALLER_KINDS.filter((k) => r.caller.includes(k)) } : {}),
          ...(tags.length ? { user_tags: tags } : {}),
          ...(organizations.length ? { organization_ids: organizations } : {}),
          ...(r.windows.length
            ? { time: r.windows.map((w) => ({ days: w.days, from: w.from, to: w.to })) }
            : {}),
        },
        sip_targets: lines(r.targets),
      };
    }),
  };
}

/** True for a zone this browser knows (the Worker checks it again with its own list). */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const SIP_URI = /^sips?:[^\s@]+@[^\s@;]+|^sips?:[^\s@;]+/;

/** What the form sees wrong before sending, by the Worker's field paths (`rules[0].when.time[1].from`). */
export function rulesProblems(draft: RulesDraft, media: LineMedia): FieldProblems {
  const problems: FieldProblems = {};
  const required = { key: 'console.form.errors.required' };
  const zone = draft.timeZone.trim();
  if (zone && (zone.length > 64 || !isTimeZone(zone)))
    problems.time_zone = { key: 'console.rules.errors.time_zone' };
  if (draft.rules.length > ROUTING_RULE_LIMITS.rules)
    problems.rules = {
      key: 'console.issues.too_big_array',
      vars: { max: ROUTING_RULE_LIMITS.rules },
    };
  const seen = new Set<string>();
  draft.rules.forEach((r, i) => {
    const at = (field: string) => `rules[${i}].${field}`;
    const id = r.id.trim();
    if (!id) problems[at('id')] = required;
    else if (!RULE_ID_PATTERN.test(id)) problems[at('id')] = { key: 'console.rules.errors.id' };
    else if (seen.has(id)) problems[at('id')] = { key: 'console.issues.repeated' };
    seen.add(id);
    const name = r.name.trim();
    if (!name) problems[at('name')] = required;
    else if (name.length > CONDITION_LIMITS.name)
      problems[at('name')] = {
        key: 'console.issues.too_big_string',
        vars: { max: CONDITION_LIMITS.name },
      };
    const tags = words(r.tags);
    if (tags.some((t) => !TAG_PATTERN.test(t)))
      problems[at('when.user_tags')] = { key: 'console.rules.errors.tag' };
    else if (new Set(tags).size !== tags.length)
      problems[at('when.user_tags')] = { key: 'console.issues.repeated' };
    else if (tags.length > CONDITION_LIMITS.tags)
      problems[at('when.user_tags')] = {
        key: 'console.issues.too_big_array',
        vars: { max: CONDITION_LIMITS.tags },
      };
    const organizations = words(r.organizations);
    if (organizations.some((o) => !/^[1-9][0-9]{0,15}$/.test(o)))
      problems[at('when.organization_ids')] = { key: 'console.rules.errors.organization' };
    else if (new Set(organizations).size !== organizations.length)
      problems[at('when.organization_ids')] = { key: 'console.issues.repeated' };
    else if (organizations.length > CONDITION_LIMITS.organizations)
      problems[at('when.organization_ids')] = {
        key: 'console.issues.too_big_array',
        vars: { max: CONDITION_LIMITS.organizations },
      };
    if (r.windows.length > CONDITION_LIMITS.windows)
      problems[at('when.time')] = {
        key: 'console.issues.too_big_array',
        vars: { max: CONDITION_LIMITS.windows },
      };
    r.windows.forEach((w, j) => {
      const win = (field: string) => at(`when.time[${j}].${field}`);
      if (!w.days.length) problems[win('days')] = { key: 'console.rules.errors.days' };
      const fromOk = CLOCK_PATTERN.test(w.from) && w.from !== '24:00';
      if (!fromOk) problems[win('from')] = { key: 'console.rules.errors.clock_from' };
      if (!CLOCK_PATTERN.test(w.to)) problems[win('to')] = { key: 'console.rules.errors.clock' };
      else if (fromOk && w.from === w.to)
        problems[win('to')] = { key: 'console.rules.errors.same_time' };
    });
    const noCondition =
      !r.caller.length && !tags.length && !organizations.length && !r.windows.length;
    if (noCondition) problems[at('when')] = { key: 'console.rules.errors.no_condition' };
    const targets = lines(r.targets);
    if (!targets.length) problems[at('sip_targets')] = required;
    else if (targets.some((t) => !SIP_URI.test(t)))
      problems[at('sip_targets')] = { key: 'console.issues.sip_target' };
    else if (targets.length > ROUTING_RULE_LIMITS.targets)
      problems[at('sip_targets')] = {
        key: 'console.issues.too_big_array',
        vars: { max: ROUTING_RULE_LIMITS.targets },
      };
    else if (media === 'secure' && targets.some((t) => !isTlsTarget(t)))
      problems[at('sip_targets')] = { key: 'console.issues.insecure_target' };
  });
  return problems;
}

/** The fields a rule shows: a Worker issue deeper than one goes under the field that holds it. */
const RULE_FIELD =
  /^rules\[\d+\]\.(?:id|name|sip_targets|when(?:\.(?:caller|user_tags|organization_ids|time(?:\[\d+\]\.(?:days|from|to))?))?)/;

/**
 * The Worker's issues by the form field each belongs under: `rules[0].sip_targets[2]` is the
 * rule's targets box, `rules[1].when.time[0].days[3]` that window's days; an issue for no field
 * of the form goes under `''`.
 */
export function rulesIssuesByField(issues: readonly FieldIssue[]): FieldProblems {
  const out: FieldProblems = {};
  for (const issue of issues) {
    const match = RULE_FIELD.exec(issue.path);
    const field = issue.path === 'time_zone' ? 'time_zone' : (match?.[0] ?? '');
    out[field] ??= issueProblem(issue, field);
  }
  return out;
}
