// Stands in for `lodash.get` in the bundle (see scripts/slimDependencies.ts): Garden's getColor reads
// theme colour variables with it ("border.primaryEmphasis"). The npm package carries its own Map
// and hash polyfills; this is its lookup (its regular expressions, MIT, lodash 4.4.2) on the
// platform's Map, checked against the package in lodashShims.test.ts.

const IS_DEEP_PROP = /\.|\[(?:[^[\]]*|(["'])(?:(?!\1)[^\\]|\\.)*?\1)\]/;
const IS_PLAIN_PROP = /^\w*$/;
const PROP_NAME =
  /[^.[\]]+|\[(?:(-?\d+(?:\.\d+)?)|(["'])((?:(?!\2)[^\\]|\\.)*?)\2)\]|(?=(?:\.|\[\])(?:\.|\[\]|$))/g;
const ESCAPE_CHAR = /\\(\\)?/g;

const paths = new Map<string, string[]>();

/** "a.b[0]['c.d']" → ["a", "b", "0", "c.d"] (lodash's stringToPath, memoized as there). */
function toPath(path: string): string[] {
  let keys = paths.get(path);
  if (keys) return keys;
  const found: string[] = path.startsWith('.') ? [''] : [];
  path.replace(PROP_NAME, (match: string, number?: string, quote?: string, quoted?: string) => {
    found.push(quote ? (quoted ?? '').replace(ESCAPE_CHAR, '$1') : number || match);
    return match;
  });
  keys = found;
  paths.set(path, keys);
  return keys;
}

/** A key as a property name: strings and symbols as they are, -0 as "-0". */
const toKey = (key: unknown): PropertyKey =>
  typeof key === 'string' || typeof key === 'symbol' ? key : Object.is(key, -0) ? '-0' : `${key}`;

/** Whether `path` names one property rather than a path (lodash's isKey). */
function isKey(path: unknown, object: object): boolean {
  if (Array.isArray(path)) return false;
  if (typeof path !== 'string') return true;
  return IS_PLAIN_PROP.test(path) || !IS_DEEP_PROP.test(path) || path in Object(object);
}

/**
 * The value at `path` of `object`, or `defaultValue` where that is undefined.
 * @example get({ a: [{ b: 1 }] }, 'a[0].b') // 1
 */
export default function get(object: unknown, path: unknown, defaultValue?: unknown): unknown {
  if (object === null || object === undefined) return defaultValue;
  const keys: unknown[] = isKey(path, object)
    ? [path]
    : Array.isArray(path)
      ? path
      : toPath(String(path));
  let value: unknown = object;
  let index = 0;
  while (value !== null && value !== undefined && index < keys.length) {
    value = (value as Record<PropertyKey, unknown>)[toKey(keys[index++])];
  }
  const result = index && index === keys.length ? value : undefined;
  return result === undefined ? defaultValue : result;
}
