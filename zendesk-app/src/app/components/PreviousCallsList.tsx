import { Anchor, Button } from '@zendeskgarden/react-buttons';
import { Alert } from '@zendeskgarden/react-notifications';
import type { HistoryState } from '../hooks/useCallerHistory';
import { useI18n } from '../hooks/useI18n';
import { formatDateTime, formatDuration } from '../lib/format';
import type { CallerHistoryEntry } from '../lib/types';
import { RuledList as List, Subtle } from './Facts';
import type { PreviousCallsProps } from './PreviousCalls';

export type PreviousCallsListProps = Omit<PreviousCallsProps, 'state'> & {
  state: Exclude<HistoryState, { phase: 'loading' }>;
};

function TicketOf({ entry, ...props }: { entry: CallerHistoryEntry } & PreviousCallsListProps) {
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

/**
 * The caller's previous calls once they have been asked for: each shows when, the outcome, the
 * line, how long, and its ticket as a link when the bridge says the agent may see it; or why they
 * could not be loaded, with Retry. Its own chunk: loaded when the agent first opens the section.
 */
export default function PreviousCallsList(props: PreviousCallsListProps) {
  const { t, locale } = useI18n();
  const { state } = props;
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
