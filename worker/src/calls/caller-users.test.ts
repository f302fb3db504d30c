import { describe, expect, it } from 'vitest';
import { callerUserPlan, CREATED_USER_KNOWN_MS, type CallerUserRow } from './caller-users';

const now = Date.parse('2026-12-02T12:00:00.000Z');
const row = (over: Partial<CallerUserRow>): CallerUserRow => ({
  e164: '+14155550199',
  name: 'Caller +1 415-555-0199',
  status: 'pending',
  attempts: 0,
  alone: 0,
  user_id: null,
  updated_at: new Date(now).toISOString(),
  ...over,
});

describe('what a decision does for a first-time caller', () => {
  it('queues a user for a number never seen, or one given up before', () => {
    expect(callerUserPlan(null, now)).toEqual({ queue: 'new' });
    expect(callerUserPlan(row({ status: 'failed' }), now)).toEqual({ queue: 'new' });
  });

  it('joins the user already on its way', () => {
    expect(callerUserPlan(row({ status: 'pending' }), now)).toEqual({ queue: 'join' });
    expect(callerUserPlan(row({ status: 'sending' }), now)).toEqual({ queue: 'join' });
  });

  it('uses a user made lately (the index may not know it yet), not one made long ago', () => {
    const made = (ago: number) =>
      row({ status: 'created', user_id: 42, updated_at: new Date(now - ago).toISOString() });
    expect(callerUserPlan(made(60_000), now)).toEqual({ use: 42 });
    // By now the index knows the user: that it does not match means the user is gone.
    expect(callerUserPlan(made(CREATED_USER_KNOWN_MS + 1), now)).toEqual({ queue: 'new' });
  });
});
