import en from '../../../translations/en.json';
import type { AppLocale, Dictionary } from './translate';

// English is bundled as the fallback; the other locales load on demand as their own chunks.
const others = import.meta.glob<Dictionary>(
  ['../../../translations/*.json', '!../../../translations/en.json'],
  {
    import: 'default',
  },
);

export const englishDictionary: Dictionary = en;

/** The translation file for a locale the app ships. */
export async function loadTranslations(locale: AppLocale): Promise<Dictionary> {
  if (locale === 'en') return en;
  const load = others[`../../../translations/${locale}.json`];
  return load ? await load() : en;
}
