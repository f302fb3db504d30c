import { Table } from '@zendeskgarden/react-tables';
import { useI18n } from '../hooks/useI18n';
import { formatUsd } from '../lib/format';
import type { UsageCounts, UsageReport } from './usageApi';

/** A local day (YYYY-MM-DD) in the admin's language, the day itself, whatever the browser's zone. */
export function formatDay(day: string, locale: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
}

function Figures({ row }: { row: UsageCounts }) {
  const { locale } = useI18n();
  const number = new Intl.NumberFormat(locale);
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  return (
    <>
      <Table.Cell data-part="calls">{number.format(row.calls)}</Table.Cell>
      <Table.Cell data-part="answered-rate">
        {row.answered_rate === null ? '—' : percent.format(row.answered_rate)}
      </Table.Cell>
      <Table.Cell data-part="minutes">{number.format(row.minutes)}</Table.Cell>
      <Table.Cell data-part="cost">{formatUsd(row.cost_usd, locale)}</Table.Cell>
    </>
  );
}

/** Calls, answered rate, billed minutes and cost per line and local day, with the totals last. */
export function UsageTable({ report }: { report: UsageReport }) {
  const { t, locale } = useI18n();
  if (report.usage.length === 0) return <p>{t('console.usage.empty')}</p>;
  return (
    <Table>
      <Table.Caption className="visually-hidden">
        {t('console.usage.caption', { zone: report.time_zone })}
      </Table.Caption>
      <Table.Head>
        <Table.HeaderRow>
          <Table.HeaderCell>{t('console.usage.day')}</Table.HeaderCell>
          <Table.HeaderCell>{t('console.usage.line')}</Table.HeaderCell>
          <Table.HeaderCell>{t('console.usage.calls')}</Table.HeaderCell>
          <Table.HeaderCell>{t('console.usage.answered_rate')}</Table.HeaderCell>
          <Table.HeaderCell>{t('console.usage.minutes')}</Table.HeaderCell>
          <Table.HeaderCell>{t('console.usage.cost')}</Table.HeaderCell>
        </Table.HeaderRow>
      </Table.Head>
      <Table.Body>
        {report.usage.map((row) => (
          <Table.Row key={`${row.day} ${row.line}`} data-day={row.day} data-line={row.line}>
            <Table.Cell>
              <time dateTime={row.day}>{formatDay(row.day, locale)}</time>
            </Table.Cell>
            <Table.Cell>{row.line_name}</Table.Cell>
            <Figures row={row} />
          </Table.Row>
        ))}
        <Table.Row data-part="totals" className="console-totals">
          <Table.Cell>{t('console.usage.total')}</Table.Cell>
          <Table.Cell />
          <Figures row={report.totals} />
        </Table.Row>
      </Table.Body>
    </Table>
  );
}
