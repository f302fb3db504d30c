import styled from 'styled-components';
import { getColor } from '@zendeskgarden/react-theming';
import { useI18n } from '../hooks/useI18n';
import { formatTime } from '../lib/format';
import type { CallRecord } from '../lib/types';
import { Subtle } from './Facts';

const Steps = styled.ol`
  margin: 8px 0 0;
  padding: 0 0 0 14px;
  list-style: none;
  border-left: 2px solid ${(p) => getColor({ theme: p.theme, variable: 'border.default' })};
  font-size: ${(p) => p.theme.fontSizes.sm};
  line-height: ${(p) => p.theme.lineHeights.sm};

  & > li + li {
    margin-top: 2px;
  }
`;

export interface TimelineProps {
  timeline: CallRecord['timeline'];
  endedBy: string | null;
}

/** Received → answered (or not) → ended, in the agent's time format. */
export function Timeline({ timeline, endedBy }: TimelineProps) {
  const { t, locale } = useI18n();
  const at = (iso: string) => <time dateTime={iso}>{formatTime(iso, locale)}</time>;
  return (
    <Steps aria-label={t('ui.timeline.title')} data-part="timeline">
      <li>
        <Subtle>{t('ui.timeline.received')}</Subtle> {at(timeline.received_at)}
      </li>
      {timeline.answered_at ? (
        <li>
          <Subtle>{t('ui.timeline.answered')}</Subtle> {at(timeline.answered_at)}
        </li>
      ) : timeline.ended_at ? (
        <li>
          <Subtle>{t('ui.timeline.not_answered')}</Subtle>
        </li>
      ) : null}
      {timeline.ended_at ? (
        <li>
          <Subtle>{t('ui.timeline.ended')}</Subtle> {at(timeline.ended_at)}
          {endedBy && ['caller', 'callee', 'proxy', 'admin'].includes(endedBy)
            ? ` ${t(`ui.timeline.ended_by.${endedBy}`)}`
            : null}
        </li>
      ) : null}
    </Steps>
  );
}
