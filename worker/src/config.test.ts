import { afterEach, describe, expect, it, vi } from 'vitest';
import { handoffBudgetMs, HANDOFF_BUDGET_RANGE_MS } from './config';
import type { Env } from './env';

const withBudget = (value: unknown) => ({ HANDOFF_BUDGET_MS: value }) as unknown as Env;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('HANDOFF_BUDGET_MS', () => {
  it('is 4000 ms when unset or empty, silently', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    for (const value of [undefined, null, ''])
      expect(handoffBudgetMs(withBudget(value))).toBe(4000);
    expect(error).not.toHaveBeenCalled();
  });

  it('takes a whole number of milliseconds within its bounds, as a string or a JSON number', () => {
    expect(HANDOFF_BUDGET_RANGE_MS).toEqual({ min: 1000, max: 10_000 });
    expect(handoffBudgetMs(withBudget('1000'))).toBe(1000);
    expect(handoffBudgetMs(withBudget(' 2500 '))).toBe(2500);
    expect(handoffBudgetMs(withBudget(10_000))).toBe(10_000);
  });

  it('uses the default for anything else, with one error naming the variable', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    for (const value of [
      '999',
      '10001',
      '0',
      '-2000',
      '2500.5',
      '3e3',
      '4 s',
      'fast',
      99_999,
      true,
    ]) {
      expect(handoffBudgetMs(withBudget(value)), String(value)).toBe(4000);
    }
    // Once per isolate, not once per request.
    expect(error).toHaveBeenCalledTimes(1);
    expect(error.mock.calls[0]?.[0]).toContain('HANDOFF_BUDGET_MS');
    expect(error.mock.calls[0]?.[0]).toContain('1000 to 10000');
  });
});
