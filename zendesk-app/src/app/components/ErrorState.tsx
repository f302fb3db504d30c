import { Button } from '@zendeskgarden/react-buttons';
import { Alert } from '@zendeskgarden/react-notifications';
import styled from 'styled-components';
import { useI18n } from '../hooks/useI18n';
import type { BridgeFailureKind } from '../lib/bridgeRequest';

const Actions = styled.div`
  margin-top: 12px;
`;

export interface ErrorStateProps {
  kind: BridgeFailureKind;
  status: number;
  onRetry: () => void;
}

/**
 * The bridge could not be asked, or would not answer this agent: says which setting to check, to
 * sign in again, or that Zendesk does not let the agent see the ticket; with a Retry button.
 */
export function ErrorState({ kind, status, onRetry }: ErrorStateProps) {
  const { t } = useI18n();
  return (
    <div data-state="error" data-error-kind={kind}>
      <Alert
        type={kind === 'unexpected' || kind === 'not_permitted' ? 'warning' : 'error'}
        role="alert"
      >
        <Alert.Title>{t(`ui.error.${kind}.title`)}</Alert.Title>
        {t(`ui.error.${kind}.body`, { status })}
      </Alert>
      <Actions>
        <Button size="small" onClick={onRetry}>
          {t('ui.error.retry')}
        </Button>
      </Actions>
    </div>
  );
}
