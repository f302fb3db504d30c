import { Skeleton } from '@zendeskgarden/react-loaders';
import { useI18n } from '../hooks/useI18n';

/** Placeholder lines while the calls load. */
export function LoadingState() {
  const { t } = useI18n();
  return (
    <div role="status" aria-busy="true" aria-label={t('ui.loading')} data-state="loading">
      <Skeleton width="55%" />
      <Skeleton />
      <Skeleton width="80%" />
      <Skeleton width="65%" />
    </div>
  );
}
