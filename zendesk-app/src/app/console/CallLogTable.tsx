import { Button } from '@zendeskgarden/react-buttons';
import { Table } from '@zendeskgarden/react-tables';
import { Tag } from '@zendeskgarden/react-tags';
import { useI18n } from '../hooks/useI18n';
import { formatDuration, formatUsd } from '../lib/format';
import type { CallLogItem } from './callLogApi';

/** The sidebar's status colours. */
const HUES: Record<CallLogItem['status'], string> = {
  ringing: 'blue',
  answered: 'blue',
  completed: 'green',
  failed: 'red',
  cancelled: 'grey',
  rejected: 'red',
};

/** When a call was received, on the account's clock (`zone`), in the admin's language. */
export function formatInZone(iso: string, locale: string, zone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: zone,
  }).format(date);
}

/** A page of the call log; each call's Details button opens what the sidebar shows of it. */
export function CallLogTable({
  calls,
  zone,
  selected,
  onOpen,
}: {
  calls: CallLogItem[];
  /** The account's time zone, which the Worker's dates filter in. */
  zone: string;
  selected: string | null;
  onOpen: (callId: string) => void;
}) {
  const { t, locale } = useI18n();
  const caller = (c: CallLogItem) =>
    c.caller.kind === 'withheld'
      ? t('ui.caller.withheld')
      : (c.caller.display ?? c.caller.e164 ?? t('ui.caller.invalid'));
  return (
    <Table>
      <Table.Caption className="visually-hidden">{t('console.calls.caption')}</Table.Caption>
      <Table.Head>
        <Table.HeaderRow>
          <Table.HeaderCell>{t('console.calls.received')}</Table.HeaderCell>
          <Table.HeaderCell>{t('console.calls.line')}</Table.HeaderCell>
          <Table.HeaderCell>{t('console.calls.caller')}</Table.HeaderCell>
          <Table.HeaderCell>{t('console.calls.status')}</Table.HeaderCell>
          <Table.HeaderCell>{t('console.calls.ticket')}</Table.HeaderCell>
          <Table.HeaderCell>{t('console.calls.duration')}</Table.HeaderCell>
          <Table.HeaderCell>{t('console.calls.cost')}</Table.HeaderCell>
          <Table.HeaderCell>{t('console.calls.actions')}</Table.HeaderCell>
        </Table.HeaderRow>
      </Table.Head>
      <Table.Body>
        {calls.map((c) => {
          const time = formatInZone(c.received_at, locale, zone);
          return (
            // (Garden's isSelected shade leaves the blue button under 4.5:1 contrast.)
            <Table.Row
              key={c.call_id}
              data-call-id={c.call_id}
              data-selected={selected === c.call_id || undefined}
            >
              <Table.Cell>
                <time dateTime={c.received_at}>{time}</time>
              </Table.Cell>
              <Table.Cell>{c.line.name ?? c.line.slug}</Table.Cell>
              <Table.Cell>{caller(c)}</Table.Cell>
              <Table.Cell>
                <Tag hue={HUES[c.status]} size="small">
                  {t(`ui.call.status.${c.status}`)}
                </Tag>
              </Table.Cell>
              <Table.Cell>{c.ticket_id === null ? '—' : `#${c.ticket_id}`}</Table.Cell>
              <Table.Cell>
                {c.duration_s === null ? '—' : formatDuration(c.duration_s, locale)}
              </Table.Cell>
              <Table.Cell>{c.cost_usd === null ? '—' : formatUsd(c.cost_usd, locale)}</Table.Cell>
              <Table.Cell>
                <Button
                  size="small"
                  aria-label={t('console.calls.open', { time })}
                  onClick={() => onOpen(c.call_id)}
                >
                  {t('console.calls.open_short')}
                </Button>
              </Table.Cell>
            </Table.Row>
          );
        })}
      </Table.Body>
    </Table>
  );
}
