import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createD1Budget, forgetBudgetRefusals, unlimitedBudget, type Budget } from './budget';
import {
  T0,
  rejection,
  fakeTime,
  notFound,
  scriptedClient,
  ticket,
  unavailable,
  zendeskJson,
  zendeskRateLimited,
} from './fake-zendesk';

// Retry, rate-limit, budget and deadline behaviour, exercised through the client.

beforeEach(async () => {
  await env.DB.prepare('DELETE FROM zendesk_budget').run();
  forgetBudgetRefusals(env.DB);
});

describe('retries', () => {
  it('retries a read after 503 with a short backoff', async () => {
    const { client, zd, time } = scriptedClient([
      unavailable(),
      unavailable(),
      zendeskJson(200, { ticket }),
    ]);
    expect((await client.showTicket(1))?.id).toBe(35436);
    expect(zd.seen).toHaveLength(3);
    expect(client.requestsMade).toBe(3);
    expect(time.sleeps[0]).toBeGreaterThanOrEqual(25);
    expect(time.sleeps[0]).toBeLessThan(75);
    expect(time.sleeps[1]).toBeGreaterThanOrEqual(75);
    expect(time.sleeps[1]).toBeLessThan(225);
  });

  it('gives up after maxReadRetries', async () => {
    const { client, zd } = scriptedClient([unavailable(), unavailable()], { maxReadRetries: 1 });
    expect(await rejection(client.showTicket(1))).toMatchObject({ kind: 'server', status: 503 });
    expect(zd.seen).toHaveLength(2);
  });

  it('retries a read after a network error', async () => {
    const { client } = scriptedClient([{ networkError: 'Network connection lost' }, notFound()]);
    expect(await client.showTicket(1)).toBeNull();
  });

  it('never retries a write after 503, a network error or a timeout', async () => {
    const { client, zd } = scriptedClient(
      [unavailable(), { networkError: 'Network connection lost' }, 'hang'],
      { timeoutMs: 20 },
    );
    const draft = { subject: 's', comment: { body: 'b', public: true } };
    const server = await rejection(client.createTicket(draft));
    expect(server).toMatchObject({ kind: 'server', status: 503 });
    expect(server.message).toContain('may or may not have been applied');
    expect((await rejection(client.addComment(1, draft.comment))).kind).toBe('unreachable');
    expect((await rejection(client.createUser({ name: 'n', phone: '+1' }))).kind).toBe('timeout');
    expect(zd.seen).toHaveLength(3);
  });
});

describe('rate limits and budget', () => {
  it('waits out Retry-After for a read when the deadline allows', async () => {
    const time = fakeTime();
    const budget = createD1Budget(env.DB, { perMinute: 100, now: time.now });
    const { client, zd } = scriptedClient([zendeskRateLimited('1'), zendeskJson(200, { ticket })], {
      budget,
      ...time,
    });
    expect((await client.showTicket(1, { deadline: T0 + 3000 }))?.id).toBe(35436);
    expect(time.sleeps).toEqual([1000]);
    expect(zd.seen).toHaveLength(2);
  });

  it('refuses to wait past the deadline and reports Retry-After', async () => {
    const httpDate = new Date(T0 + 5000).toUTCString();
    const { client, zd } = scriptedClient([zendeskRateLimited('2'), zendeskRateLimited(httpDate)]);
    const e = await rejection(client.showTicket(1, { deadline: T0 + 1500 }));
    expect(e).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterSeconds: 2 });
    const dated = await rejection(client.searchEndUsersByPhone('1234', { deadline: T0 + 1500 }));
    expect(dated).toMatchObject({ kind: 'rate_limited', retryAfterSeconds: 5 });
    expect(zd.seen).toHaveLength(2);
  });

  it('with maxRetryWaitMs (the call path) fails a 429 at once rather than wait it out', async () => {
    const time = fakeTime();
    const budget = createD1Budget(env.DB, { perMinute: 100, now: time.now });
    const { client, zd } = scriptedClient([zendeskRateLimited('1'), zendeskJson(200, { ticket })], {
      budget,
      ...time,
      maxRetryWaitMs: 250,
    });
    const e = await rejection(client.showTicket(1, { deadline: T0 + 3000 }));
    expect(e).toMatchObject({ kind: 'rate_limited', retryAfterSeconds: 1 });
    expect(time.sleeps).toEqual([]);
    expect(zd.seen).toHaveLength(1);
    // The block is known in this isolate: the next request fails at once, unsent, unslept.
    expect(client.refusesRequests()).toBe(true);
    expect((await rejection(client.showTicket(1, { deadline: T0 + 3000 }))).kind).toBe(
      'budget_exhausted',
    );
    expect(zd.seen).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
  });

  it('with maxRetryWaitMs still retries a 503 after a short backoff', async () => {
    const { client, zd } = scriptedClient([unavailable(), zendeskJson(200, { ticket })], {
      maxRetryWaitMs: 250,
    });
    expect((await client.showTicket(1))?.id).toBe(35436);
    expect(zd.seen).toHaveLength(2);
  });

  it('sends nothing when the budget is spent', async () => {
    const refusing: Budget = { ...unlimitedBudget, take: async () => false };
    const { client, zd } = scriptedClient([zendeskJson(200, { ticket })], { budget: refusing });
    expect((await rejection(client.showTicket(1))).kind).toBe('budget_exhausted');
    expect(zd.seen).toHaveLength(0);
    expect(client.requestsMade).toBe(0);
  });

  it('sends nothing when the budget cannot be read', async () => {
    const broken: Budget = {
      ...unlimitedBudget,
      take: async () => {
        throw new Error('D1_ERROR: database unavailable');
      },
    };
    const { client, zd } = scriptedClient([zendeskJson(200, { ticket })], { budget: broken });
    const e = await rejection(client.showTicket(1));
    expect(e.kind).toBe('budget_exhausted');
    expect(e.message).toContain('budget unavailable');
    expect(zd.seen).toHaveLength(0);
  });

  it('shares a 429 block with every client on the same D1 budget', async () => {
    const time = fakeTime();
    const shared = () => createD1Budget(env.DB, { perMinute: 100, now: time.now });
    const first = scriptedClient([zendeskRateLimited('30')], { budget: shared(), ...time });
    const second = scriptedClient([zendeskJson(200, { ticket }), zendeskJson(200, { ticket })], {
      budget: shared(),
      ...time,
    });
    const draft = { subject: 's', comment: { body: 'b', public: true } };
    expect((await rejection(first.client.createTicket(draft))).kind).toBe('rate_limited');
    expect((await rejection(second.client.showTicket(1))).kind).toBe('budget_exhausted');
    expect(second.zd.seen).toHaveLength(0);
    await time.sleep(30_000);
    expect((await second.client.showTicket(1))?.id).toBe(35436);
  });
});

describe('time limits', () => {
  it('aborts an attempt that takes longer than timeoutMs', async () => {
    const { client, zd } = scriptedClient(['hang'], { timeoutMs: 30, maxReadRetries: 0 });
    const e = await rejection(client.showTicket(1));
    expect(e.kind).toBe('timeout');
    expect(zd.seen[0]?.signal?.aborted).toBe(true);
  });

  it('retries a read that timed out', async () => {
    const { client, zd } = scriptedClient(['hang', zendeskJson(200, { ticket })], {
      timeoutMs: 20,
    });
    expect((await client.showTicket(1))?.id).toBe(35436);
    expect(zd.seen).toHaveLength(2);
  });

  it('cuts the attempt at the deadline and does not retry past it', async () => {
    // The attempt's own timer and the retry backoff run on faked timers, the clock with them.
    vi.useFakeTimers({ now: T0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const { client, zd } = scriptedClient(['hang', 'hang'], {
        now: () => Date.now(),
        sleep: undefined,
      });
      let settled = false;
      const outcome = rejection(client.showTicket(1, { deadline: T0 + 60 })).finally(() => {
        settled = true;
      });
      await vi.advanceTimersByTimeAsync(59);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(settled).toBe(true);
      const e = await outcome;
      expect(e.kind).toBe('timeout');
      // Cut at the deadline, not at the 2.5 s per-attempt timeout.
      expect(e.message).toContain('no answer within 60 ms');
      expect(zd.seen).toHaveLength(1);
      expect(zd.seen[0]?.signal?.aborted).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends nothing once the deadline has passed', async () => {
    const { client, zd } = scriptedClient([zendeskJson(200, { ticket })]);
    expect((await rejection(client.showTicket(1, { deadline: T0 }))).kind).toBe('timeout');
    expect(zd.seen).toHaveLength(0);
  });

  it('skips a backoff that would end past the deadline', async () => {
    const { client, zd, time } = scriptedClient([unavailable(), zendeskJson(200, { ticket })]);
    const e = await rejection(client.showTicket(1, { deadline: T0 + 20 }));
    expect(e).toMatchObject({ kind: 'server', status: 503 });
    expect(zd.seen).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
  });
});
