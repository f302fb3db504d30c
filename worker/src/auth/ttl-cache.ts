/**
 * A small per-isolate cache: entries live `ttlMs`, and past `maxEntries` the oldest goes first, so
 * a flood of distinct keys (forged tokens, ticket ids) cannot grow it without bound.
 *
 * @example
 * const cache = new TtlCache<string, boolean>({ ttlMs: 60_000, maxEntries: 1000 });
 * cache.set('20009:1001', true);
 * cache.get('20009:1001'); // true for a minute
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();

  constructor(
    private readonly options: { ttlMs: number; maxEntries: number; now?: () => number },
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.options.ttlMs });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
