// @vitest-environment node
// The stand-ins answer as the npm packages they replace in the bundle do.
import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import get from './lodashGet';
import memoize from './lodashMemoize';

const require = createRequire(import.meta.url);
const lodashGet = require('lodash.get') as typeof get;
const lodashMemoize = require('lodash.memoize') as typeof memoize;

const sym = Symbol('s');
const OBJECT = {
  a: { b: { c: 3 }, '': { d: 4 } },
  list: [{ x: 'first' }, { x: 'second' }],
  'dotted.key': 'whole',
  'with[bracket]': 'bracketed',
  'quoted.inner': { 'e.f': 'deep' },
  0: 'zero',
  '-0': 'minus zero',
  empty: '',
  nothing: null,
  undef: undefined,
  [sym]: 'symbol',
  border: { primaryEmphasis: 'blue.700' },
};

describe('lodashGet', () => {
  it.each([
    'a.b.c',
    'a.b',
    'a.b.c.d',
    'a..d',
    '.a',
    'a[""].d',
    'list[1].x',
    'list.0.x',
    'list[-1]',
    'dotted.key',
    'with[bracket]',
    `quoted.inner['e.f']`,
    'quoted.inner["e.f"]',
    'border.primaryEmphasis',
    'nothing.more',
    'undef',
    'empty',
    'missing',
    '',
    'a.',
    'a[]',
    0,
    -0,
    1,
    sym,
    null,
    undefined,
    true,
    ['a', 'b', 'c'],
    ['dotted.key'],
    [],
    ['list', 1, 'x'],
  ] as unknown[])('reads %s as lodash.get does', (path) => {
    expect(get(OBJECT, path)).toEqual(lodashGet(OBJECT, path));
    expect(get(OBJECT, path, 'default')).toEqual(lodashGet(OBJECT, path, 'default'));
  });

  it.each([null, undefined, 7, 'text'] as unknown[])('reads from %s as lodash.get does', (o) => {
    expect(get(o, 'length', 'd')).toEqual(lodashGet(o, 'length', 'd'));
    expect(get(o, 'a.b', 'd')).toEqual(lodashGet(o, 'a.b', 'd'));
  });
});

describe('lodashMemoize', () => {
  it.each([
    ['the first argument', undefined],
    ['what the resolver makes of the arguments', (a: unknown, b: unknown) => `${a}|${b}`],
  ] as const)('remembers per %s, as lodash.memoize does', (_, resolver) => {
    for (const impl of [memoize, lodashMemoize]) {
      const func = vi.fn((a: unknown, b: unknown) => ({ a, b }));
      const m = impl(func as never, resolver as never);
      const first = m(1, 2);
      expect(m(1, 2)).toBe(first);
      expect(m(1, 3)).toEqual(resolver ? { a: 1, b: 3 } : first);
      expect(m(NaN)).toBe(m(NaN));
      expect(m(-0)).toBe(m(0));
      // Without a resolver the key is the argument itself: "1" and 1 differ, as in a Map.
      if (!resolver) expect(m('1')).not.toBe(m(1));
      expect(func).toHaveBeenCalledTimes(4);
      expect(m.cache.has(resolver ? '1|2' : 1)).toBe(true);
    }
  });

  it('calls with the same this, and refuses what is not a function', () => {
    const self = { n: 2 };
    const m = memoize(function (this: typeof self, k: unknown) {
      return `${k}${this.n}`;
    } as never);
    expect(m.call(self, 'a')).toBe('a2');
    expect(() => memoize('x' as never)).toThrow(TypeError);
    expect(() => lodashMemoize('x' as never)).toThrow(TypeError);
  });
});
