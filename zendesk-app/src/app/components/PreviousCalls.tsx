import styled from 'styled-components';
import type { HistoryState } from '../hooks/useCallerHistory';
import { useI18n } from '../hooks/useI18n';
import { lazyPart, PartLoading } from './LazyPart';

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

/** While the calls are asked for, and while the list's code loads. */
function HistoryLoading() {
  const { t } = useI18n();
  return <PartLoading label={t('ui.history.loading')} />;
}

// Loaded when an agent first opens a "Previous calls" section, alongside the history itself.
const PreviousCallsList = lazyPart(() => import('./PreviousCallsList'), HistoryLoading);

/** "Previous calls" from the same number, collapsed under a call's details: opening it asks for them. */
export function PreviousCalls(props: PreviousCallsProps) {
  const { t } = useI18n();
  const { state } = props;
  return (
    <Details
      data-part="history"
      onToggle={(e) => {
        if (!e.currentTarget.open) return;
        PreviousCallsList.preload();
        props.onLoad();
      }}
    >
      <summary>{t('ui.history.title')}</summary>
      {!state || state.phase === 'loading' ? (
        <HistoryLoading />
      ) : (
        <PreviousCallsList {...props} state={state} />
      )}
    </Details>
  );
}
