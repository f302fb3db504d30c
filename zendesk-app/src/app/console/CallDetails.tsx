import { useEffect, useMemo, useRef, useState } from 'react';
import { Button } from '@zendeskgarden/react-buttons';
import { Dots } from '@zendeskgarden/react-loaders';
import { Alert } from '@zendeskgarden/react-notifications';
import { LG } from '@zendeskgarden/react-typography';
import { CallCard } from '../components/CallCard';
import { useClient } from '../hooks/useClient';
import { useI18n } from '../hooks/useI18n';
import { useUserNames } from '../hooks/useUserNames';
import type { CallRecord } from '../lib/types';
import { showCall } from './callLogApi';
import type { ConsoleTarget } from './consoleApi';
import { useFailureText } from './useFailureText';

/**
 * One call's details, drawn by the sidebar's own CallCard from `GET /v1/console/calls/{call_id}`
 * (the record the sidebar gets). The heading takes the focus when it opens; Close gives it back.
 */
export function CallDetails({
  target,
  callId,
  onClose,
  onFindCaller,
}: {
  target: ConsoleTarget;
  callId: string;
  onClose: () => void;
  /** Searches the log for the caller's number (where the sidebar lists previous calls). */
  onFindCaller: (e164: string) => void;
}) {
  const { t } = useI18n();
  const { client, zendeskUrl } = useClient();
  const failureText = useFailureText();
  const [call, setCall] = useState<CallRecord | null>(null);
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let live = true;
    setCall(null);
    setError(null);
    heading.current?.focus();
    showCall(target, callId).then(
      (found) => live && setCall(found),
      (e: unknown) => live && setError(failureText(e)),
    );
    return () => {
      live = false;
    };
    // failureText only reads the translator, which does not change while the page is open.
  }, [target, callId]);

  const userId = call?.caller.match === 'matched' ? call.caller.user_id : null;
  const ids = useMemo(() => (userId === null ? [] : [userId]), [userId]);
  const names = useUserNames(ids);

  return (
    <section className="console-call" aria-labelledby="console-call-title" data-part="details">
      <div className="console-heading">
        <LG tag="h2" isBold id="console-call-title" ref={heading} tabIndex={-1}>
          {t('console.calls.details')}
        </LG>
        <Button onClick={onClose}>{t('console.calls.close')}</Button>
      </div>
      {error ? (
        <Alert type="error" role="alert">
          <Alert.Paragraph>{error}</Alert.Paragraph>
        </Alert>
      ) : call ? (
        <CallCard
          call={call}
          userName={userId === null ? undefined : names.get(userId)}
          onOpenUser={(id) => void client.invoke('routeTo', 'user', id)}
          zendeskUrl={zendeskUrl}
        >
          {call.caller.e164 ? (
            <Button isLink onClick={() => onFindCaller(call.caller.e164!)} data-part="same-caller">
              {t('console.calls.same_caller')}
            </Button>
          ) : null}
        </CallCard>
      ) : (
        <Dots aria-label={t('console.calls.loading_details')} />
      )}
    </section>
  );
}
