import { z } from '@hono/zod-openapi';
import {
  CALLER_KINDS,
  CLOCK_PATTERN,
  CONDITION_LIMITS,
  ROUTING_RULE_LIMITS,
  RULE_ID_PATTERN,
  TAG_PATTERN,
  WEEKDAYS,
} from '@sip-bridge/contract/routing-rules';
import { isTimeZone } from '../reports/time-zone';
import { SipTargetSchema } from './lines';

export { CONDITION_LIMITS, WEEKDAYS };

const uniqueList =
  <T>(what: string) =>
  (list: readonly T[], ctx: z.RefinementCtx) => {
    const seen = new Set<T>();
    list.forEach((item, i) => {
      if (seen.has(item)) ctx.addIssue({ code: 'custom', path: [i], message: `repeats a ${what}` });
      seen.add(item);
    });
  };

/** `HH:MM`, 00:00-23:59, or 24:00 as the end of a day. */
const ClockSchema = z
  .string()
  .regex(CLOCK_PATTERN, 'must be HH:MM, 00:00 to 24:00')
  .openapi({ example: '09:00' });

export const TimeWindowSchema = z
  .object({
    days: z
      .array(z.enum(WEEKDAYS))
      .min(1)
      .max(7)
      .superRefine(uniqueList('day'))
      .openapi({ description: 'Days the window starts on, in the rules’ time zone' }),
    from: ClockSchema.openapi({ description: 'Start, local time (included)' }),
    to: ClockSchema.openapi({
      description:
        'End, local time (excluded); earlier than `from` crosses midnight into the next day',
      example: '17:30',
    }),
  })
  .strict()
  .superRefine((w, ctx) => {
    if (w.from === w.to) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must differ from from' });
    }
    if (w.from === '24:00') {
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be 00:00 to 23:59' });
    }
  })
  .openapi('RoutingTimeWindow');

/** A Zendesk tag as stored on a user: lower case, no spaces. */
const TagSchema = z
  .string()
  .min(1)
  .max(80)
  .regex(TAG_PATTERN, 'must be a Zendesk tag: no spaces, commas or capitals')
  .openapi({ example: 'vip' });

export const RuleConditionsSchema = z
  .object({
    caller: z
      .array(z.enum(CALLER_KINDS))
      .min(1)
      .max(3)
      .superRefine(uniqueList('caller kind'))
      .optional()
      .openapi({
        description:
          '`returning`: the number belongs to Zendesk user(s) (matched or ambiguous); `first_time`: ' +
          'a readable number no user has; `withheld`: no number. Any one of them holds.',
      }),
    user_tags: z
      .array(TagSchema)
      .min(1)
      .max(CONDITION_LIMITS.tags)
      .superRefine(uniqueList('tag'))
      .optional()
      .openapi({
        description:
          'The matched user (one user only) has any of these tags, as the phone index has them ' +
          'from Zendesk’s user export',
      }),
    organization_ids: z
      .array(z.number().int().positive())
      .min(1)
      .max(CONDITION_LIMITS.organizations)
      .superRefine(uniqueList('organization id'))
      .optional()
      .openapi({
        description: 'The matched user (one user only) is in one of these organizations',
      }),
    time: z
      .array(TimeWindowSchema)
      .min(1)
      .max(CONDITION_LIMITS.windows)
      .optional()
      .openapi({ description: 'The call arrives within one of these windows' }),
  })
  .strict()
  .superRefine((when, ctx) => {
    if (Object.values(when).every((v) => v === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: 'needs at least one condition (a call no rule takes goes to sip_targets)',
      });
    }
  })
  .openapi('RoutingRuleConditions');

export const RoutingRuleSchema = z
  .object({
    id: z
      .string()
      .regex(RULE_ID_PATTERN, 'must be 1-32 lower-case letters, digits and inner dashes')
      .openapi({ example: 'vip', description: 'Names the rule to the edge and in call records' }),
    name: z
      .string()
      .min(1)
      .max(CONDITION_LIMITS.name)
      .regex(/^[^\p{Cc}]+$/u, 'must be printable text')
      .openapi({ example: 'VIP', description: 'Shown to agents: "Routed by rule: VIP"' }),
    when: RuleConditionsSchema.openapi({ description: 'Every condition given must hold' }),
    sip_targets: z
      .array(SipTargetSchema)
      .min(1)
      .max(ROUTING_RULE_LIMITS.targets)
      .openapi({
        description:
          'Zendesk SIP-IN addresses for the calls this rule takes, in failover order (the line’s ' +
          '`routing.mode` and timers apply); on a secure line each must be sips: or ;transport=tls',
      }),
  })
  .strict()
  .openapi('RoutingRule');

export const RoutingRulesSchema = z
  .object({
    time_zone: z
      .string()
      .max(64)
      .refine(isTimeZone, 'must be an IANA time zone, e.g. Europe/Paris')
      .default('UTC')
      .openapi({ example: 'Europe/Paris', description: 'The zone time windows are read in' }),
    rules: z
      .array(RoutingRuleSchema)
      .max(ROUTING_RULE_LIMITS.rules)
      .superRefine((rules, ctx) => {
        const seen = new Map<string, number>();
        rules.forEach((r, i) => {
          const first = seen.get(r.id);
          if (first !== undefined) {
            ctx.addIssue({
              code: 'custom',
              path: [i, 'id'],
              message: `repeats rules[${first}].id`,
            });
          } else seen.set(r.id, i);
        });
      })
      .openapi({
        description: 'Tried in order; the first whose conditions all hold routes the call',
      }),
  })
  .strict()
  .openapi('RoutingRules');

export type TimeWindow = z.infer<typeof TimeWindowSchema>;
export type RoutingRule = z.infer<typeof RoutingRuleSchema>;
export type RoutingRules = z.infer<typeof RoutingRulesSchema>;
