import { useEffect, useRef } from 'react';
import { Anchor, Button } from '@zendeskgarden/react-buttons';
import { Table } from '@zendeskgarden/react-tables';
import { Tag } from '@zendeskgarden/react-tags';
import { useI18n } from '../hooks/useI18n';
import type { HangupState, LiveCall } from './liveCallsApi';

/** 65 → "1:05", 3725 → "1:02:05": a running call's clock. */
export function clockDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** Who is calling, in words: the number, or why there is none. */
export function useCallerText() {
  const { t } = useI18n();
  return (call: LiveCall) =>
    call.caller.e164 ??
    (call.caller.kind === 'withheld'
      ? t('console.live.withheld')
      : t('console.live.unknown_caller'));
}

/** A hang-up still on its way to Kamailio: the call must not be ended twice. */
export const isEnding = (h: HangupState | null) =>
  h !== null && (h.status === 'queued' || h.status === 'sent' || h.status === 'done');

interface Props {
  calls: LiveCall[];
  userNames: ReadonlyMap<number, string>;
  /** The call whose End button was pressed, waiting for the admin to confirm. */
  confirming: string | null;
  /** Calls whose hang-up request is being sent. */
  sending: ReadonlySet<string>;
  /** The account's Zendesk URL, for the user and ticket links (opened in Zendesk by `onOpen`). */
  zendeskUrl?: string;
  onOpen(kind: 'user' | 'ticket', id: number): void;
  onEnd(call: LiveCall): void;
  onConfirm(call: LiveCall): void;
  onCancel(): void;
}

/** The live calls in a Garden table, by line, each answered call with its End call button. */
export function LiveCallsTable(props: Props) {
  const { t } = useI18n();
  const callerText = useCallerText();
  const confirmRef = useRef<HTMLButtonElement>(null);
  // The confirmation takes focus, so a keyboard user answers it at once.
  useEffect(() => {
    if (props.confirming) confirmRef.current?.focus();
  }, [props.confirming]);

  if (props.calls.length === 0) return <p>{t('console.live.empty')}</p>;

  const link = (kind: 'user' | 'ticket', id: number, text: string) => (
    <Anchor
      href={`${props.zendeskUrl ?? ''}/agent/${kind}s/${id}`}
      onClick={(e) => {
        e.preventDefault();
        props.onOpen(kind, id);
      }}
    >
      {text}
    </Anchor>
  );
  const userCell = (call: LiveCall) => {
    const { result, user_id } = call.matched_user;
    if (user_id !== null) {
      const name = props.userNames.get(user_id) ?? t('console.live.user_id', { id: user_id });
      return link('user', user_id, name);
    }
    return result === 'ambiguous' ? t('console.live.ambiguous') : t('console.live.no_user');
  };
  const hangupText = (h: HangupState) =>
    h.status === 'failed'
      ? t('console.live.hangup.failed', { why: t(`console.live.failures.${h.failure ?? 'other'}`) })
      : t(`console.live.hangup.${h.status}`);

  return (
    <Table>
      <Table.Caption className="visually-hidden">{t('console.live.caption')}</Table.Caption>
      <Table.Head>
        <Table.HeaderRow>
          <Table.HeaderCell>{t('console.live.line')}</Table.HeaderCell>
          <Table.HeaderCell>{t('console.live.caller')}</Table.HeaderCell>
          <Table.HeaderCell>{t('console.live.user')}</Table.HeaderCell>
          <Table.HeaderCell>{t('console.live.ticket')}</Table.HeaderCell>
          <Table.HeaderCell>{t('console.live.state')}</Table.HeaderCell>
          <Table.HeaderCell>{t('console.live.duration')}</Table.HeaderCell>
          <Table.HeaderCell>{t('console.live.actions')}</Table.HeaderCell>
        </Table.HeaderRow>
      </Table.Head>
      <Table.Body>
        {props.calls.map((call) => {
          const caller = callerText(call);
          const ending = isEnding(call.hangup) || props.sending.has(call.call_id);
          return (
            <Table.Row key={call.call_id}>
              <Table.Cell>
                <code>{call.line}</code>
              </Table.Cell>
              <Table.Cell>{caller}</Table.Cell>
              <Table.Cell>{userCell(call)}</Table.Cell>
              <Table.Cell>
                {call.ticket_id === null
                  ? t('console.live.no_ticket')
                  : link(
                      'ticket',
                      call.ticket_id,
                      t('console.live.ticket_id', { id: call.ticket_id }),
                    )}
              </Table.Cell>
              <Table.Cell>
                <Tag hue={call.status === 'answered' ? 'green' : 'blue'}>
                  {t(`console.live.${call.status}`)}
                </Tag>
                {call.hangup ? <div className="console-note">{hangupText(call.hangup)}</div> : null}
              </Table.Cell>
              <Table.Cell>
                {call.duration_s === null ? '' : clockDuration(call.duration_s)}
              </Table.Cell>
              <Table.Cell>
                {call.status !== 'answered' || ending ? null : props.confirming === call.call_id ? (
                  <div
                    className="console-confirm"
                    role="group"
                    aria-label={t('console.live.confirm', { caller })}
                  >
                    <span className="console-note">{t('console.live.confirm', { caller })}</span>
                    <Button
                      ref={confirmRef}
                      isDanger
                      size="small"
                      onClick={() => props.onConfirm(call)}
                    >
                      {t('console.live.confirm_end')}
                    </Button>
                    <Button size="small" onClick={props.onCancel}>
                      {t('console.live.keep')}
                    </Button>
                  </div>
                ) : (
                  // The name holds the visible text, and says whose call it ends.
                  <Button
                    isDanger
                    size="small"
                    aria-label={t('console.live.end_label', { caller })}
                    onClick={() => props.onEnd(call)}
                  >
                    {t('console.live.end')}
                  </Button>
                )}
              </Table.Cell>
            </Table.Row>
          );
        })}
      </Table.Body>
    </Table>
  );
}
