import { Button } from '@zendeskgarden/react-buttons';
import { Table } from '@zendeskgarden/react-tables';
import { Tag } from '@zendeskgarden/react-tags';
import { useI18n } from '../hooks/useI18n';
import type { Line } from './consoleApi';
import { EdgeStatus } from './EdgeStatus';

/** Every line in a Garden table, each with its Edit button. */
export function LinesTable({ lines, onEdit }: { lines: Line[]; onEdit(line: Line): void }) {
  const { t } = useI18n();
  if (lines.length === 0) return <p>{t('console.lines.empty')}</p>;
  return (
    <Table>
      <Table.Caption className="visually-hidden">{t('console.lines.caption')}</Table.Caption>
      <Table.Head>
        <Table.HeaderRow>
          <Table.HeaderCell>{t('console.lines.name')}</Table.HeaderCell>
          <Table.HeaderCell>{t('console.lines.targets')}</Table.HeaderCell>
          <Table.HeaderCell>{t('console.lines.country')}</Table.HeaderCell>
          <Table.HeaderCell>{t('console.lines.tickets')}</Table.HeaderCell>
          <Table.HeaderCell>{t('console.lines.acl')}</Table.HeaderCell>
          <Table.HeaderCell>{t('console.lines.status')}</Table.HeaderCell>
          <Table.HeaderCell>{t('console.lines.edge')}</Table.HeaderCell>
          <Table.HeaderCell>{t('console.lines.actions')}</Table.HeaderCell>
        </Table.HeaderRow>
      </Table.Head>
      <Table.Body>
        {lines.map((line) => (
          <Table.Row key={line.slug}>
            <Table.Cell>
              {line.name}
              <br />
              <code>{line.slug}</code>
            </Table.Cell>
            <Table.Cell>
              {line.sip_targets.map((target) => (
                <code key={target} className="console-target">
                  {target}
                </code>
              ))}
            </Table.Cell>
            <Table.Cell>{line.default_country}</Table.Cell>
            <Table.Cell>
              {line.create_ticket
                ? t('console.lines.creates_tickets')
                : t('console.lines.no_tickets')}
            </Table.Cell>
            <Table.Cell>
              {line.acl.map((entry) => (
                <code key={entry.id} className="console-target">
                  {entry.cidr}
                  {entry.label ? ` (${entry.label})` : ''}
                </code>
              ))}
            </Table.Cell>
            <Table.Cell>
              <Tag hue={line.enabled ? 'green' : 'grey'}>
                {line.enabled ? t('console.lines.enabled') : t('console.lines.disabled')}
              </Tag>
            </Table.Cell>
            <Table.Cell>
              <EdgeStatus edge={line.edge} compact />
            </Table.Cell>
            <Table.Cell>
              <Button
                size="small"
                aria-label={t('console.lines.edit_line', { name: line.name })}
                onClick={() => onEdit(line)}
              >
                {t('console.lines.edit')}
              </Button>
            </Table.Cell>
          </Table.Row>
        ))}
      </Table.Body>
    </Table>
  );
}
