import { useEffect, useState } from 'react';
import { createTranslator, resolveLocale } from '../i18n/translate';
import { englishDictionary, loadTranslations } from '../i18n/loadTranslations';
import type { I18n } from '../i18n/I18nContext';
import { useClient } from './useClient';

/** Loads the translations for `currentUser.locale`; undefined until they are ready. */
export function useAgentLocale(): I18n | undefined {
  const { client } = useClient();
  const [i18n, setI18n] = useState<I18n>();

  useEffect(() => {
    let live = true;
    client
      .get('currentUser.locale')
      .then((data) => resolveLocale(data['currentUser.locale']))
      .catch(() => 'en' as const)
      .then(async (locale) => {
        const t = createTranslator(await loadTranslations(locale), englishDictionary);
        if (!live) return;
        document.documentElement.lang = locale;
        setI18n({ locale, t });
      });
    return () => {
      live = false;
    };
  }, [client]);

  return i18n;
}
