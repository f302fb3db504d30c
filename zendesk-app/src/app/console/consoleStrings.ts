// The console's strings: the `console` part of translations/<locale>.json (the sidebar reads the
// `ui` part). English is in the console's bundle as the fallback; the others load on demand.
import { console as english } from '../../../translations/en.json';
import type { AppLocale, Dictionary } from '../i18n/translate';

const others = import.meta.glob<Dictionary>(
  ['../../../translations/*.json', '!../../../translations/en.json'],
  { import: 'console' },
);

/** `{ console: … }` for a locale the app ships, English when it has none. */
export async function loadConsoleStrings(locale: AppLocale): Promise<Dictionary> {
  const load = locale === 'en' ? undefined : others[`../../../translations/${locale}.json`];
  return { console: load ? await load() : english };
}
