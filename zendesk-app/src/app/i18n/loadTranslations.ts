import { ui } from '../../../translations/en.json';
import type { AppLocale, Dictionary } from './translate';

// Only the `ui` strings reach the bundle: `app` (name, descriptions, setting labels) is read by
// Zendesk from the package. English is bundled as the fallback; the other locales load on demand
// as their own chunks.
const others = import.meta.glob<Dictionary>(
  ['../../../translations/*.json', '!../../../translations/en.json'],
  { import: 'ui' },
);

export const englishDictionary: Dictionary = { ui };

/** The translation file for a locale the app ships (its `ui` strings). */
export async function loadTranslations(locale: AppLocale): Promise<Dictionary> {
  if (locale === 'en') return englishDictionary;
  const load = others[`../../../translations/${locale}.json`];
  return load ? { ui: await load() } : englishDictionary;
}
