import { describe, expect, it } from 'vitest';
import { createTranslator, resolveLocale } from './translate';

describe('resolveLocale', () => {
  it.each([
    ['en-US', 'en'],
    ['fr', 'fr'],
    ['fr-FR', 'fr'],
    ['fr-ca', 'fr'],
    ['ko-KR', 'ko'],
    ['ru', 'ru'],
    ['pt-BR', 'en'],
    [undefined, 'en'],
    ['', 'en'],
  ])('%s → %s', (input, expected) => expect(resolveLocale(input)).toBe(expected));
});

describe('createTranslator', () => {
  const t = createTranslator({ a: { b: 'Hi {{name}}' } }, { a: { c: 'fallback' } });
  it('reads nested keys and fills variables', () =>
    expect(t('a.b', { name: 'Ada' })).toBe('Hi Ada'));
  it('falls back to English, then to the key', () => {
    expect(t('a.c')).toBe('fallback');
    expect(t('a.missing')).toBe('a.missing');
  });
});
