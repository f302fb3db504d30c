// Routing rules in the console's form: the draft of stored rules, the PUT body, the moves, the
// checks as typed (the contract's rules) and the Worker's issues by field.
import { describe, expect, it } from 'vitest';
import {
  emptyRule,
  moveRule,
  rulesBody,
  rulesDraftOf,
  rulesIssuesByField,
  rulesProblems,
  type RoutingRules,
} from './routingRules';

const STORED: RoutingRules = {
  time_zone: 'Europe/Paris',
  rules: [
    {
      id: 'vip',
      name: 'VIP',
      when: {
        caller: ['returning'],
        user_tags: ['vip', 'gold'],
        organization_ids: [42],
        time: [{ days: ['mon', 'fri'], from: '09:00', to: '17:30' }],
      },
      sip_targets: ['sip:vip@vip.sip.twilio.com', 'sip:b@vip.sip.twilio.com'],
    },
    { id: 'night', name: 'Night', when: { caller: ['withheld'] }, sip_targets: ['sip:n@x.io'] },
  ],
};

describe('routing rules in the form', () => {
  it('gives back the stored rules unchanged as the PUT body', () => {
    expect(rulesBody(rulesDraftOf(STORED))).toEqual(STORED);
  });

  it('moves a rule up and down, never past either end', () => {
    const { rules } = rulesDraftOf(STORED);
    expect(moveRule(rules, 1, -1).map((r) => r.id)).toEqual(['night', 'vip']);
    expect(moveRule(rules, 0, 1).map((r) => r.id)).toEqual(['night', 'vip']);
    expect(moveRule(rules, 0, -1).map((r) => r.id)).toEqual(['vip', 'night']);
    expect(moveRule(rules, 1, 1).map((r) => r.id)).toEqual(['vip', 'night']);
  });

  it('finds what is wrong as typed, by the Worker’s field paths', () => {
    const draft = rulesDraftOf(STORED);
    draft.timeZone = 'Mars/Olympus';
    draft.rules[0]!.windows[0]!.from = '25:99';
    draft.rules[0]!.windows[0]!.days = [];
    draft.rules[0]!.tags = 'VIP, gold';
    draft.rules[1]!.id = 'vip';
    draft.rules.push({ ...emptyRule(), id: 'Bad Id', name: 'x', targets: 'mailto:a@b' });
    expect(rulesProblems(draft, 'rtp')).toEqual({
      time_zone: { key: 'console.rules.errors.time_zone' },
      'rules[0].when.time[0].from': { key: 'console.rules.errors.clock_from' },
      'rules[0].when.time[0].days': { key: 'console.rules.errors.days' },
      'rules[0].when.user_tags': { key: 'console.rules.errors.tag' },
      'rules[1].id': { key: 'console.issues.repeated' },
      'rules[2].id': { key: 'console.rules.errors.id' },
      'rules[2].when': { key: 'console.rules.errors.no_condition' },
      'rules[2].sip_targets': { key: 'console.issues.sip_target' },
    });
    expect(rulesProblems(rulesDraftOf(STORED), 'rtp')).toEqual({});
    expect(rulesProblems(rulesDraftOf(STORED), 'secure')).toEqual({
      'rules[0].sip_targets': { key: 'console.issues.insecure_target' },
      'rules[1].sip_targets': { key: 'console.issues.insecure_target' },
    });
  });

  it('refuses a window ending when it starts, and 24:00 as a start', () => {
    const draft = rulesDraftOf(STORED);
    draft.rules[0]!.windows = [
      { days: ['mon'], from: '10:00', to: '10:00' },
      { days: ['mon'], from: '24:00', to: '24:00' },
    ];
    const problems = rulesProblems(draft, 'rtp');
    expect(problems['rules[0].when.time[0].to']).toEqual({ key: 'console.rules.errors.same_time' });
    expect(problems['rules[0].when.time[1].from']).toEqual({
      key: 'console.rules.errors.clock_from',
    });
  });

  it('puts the Worker’s issues under the field that holds them', () => {
    const problems = rulesIssuesByField([
      { path: 'rules[0].when.time[1].from', message: 'm', code: 'invalid_format' },
      { path: 'rules[1].sip_targets[2]', message: 'm', code: 'insecure_target' },
      { path: 'rules[0].when.user_tags[3]', message: 'm', code: 'invalid_format' },
      { path: 'time_zone', message: 'm', code: 'custom' },
      { path: 'rules[0].when.time[1].days[0]', message: 'm', code: 'invalid_value' },
      { path: 'mystery', message: 'm', code: 'custom' },
    ]);
    expect(Object.keys(problems).sort()).toEqual(
      [
        '',
        'rules[0].when.time[1].days',
        'rules[0].when.time[1].from',
        'rules[0].when.user_tags',
        'rules[1].sip_targets',
        'time_zone',
      ].sort(),
    );
    expect(problems['rules[0].when.time[1].from']!.key).toBe('console.rules.errors.clock_from');
    expect(problems['rules[1].sip_targets']!.key).toBe('console.issues.insecure_target');
    expect(problems.time_zone!.key).toBe('console.rules.errors.time_zone');
    expect(problems['']!.key).toBe('console.issues.other');
  });
});
