import { useMemo, useRef } from 'react';
import { CallCard } from '../components/CallCard';
import { EmptyState } from '../components/EmptyState';
import { ErrorState } from '../components/ErrorState';
import { LoadingState } from '../components/LoadingState';
import { PreviousCalls } from '../components/PreviousCalls';
import { useAutoResize } from '../hooks/useAutoResize';
import { useCallerHistory } from '../hooks/useCallerHistory';
import { useClient } from '../hooks/useClient';
import { useI18n } from '../hooks/useI18n';
import { useTicketCalls, type PollingOptions } from '../hooks/useTicketCalls';
import { useUserNames } from '../hooks/useUserNames';

/** The ticket sidebar: every SIP call linked to the ticket, newest first. */
export default function TicketSideBar({ polling }: { polling?: PollingOptions }) {
  const { client, zendeskUrl } = useClient();
  const { t } = useI18n();
  const root = useRef<HTMLElement>(null);
  const { state, retry, chooseCaller } = useTicketCalls(polling);
  useAutoResize(root);

  const calls = state.phase === 'ready' ? state.calls : [];
  const context = state.phase === 'ready' ? state.context : undefined;
  const { histories, load } = useCallerHistory(context);
  // Candidates carry names already; only plain matches need a lookup.
  const matchedIds = useMemo(
    () =>
      calls
        .filter((c) => c.caller.match === 'matched' && c.caller.user_id !== null)
        .filter((c) => !c.caller.candidates.some((u) => u.id === c.caller.user_id))
        .map((c) => c.caller.user_id as number),
    [calls],
  );
  const names = useUserNames(matchedIds);
  const openUser = (id: number) => void client.invoke('routeTo', 'user', id);
  const openTicket = (id: number) => void client.invoke('routeTo', 'ticket', id);

  return (
    <main ref={root} data-phase={state.phase}>
      <h1 className="visually-hidden">{t('ui.title')}</h1>
      {state.phase === 'loading' ? <LoadingState /> : null}
      {state.phase === 'no_ticket' || (state.phase === 'ready' && !calls.length) ? (
        <EmptyState />
      ) : null}
      {state.phase === 'error' ? (
        <ErrorState kind={state.error.kind} status={state.error.status} onRetry={retry} />
      ) : null}
      {calls.map((call) => (
        <CallCard
          key={call.call_id}
          call={call}
          userName={call.caller.user_id === null ? undefined : names.get(call.caller.user_id)}
          onOpenUser={openUser}
          zendeskUrl={zendeskUrl}
          onChooseCaller={chooseCaller}
        >
          {/* A withheld or unreadable number has no history to ask for. */}
          {context && call.caller.e164 ? (
            <PreviousCalls
              state={histories.get(call.call_id)}
              ticketId={context.ticketId}
              onLoad={() => load(call.call_id)}
              onOpenTicket={openTicket}
              zendeskUrl={zendeskUrl}
            />
          ) : null}
        </CallCard>
      ))}
    </main>
  );
}
