import styled from 'styled-components';
import { Anchor, Button } from '@zendeskgarden/react-buttons';
import { Skeleton } from '@zendeskgarden/react-loaders';
import { Alert } from '@zendeskgarden/react-notifications';
import type { HistoryState } from '../hooks/useCallerHistory';
import { useI18n } from '../hooks/useI18n';
import { formatDateTime, formatDuration } from '../lib/format';
import type { CallerHistoryEntry } from '../lib/types';
import { RuledList as List, Subtle } from './Facts';

const Details = styled.details`
  margin-top: 8px;
  font-size: ${(p) => p.theme.fontSizes.sm};
  line-height: ${(p) => p.theme.lineHeights.sm};

  & > summary {
    cursor: pointer;
    font-weight: ${(p) => p.theme.fontWeights.semibold};
  }
`;

export interface PreviousCallsProps {
  /** Undefined until the agent first opens the section. */
  state: HistoryState | undefined;
  /** The ticket the sidebar is on: its calls say so instead of linking to it. */
  ticketId: number;
  /** Asks for the history: when the section opens, and on Retry. */
  onLoad: () => void;
  onOpenTicket: (ticketId: number) => void;
  /** The account's Zendesk URL, so a ticket link also works opened in a new tab. */
  zendeskUrl?: string | undefined;
}

function TicketOf({ entry, ...props }: { entry: CallerHistoryEntry } & PreviousCallsProps) {
  const { t } = useI18n();
  const id = entry.ticket_id;
  if (id === null) return null;
  if (id === props.ticketId) return <Subtle> · {t('ui.history.this_ticket')}</Subtle>;
  return (
    <>
      {' · '}
      <Anchor
        href={`${props.zendeskUrl ?? ''}/agent/tickets/${id}`}
        onClick={(e) => {
          e.preventDefault();
          props.onOpenTicket(id);
        }}
      >
        {t('ui.history.ticket', { id })}
      </Anchor>
    </>
  );
}

function HistoryBody(props: PreviousCallsProps) {
  const { t, locale } = useI18n();
  const { state } = props;
  if (!state || state.phase === 'loading') {
    return (
      <div role="status" aria-label={t('ui.history.loading')} data-state="loading">
        <Skeleton width="70%" />
        <Skeleton width="50%" />
      </div>
    );
  }
  if (state.phase === 'error') {
    return (
      <div data-state="error" data-error-kind={state.error.kind}>
        <Alert type="warning">{t('ui.history.failed', { status: state.error.status })}</Alert>
        <Button size="small" onClick={props.onLoad}>
          {t('ui.error.retry')}
        </Button>
      </div>
    );
  }
  const { calls, has_more } = state.history;
  if (!calls.length) return <Subtle data-state="empty">{t('ui.history.empty')}</Subtle>;
  return (
    <>
      <List>
        {calls.map((entry, i) => (
          <li key={`${entry.received_at}-${i}`} data-part="history-call" data-status={entry.status}>
            <time dateTime={entry.received_at}>{formatDateTime(entry.received_at, locale)}</time>
            {' · '}
            {t(`ui.history.status.${entry.status}`)}
            <br />
            <Subtle>
              {entry.line.name ?? entry.line.slug}
              {entry.duration_s === null ? '' : ` · ${formatDuration(entry.duration_s, locale)}`}
            </Subtle>
            <TicketOf entry={entry} {...props} />
          </li>
        ))}
      </List>
      {has_more ? <Subtle>{t('ui.history.more', { count: calls.length })}</Subtle> : null}
    </>
  );
}

/**
 * "Previous calls" from the same number, collapsed under a call's details: opening it asks for
 * them. Each shows when, the outcome, the line, how long, and its ticket as a link when the bridge
 * says the agent may see it.
 */
export function PreviousCalls(props: PreviousCallsProps) {
  const { t } = useI18n();
  return (
    <Details
      data-part="history"
      onToggle={(e) => {
        if (e.currentTarget.open) props.onLoad();
      }}
    >
      <summary>{t('ui.history.title')}</summary>
      <HistoryBody {...props} />
    </Details>
  );
}
