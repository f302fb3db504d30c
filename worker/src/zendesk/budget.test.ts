import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { createD1Budget, forgetBudgetRefusals, unlimitedBudget } from './budget';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function clock(start = T0) {
  let at = start;
  return { now: () => at, advance: (ms: number) => (at += ms) };
}

async function rows() {
  const { results } = await env.DB.prepare(
    'SELECT window_start, used, blocked_until FROM zendesk_budget ORDER BY window_start',
  ).all<{ window_start: number; used: number; blocked_until: number }>();
  return results;
}

beforeEach(async () => {
  await env.DB.prepare('DELETE FROM zendesk_budget').run();
  forgetBudgetRefusals(env.DB);
});

describe('createD1Budget', () => {
  it('grants up to the limit, then refuses', async () => {
    const budget = createD1Budget(env.DB, { perMinute: 3, now: clock().now });
    const granted = [];
    for (let i = 0; i < 5; i++) granted.push(await budget.take());
    expect(granted).toEqual([true, true, true, false, false]);
    expect(await rows()).toEqual([{ window_start: T0, used: 3, blocked_until: 0 }]);
  });

  it('starts afresh in the next minute and prunes the old window', async () => {
    const c = clock(T0 + 30_000);
    const budget = createD1Budget(env.DB, { perMinute: 2, now: c.now });
    expect([await budget.take(), await budget.take(), await budget.take()]).toEqual([
      true,
      true,
      false,
    ]);
    c.advance(30_000);
    expect(await budget.take()).toBe(true);
    expect(await rows()).toEqual([{ window_start: T0 + 60_000, used: 1, blocked_until: 0 }]);
  });

  it('grants exactly the limit to concurrent takers', async () => {
    const budget = createD1Budget(env.DB, { perMinute: 20, now: clock().now });
    const granted = await Promise.all(Array.from({ length: 50 }, () => budget.take()));
    expect(granted.filter(Boolean)).toHaveLength(20);
    expect((await rows())[0]?.used).toBe(20);
  });

  it('grants exactly the limit across isolates sharing the table', async () => {
    const c = clock();
    const budgets = [1, 2, 3].map(() => createD1Budget(env.DB, { perMinute: 10, now: c.now }));
    const granted = await Promise.all(Array.from({ length: 30 }, (_, i) => budgets[i % 3]!.take()));
    expect(granted.filter(Boolean)).toHaveLength(10);
  });

  it('refuses everything while blocked, across windows and budgets, then resumes', async () => {
    const c = clock(T0 + 50_000);
    const a = createD1Budget(env.DB, { perMinute: 100, now: c.now });
    const b = createD1Budget(env.DB, { perMinute: 100, now: c.now });
    expect(await a.take()).toBe(true);
    await a.blockUntil(c.now() + 30_000);
    expect(await b.blockedUntil()).toBe(T0 + 80_000);
    expect(await b.take()).toBe(false);
    // The next window opens but the block, recorded on the old row, must survive pruning.
    c.advance(20_000);
    expect(await b.take()).toBe(false);
    c.advance(10_000);
    expect(await b.blockedUntil()).toBe(0);
    expect(await b.take()).toBe(true);
  });

  it('never shortens a block', async () => {
    const c = clock();
    const budget = createD1Budget(env.DB, { perMinute: 5, now: c.now });
    await budget.blockUntil(T0 + 10_000);
    await budget.blockUntil(T0 + 2_000);
    expect(await budget.blockedUntil()).toBe(T0 + 10_000);
  });

  it('remembers a refusal for a second in this isolate, without asking D1 again', async () => {
    const c = clock();
    const budget = createD1Budget(env.DB, { perMinute: 1, now: c.now });
    expect(budget.refusing()).toBe(false);
    expect(await budget.take()).toBe(true);
    expect(await budget.take()).toBe(false);
    expect(budget.refusing()).toBe(true);
    // Another isolate lifting the limit (here: emptying the table) is seen after the second.
    await env.DB.prepare('DELETE FROM zendesk_budget').run();
    expect(await budget.take()).toBe(false);
    c.advance(1000);
    expect(budget.refusing()).toBe(false);
    expect(await budget.take()).toBe(true);
  });

  it('knows a block set in this isolate for its whole length', async () => {
    const c = clock();
    const budget = createD1Budget(env.DB, { perMinute: 100, now: c.now });
    await budget.blockUntil(T0 + 5000);
    expect(budget.refusing()).toBe(true);
    c.advance(4999);
    expect(budget.refusing()).toBe(true);
    c.advance(1);
    expect(budget.refusing()).toBe(false);
    expect(await budget.take()).toBe(true);
  });

  it('refuses everything when the limit is zero', async () => {
    const budget = createD1Budget(env.DB, { perMinute: 0, now: clock().now });
    expect(await budget.take()).toBe(false);
    expect(budget.refusing()).toBe(true);
  });
});

describe('unlimitedBudget', () => {
  it('always grants and never blocks', async () => {
    await unlimitedBudget.blockUntil(Date.now() + 60_000);
    expect(await unlimitedBudget.take()).toBe(true);
    expect(await unlimitedBudget.blockedUntil()).toBe(0);
    expect(unlimitedBudget.refusing()).toBe(false);
  });
});
