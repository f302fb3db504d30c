import { describe, expect, it } from 'vitest';
import { TtlCache } from './ttl-cache';

describe('TtlCache', () => {
  it('forgets an entry once its time is up', () => {
    let now = 0;
    const cache = new TtlCache<string, boolean>({ ttlMs: 60_000, maxEntries: 10, now: () => now });
    cache.set('a', false);
    now = 59_999;
    expect(cache.get('a')).toBe(false);
    now = 60_000;
    expect(cache.get('a')).toBeUndefined();
  });

  it('stays bounded, dropping the oldest entries first', () => {
    const cache = new TtlCache<number, number>({ ttlMs: 60_000, maxEntries: 3 });
    for (let i = 0; i < 10; i++) cache.set(i, i);
    expect(cache.size).toBe(3);
    expect([cache.get(6), cache.get(7), cache.get(9)]).toEqual([undefined, 7, 9]);
  });
});
