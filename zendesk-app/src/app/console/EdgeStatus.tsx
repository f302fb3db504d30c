import { Tag } from '@zendeskgarden/react-tags';
import { useI18n } from '../hooks/useI18n';
import { formatDateTime } from '../lib/format';
import type { LineEdgeStatus } from './consoleApi';

const HUES = { applied: 'green', waiting: 'yellow', no_edge: 'grey' } as const;

/** The words for a line's state at the edge: "Applied at the edge at …", "Waiting for the edge"… */
export function useEdgeStatusText() {
  const { t, locale } = useI18n();
  return (edge: LineEdgeStatus | undefined) => {
    if (!edge || edge.state === 'no_edge') return t('console.edge.no_edge');
    if (edge.state === 'waiting') return t('console.edge.waiting');
    return t('console.edge.applied', { time: formatDateTime(edge.applied_at, locale) });
  };
}

/**
 * A line's state at the edge as a Garden tag with its words; `compact` (a table cell) puts a
 * short word in the tag and the time under it, so nothing is cut off.
 */
export function EdgeStatus({
  edge,
  compact = false,
}: {
  edge: LineEdgeStatus | undefined;
  compact?: boolean;
}) {
  const { t, locale } = useI18n();
  const text = useEdgeStatusText();
  const state = edge?.state ?? 'no_edge';
  if (!compact) return <Tag hue={HUES[state]}>{text(edge)}</Tag>;
  return (
    <>
      <Tag hue={HUES[state]}>{t(`console.edge.short.${state}`)}</Tag>
      {edge?.state === 'applied' ? (
        <span className="console-edge-time">{formatDateTime(edge.applied_at, locale)}</span>
      ) : null}
    </>
  );
}
