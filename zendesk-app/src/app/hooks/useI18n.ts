import { useContext } from 'react';
import { I18nContext, type I18n } from '../i18n/I18nContext';

/** The agent's locale and the translate function: `t('ui.call.line')`. */
export function useI18n(): I18n {
  return useContext(I18nContext);
}
