// The webhook's section as a chunk of its own, loaded when a line's Edit view opens.
import { lazyPart, PartLoading } from '../components/LazyPart';
import { useI18n } from '../hooks/useI18n';
import type { WebhookProps } from './WebhookSection';

function WebhookLoading() {
  const { t } = useI18n();
  return <PartLoading label={t('console.loading')} />;
}

export const WebhookPart = lazyPart<WebhookProps>(
  () => import('./WebhookSection'),
  WebhookLoading,
  {
    messages: { failed: 'console.rules.load_failed', retry: 'console.rules.retry' },
  },
);
