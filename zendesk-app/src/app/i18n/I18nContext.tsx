import { createContext } from 'react';
import { createTranslator, type AppLocale, type Translate } from './translate';
import { englishDictionary } from './loadTranslations';

export interface I18n {
  locale: AppLocale;
  t: Translate;
}

/** English until the agent's locale has loaded; components read it through useI18n(). */
export const I18nContext = createContext<I18n>({
  locale: 'en',
  t: createTranslator(englishDictionary),
});
