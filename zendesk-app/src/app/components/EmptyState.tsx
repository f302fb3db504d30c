import { MD, SM } from '@zendeskgarden/react-typography';
import { useI18n } from '../hooks/useI18n';

/** The ticket has no SIP call linked to it. */
export function EmptyState() {
  const { t } = useI18n();
  return (
    <div data-state="empty">
      <MD isBold tag="p">
        {t('ui.empty.title')}
      </MD>
      <SM tag="p">{t('ui.empty.body')}</SM>
    </div>
  );
}
