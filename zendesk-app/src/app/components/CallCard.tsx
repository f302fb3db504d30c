import type { ReactNode } from 'react';
import styled from 'styled-components';
import { Alert } from '@zendeskgarden/react-notifications';
import { Tag } from '@zendeskgarden/react-tags';
import { getColor } from '@zendeskgarden/react-theming';
import { MD, SM } from '@zendeskgarden/react-typography';
import { useI18n } from '../hooks/useI18n';
import { formatDateTime, formatDuration, formatUsd } from '../lib/format';
import { isInProgress } from '../lib/parseCalls';
import type { CallRecord, CallStatus } from '../lib/types';
import { CallerIdentity } from './CallerIdentity';
import type { ChooseCaller } from './CandidateList';
import { CopyButton } from './CopyButton';
import { Facts, Mono, Subtle } from './Facts';
import { Handoff } from './Handoff';
import { RequesterMismatch } from './RequesterMismatch';
import { SipStatus } from './SipStatus';
import { Timeline } from './Timeline';

const Card = styled.article`
  padding: 12px 0;
  border-bottom: 1px solid ${(p) => getColor({ theme: p.theme, variable: 'border.default' })};
`;

const Header = styled.header`
  display: flex;
  align-items: center;
  gap: 8px;
  margin-bottom: 8px;

  & > :first-child {
    flex-shrink: 0;
  }
`;

const Notice = styled.div`
  margin: 8px 0;
`;

const HUES: Record<CallStatus, string> = {
  ringing: 'blue',
  answered: 'blue',
  completed: 'green',
  failed: 'red',
  cancelled: 'grey',
  rejected: 'red',
};

/** A ticket dropped for its requester says so, rather than "invalid". */
const ticketLinkKey = ({ link, requester_mismatch }: CallRecord['ticket']) =>
  link === 'dropped' && requester_mismatch === true ? 'dropped_mismatch' : link;

export interface CallCardProps {
  call: CallRecord;
  userName?: string | undefined;
  onOpenUser: (userId: number) => void;
  zendeskUrl?: string | undefined;
  /** Sets an ambiguous caller's candidate as requester; without it (the console) none is offered. */
  onChooseCaller?: (callId: string, userId: number) => Promise<void>;
  /** Shown last, under the details: the caller's previous calls. */
  children?: ReactNode;
}

/**
 * One SIP call on the ticket: caller, the AI agent's handoff if any, decision, line and carrier,
 * outcome, timeline, SIP facts.
 */
export function CallCard({
  call,
  userName,
  onOpenUser,
  onChooseCaller,
  zendeskUrl,
  children,
}: CallCardProps) {
  const { t, locale } = useI18n();
  const choose: ChooseCaller = (candidate) => onChooseCaller!(call.call_id, candidate.id);
  const { source, sip, decision } = call;
  const carrier = `${source.ip}${source.port ? `:${source.port}` : ''}${source.transport ? ` (${source.transport.toUpperCase()})` : ''}`;
  const headingId = `call-${call.call_id.replace(/[^A-Za-z0-9_-]/g, '_')}`;

  return (
    <Card aria-labelledby={headingId} data-call-id={call.call_id} data-status={call.status}>
      <Header>
        <Tag hue={HUES[call.status]} size="small">
          {t(`ui.call.status.${call.status}`)}
        </Tag>
        <MD tag="h2" isBold id={headingId}>
          {t('ui.call.heading', { time: formatDateTime(call.timeline.received_at, locale) })}
        </MD>
      </Header>
      {isInProgress(call) ? <SM data-part="live">{t('ui.call.in_progress')}</SM> : null}
      {decision.action === 'reject' ? (
        <Notice>
          <Alert type="error" data-part="reject">
            <Alert.Title>
              {t('ui.call.rejected', { code: decision.code ?? '', reason: decision.reason ?? '' })}
            </Alert.Title>
            {decision.code !== null ? <SipStatus code={decision.code} /> : null}
          </Alert>
        </Notice>
      ) : null}
      {decision.degraded.length ? (
        <Notice>
          <Alert type="warning">
            {t('ui.call.degraded', { steps: decision.degraded.join(', ') })}
          </Alert>
        </Notice>
      ) : null}
      <CallerIdentity
        caller={call.caller}
        from={sip.from}
        userName={userName}
        onOpenUser={onOpenUser}
        zendeskUrl={zendeskUrl}
        onChoose={onChooseCaller && choose}
      />
      {call.handoff ? <Handoff handoff={call.handoff} /> : null}
      <Facts>
        <dt>{t('ui.call.line')}</dt>
        <dd data-part="line">{call.line}</dd>
        {call.route_rule ? (
          <>
            <dt>{t('ui.call.routing')}</dt>
            <dd data-part="route-rule">
              {t('ui.call.route_rule', { name: call.route_rule.name })}
            </dd>
          </>
        ) : null}
        <dt>{t('ui.call.carrier')}</dt>
        <dd data-part="carrier">
          <Mono>{carrier}</Mono>
          {source.acl_entry ? (
            <Subtle>, {t('ui.call.acl_entry', { entry: source.acl_entry })}</Subtle>
          ) : null}
        </dd>
        <dt>{t('ui.call.ticket_link')}</dt>
        <dd data-part="ticket-link">
          {t(`ui.link.${ticketLinkKey(call.ticket)}`, { id: call.ticket.passed_id ?? '' })}
        </dd>
        <RequesterMismatch ticket={call.ticket} />
        <dt>{t('ui.call.final_status')}</dt>
        <dd data-part="final-status">
          <SipStatus code={call.final.code} reason={call.final.reason} />
        </dd>
        <dt>{t('ui.call.duration')}</dt>
        <dd data-part="duration">
          {call.duration_s === null || !call.timeline.answered_at ? (
            <Subtle>—</Subtle>
          ) : (
            formatDuration(call.duration_s, locale)
          )}
        </dd>
        <dt>{t('ui.call.cost')}</dt>
        <dd data-part="cost">
          {call.cost.usd === null ? <Subtle>—</Subtle> : formatUsd(call.cost.usd, locale)}
        </dd>
      </Facts>
      <Timeline timeline={call.timeline} endedBy={call.final.ended_by} />
      <Facts aria-label={t('ui.call.sip_details')}>
        <dt>{t('ui.call.from')}</dt>
        <dd>
          <Mono>{sip.from}</Mono>
        </dd>
        <dt>{t('ui.call.to')}</dt>
        <dd>
          <Mono>{sip.to}</Mono>
        </dd>
        <dt>{t('ui.call.request_uri')}</dt>
        <dd>
          <Mono>{sip.request_uri}</Mono>
        </dd>
        <dt>{t('ui.call.call_id')}</dt>
        <dd data-part="call-id">
          <Mono>{call.call_id}</Mono> <CopyButton text={call.call_id} what={t('ui.call.call_id')} />
        </dd>
        <dt>{t('ui.call.codecs')}</dt>
        <dd data-part="codecs">
          {call.codecs.length ? call.codecs.join(', ') : t('ui.call.no_codecs')}
        </dd>
      </Facts>
      {children}
    </Card>
  );
}
