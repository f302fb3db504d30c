// Which of a line's routing rules takes a call: pure, on what the decision already knows (the
// caller's match, the matched user's tags and organization from the phone index) and the time.
import { localTime } from '../reports/time-zone';
import type { RoutingRule, RoutingRules, TimeWindow } from '../schemas/routing-rules';

/** What rules read of a call. */
export interface RuleFacts {
  /** `returning`: user(s) have the number; `first_time`: none has it; null: not known. */
  caller: 'returning' | 'first_time' | 'withheld' | null;
  /** The one matched user's tags and organization, when the phone index has the user. */
  user: { tags: readonly string[]; organizationId: number | null } | null;
  /** When the call arrived (epoch ms). */
  nowMs: number;
}

/** The rule that takes the call, or null: the line's own targets. */
export type RuleChoice = Pick<RoutingRule, 'id' | 'name' | 'sip_targets'> | null;

const minutes = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

/**
 * Whether local weekday `day` (0 = Monday) and minute of the day `minute` fall in the window. A
 * window whose `to` is before its `from` runs past midnight into the day after each listed day.
 * Local time is the wall clock: on a DST change a window covers the hours the clock shows.
 */
export function inWindow(window: TimeWindow, day: number, minute: number): boolean {
  const from = minutes(window.from);
  const to = minutes(window.to);
  const listed = (d: number) => window.days.some((name) => WEEKDAY_INDEX[name] === d);
  if (from < to) return listed(day) && minute >= from && minute < to;
  return (listed(day) && minute >= from) || (listed((day + 6) % 7) && minute < to);
}

const WEEKDAY_INDEX: Record<TimeWindow['days'][number], number> = {
  mon: 0,
  tue: 1,
  wed: 2,
  thu: 3,
  fri: 4,
  sat: 5,
  sun: 6,
};

function holds(rule: RoutingRule, facts: RuleFacts, local: () => { day: number; minute: number }) {
  const w = rule.when;
  if (w.caller && (facts.caller === null || !w.caller.includes(facts.caller))) return false;
  if (w.user_tags && !w.user_tags.some((t) => facts.user?.tags.includes(t))) return false;
  if (w.organization_ids) {
    const org = facts.user?.organizationId ?? null;
    if (org === null || !w.organization_ids.includes(org)) return false;
  }
  if (w.time) {
    const { day, minute } = local();
    if (!w.time.some((window) => inWindow(window, day, minute))) return false;
  }
  return true;
}

/**
 * The first rule whose conditions all hold (lists within a condition: any one), or null.
 * @example chooseRule(rules, { caller: 'returning', user: { tags: ['vip'], organizationId: null }, nowMs })
 */
export function chooseRule(rules: RoutingRules, facts: RuleFacts): RuleChoice {
  let local: { day: number; minute: number } | undefined;
  const localNow = () => {
    if (!local) {
      const t = localTime(facts.nowMs, rules.time_zone);
      local = { day: t.weekday, minute: t.hour * 60 + t.minute };
    }
    return local;
  };
  const rule = rules.rules.find((r) => holds(r, facts, localNow));
  return rule ? { id: rule.id, name: rule.name, sip_targets: rule.sip_targets } : null;
}

/** Whether any rule reads the matched user's tags or organization (a phone index read). */
export function rulesReadUser(rules: RoutingRules): boolean {
  return rules.rules.some((r) => r.when.user_tags || r.when.organization_ids);
}
