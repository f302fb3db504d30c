// Stands in for `lodash.memoize` in the bundle (see scripts/slimDependencies.ts): Garden memoizes
// getColor and its colour scales with it. The npm package brings its own hash-map cache; every
// browser Zendesk supports has Map, which keys the same way (SameValueZero).

type Func = (...args: unknown[]) => unknown;
type Cache = Pick<Map<unknown, unknown>, 'has' | 'get' | 'set'>;

interface Memoized {
  (this: unknown, ...args: unknown[]): unknown;
  cache: Cache;
}

/**
 * `func` remembering its result per key: the first argument, or what `resolver` makes of the
 * arguments (lodash.memoize 4.1, with `memoize.Cache` to swap the cache).
 */
function memoize(func: Func, resolver?: Func): Memoized {
  if (typeof func !== 'function' || (resolver && typeof resolver !== 'function')) {
    throw new TypeError('Expected a function');
  }
  const memoized = function (this: unknown, ...args: unknown[]) {
    const key = resolver ? resolver.apply(this, args) : args[0];
    const cache = memoized.cache;
    if (cache.has(key)) return cache.get(key);
    const result = func.apply(this, args);
    memoized.cache = cache.set(key, result) ?? cache;
    return result;
  } as Memoized;
  memoized.cache = new memoize.Cache();
  return memoized;
}
memoize.Cache = Map as new () => Cache;

export default memoize;
