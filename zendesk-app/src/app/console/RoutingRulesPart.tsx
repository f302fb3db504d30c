// The routing rules' section as a chunk of its own, loaded when a line's Edit view opens: the
// console's first screen does not carry it (scripts/build.ts, the console budget).
import { lazyPart, PartLoading } from '../components/LazyPart';
import { useI18n } from '../hooks/useI18n';
import type { RoutingRulesProps } from './RoutingRulesSection';

function RulesLoading() {
  const { t } = useI18n();
  return <PartLoading label={t('console.loading')} />;
}

export const RoutingRulesPart = lazyPart<RoutingRulesProps>(
  () => import('./RoutingRulesSection'),
  RulesLoading,
  { messages: { failed: 'console.rules.load_failed', retry: 'console.rules.retry' } },
);
