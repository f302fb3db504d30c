import { describe, expect, it } from 'vitest';
import { RoutingRulesSchema } from '../schemas/routing-rules';
import { chooseRule, inWindow, type RuleFacts } from './routing-rules';

const rules = (time_zone: string, list: unknown[]) =>
  RoutingRulesSchema.parse({ time_zone, rules: list });

const office = (time_zone = 'America/New_York') =>
  rules(time_zone, [
    {
      id: 'office-hours',
      name: 'Office hours',
      when: { time: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' }] },
      sip_targets: ['sip:day@example.sip.twilio.com'],
    },
    {
      id: 'night',
      name: 'Night desk',
      when: { time: [{ days: ['sun'], from: '22:00', to: '03:30' }] },
      sip_targets: ['sip:night@example.sip.twilio.com'],
    },
  ]);

const at = (iso: string): RuleFacts => ({ caller: null, user: null, nowMs: Date.parse(iso) });

describe('routing rules: time windows in the rules’ time zone', () => {
  it('reads the window on the wall clock of the zone, not UTC', () => {
    // 13:59 UTC on Monday 2026-01-12 is 08:59 in New York (EST, UTC-5): not yet open.
    expect(chooseRule(office(), at('2026-01-12T13:59:00Z'))).toBeNull();
    expect(chooseRule(office(), at('2026-01-12T14:00:00Z'))?.id).toBe('office-hours');
    // 16:59 in New York; 17:00 is the end, excluded.
    expect(chooseRule(office(), at('2026-01-12T21:59:00Z'))?.id).toBe('office-hours');
    expect(chooseRule(office(), at('2026-01-12T22:00:00Z'))).toBeNull();
    // The same instant in Paris is 15:00 on Monday: open there too, and Saturday is closed.
    expect(chooseRule(office('Europe/Paris'), at('2026-01-12T14:00:00Z'))?.id).toBe('office-hours');
    expect(chooseRule(office(), at('2026-01-17T15:00:00Z'))).toBeNull();
  });

  it('follows the clock across the spring-forward DST edge (2026-03-08 in New York)', () => {
    // Sunday 22:00-03:30 crosses midnight into Monday. On Monday 2026-03-09 New York is on EDT
    // (UTC-4): 03:29 local is 07:29 UTC, an hour earlier in UTC than on EST.
    expect(chooseRule(office(), at('2026-03-09T07:29:00Z'))?.id).toBe('night');
    expect(chooseRule(office(), at('2026-03-09T07:30:00Z'))).toBeNull();
    // Office hours on Monday 2026-03-09 open at 09:00 EDT = 13:00 UTC (14:00 UTC the week before).
    expect(chooseRule(office(), at('2026-03-09T12:59:00Z'))).toBeNull();
    expect(chooseRule(office(), at('2026-03-09T13:00:00Z'))?.id).toBe('office-hours');
    expect(chooseRule(office(), at('2026-03-02T13:00:00Z'))).toBeNull();
  });

  it('follows the clock across the fall-back DST edge (2026-11-01 in New York)', () => {
    // Monday 2026-11-02 is on EST again: 09:00 local = 14:00 UTC.
    expect(chooseRule(office(), at('2026-11-02T13:59:00Z'))).toBeNull();
    expect(chooseRule(office(), at('2026-11-02T14:00:00Z'))?.id).toBe('office-hours');
    // Sunday 2026-11-01 22:00 EST = Monday 03:00 UTC: the night window opens.
    expect(chooseRule(office(), at('2026-11-02T02:59:00Z'))).toBeNull();
    expect(chooseRule(office(), at('2026-11-02T03:00:00Z'))?.id).toBe('night');
  });

  it('a window past midnight belongs to the day it starts on', () => {
    const night = { days: ['sun' as const], from: '22:00', to: '03:30' };
    expect(inWindow(night, 6, 22 * 60)).toBe(true); // Sunday 22:00
    expect(inWindow(night, 0, 3 * 60 + 29)).toBe(true); // Monday 03:29
    expect(inWindow(night, 0, 22 * 60)).toBe(false); // Monday 22:00
    expect(inWindow(night, 6, 3 * 60)).toBe(false); // Sunday 03:00 (Saturday was not listed)
    expect(inWindow({ days: ['mon'], from: '18:00', to: '24:00' }, 0, 23 * 60 + 59)).toBe(true);
  });
});

describe('routing rules: conditions and order', () => {
  const list = rules('UTC', [
    {
      id: 'vip',
      name: 'VIP',
      when: { user_tags: ['vip', 'gold'] },
      sip_targets: ['sip:vip@example.sip.twilio.com'],
    },
    {
      id: 'acme',
      name: 'Acme',
      when: { organization_ids: [501], caller: ['returning'] },
      sip_targets: ['sip:acme@example.sip.twilio.com'],
    },
    {
      id: 'known',
      name: 'Returning',
      when: { caller: ['returning'] },
      sip_targets: ['sip:known@example.sip.twilio.com'],
    },
    {
      id: 'new',
      name: 'First-time',
      when: { caller: ['first_time', 'withheld'] },
      sip_targets: ['sip:new@example.sip.twilio.com'],
    },
  ]);
  const facts = (f: Partial<RuleFacts>): RuleFacts => ({
    caller: null,
    user: null,
    nowMs: 0,
    ...f,
  });

  it('takes the first rule that holds, in order', () => {
    const vipInAcme = { tags: ['gold'], organizationId: 501 };
    expect(chooseRule(list, facts({ caller: 'returning', user: vipInAcme }))?.id).toBe('vip');
    const acme = { tags: [], organizationId: 501 };
    expect(chooseRule(list, facts({ caller: 'returning', user: acme }))?.id).toBe('acme');
    expect(chooseRule(list, facts({ caller: 'returning', user: null }))?.id).toBe('known');
    expect(chooseRule(list, facts({ caller: 'first_time' }))?.id).toBe('new');
    expect(chooseRule(list, facts({ caller: 'withheld' }))?.id).toBe('new');
  });

  it('needs every condition of a rule, and an unknown caller takes no caller rule', () => {
    // In Acme but not known as returning (e.g. the lookup failed): not the Acme rule.
    expect(chooseRule(list, facts({ user: { tags: [], organizationId: 501 } }))).toBeNull();
    expect(chooseRule(list, facts({}))).toBeNull();
  });
});
