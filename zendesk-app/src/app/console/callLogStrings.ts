// The call log shows calls with the sidebar's own components, which speak `ui.*`: its chunk loads
// the sidebar's strings for the admin's locale and answers `ui.*` keys from them.
import type { I18n } from '../i18n/I18nContext';
import { loadTranslations } from '../i18n/loadTranslations';
import { createTranslator, type AppLocale } from '../i18n/translate';

/** The console's translator, with the sidebar's `ui.*` strings (English as their fallback). */
export async function withSidebarStrings(outer: I18n): Promise<I18n> {
  const locale: AppLocale = outer.locale;
  const [own, en] = await Promise.all([loadTranslations(locale), loadTranslations('en')]);
  const ui = createTranslator(own, en);
  return {
    locale,
    t: (key, vars) => (key.startsWith('ui.') ? ui(key, vars) : outer.t(key, vars)),
  };
}
