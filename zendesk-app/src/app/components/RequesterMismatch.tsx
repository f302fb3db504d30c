import styled from 'styled-components';
import { Alert } from '@zendeskgarden/react-notifications';
import { useI18n } from '../hooks/useI18n';
import type { CallRecord } from '../lib/types';

// A second description of the "Ticket link" term, across both columns of the Facts grid.
const FullWidth = styled.dd`
  grid-column: 1 / -1;
  margin: 4px 0;
`;

/**
 * Warns that the passed ticket's requester is not the caller (`ticket.requester_mismatch`).
 * Renders nothing when the flag is false, null (could not be told) or absent (older API).
 * Place it inside `Facts`, after the ticket link.
 */
export function RequesterMismatch({ ticket }: { ticket: CallRecord['ticket'] }) {
  const { t } = useI18n();
  if (ticket.requester_mismatch !== true) return null;
  // Dropped: this call sits on another ticket, so name the passed one instead of "this ticket".
  const dropped = ticket.link === 'dropped';
  const id = ticket.passed_id ?? '';
  return (
    <FullWidth data-part="requester-mismatch">
      <Alert type="warning">
        <Alert.Title>
          {t(`ui.requester_mismatch.${dropped ? 'dropped_title' : 'title'}`, { id })}
        </Alert.Title>
        {t(`ui.requester_mismatch.${dropped ? 'dropped_body' : 'body'}`, { id })}
      </Alert>
    </FullWidth>
  );
}
