import { useEffect, useRef, useState } from 'react';
import { Dots } from '@zendeskgarden/react-loaders';
import { Alert } from '@zendeskgarden/react-notifications';
import { XL } from '@zendeskgarden/react-typography';
import { useClient } from '../hooks/useClient';
import { useI18n } from '../hooks/useI18n';
import { useUserNames } from '../hooks/useUserNames';
import { ConsoleError, type ConsoleTarget } from './consoleApi';
import { endLiveCall, type LiveCall } from './liveCallsApi';
import { LiveCallsTable, useCallerText } from './LiveCallsTable';
import { useFailureText } from './useFailureText';
import { LIVE_REFRESH_MS, useLiveCalls } from './useLiveCalls';

/** The Worker's refusals of a hang-up that have their own sentence (`console.live.errors`). */
const HANGUP_ERRORS = new Set([
  'call_not_found',
  'call_not_live',
  'call_not_answered',
  'hangup_already_requested',
]);

/**
 * The Live calls page: the calls in progress, refreshed every few seconds, and an End call button
 * with a confirmation. What became of an admin's hang-up is announced in a polite live region.
 */
export default function LiveCallsPage({
  target,
  refreshMs = LIVE_REFRESH_MS,
}: {
  target: ConsoleTarget;
  refreshMs?: number;
}) {
  const { t } = useI18n();
  const { zendeskUrl } = useClient();
  const failureText = useFailureText();
  const callerText = useCallerText();
  const { calls, error, refresh } = useLiveCalls(target, refreshMs);
  const userNames = useUserNames(
    (calls ?? []).flatMap((c) => (c.matched_user.user_id === null ? [] : [c.matched_user.user_id])),
  );
  const [confirming, setConfirming] = useState<string | null>(null);
  const [sending, setSending] = useState<ReadonlySet<string>>(new Set());
  const [announcement, setAnnouncement] = useState('');
  // Hang-ups this admin asked for, by Call-ID, with the caller as shown: followed until settled.
  const followed = useRef(new Map<string, string>());

  useEffect(() => {
    if (!calls) return;
    for (const [callId, caller] of followed.current) {
      const call = calls.find((c) => c.call_id === callId);
      const status = call?.hangup?.status;
      if (!call || status === 'done') {
        setAnnouncement(t('console.live.announce.done', { caller }));
      } else if (status === 'failed') {
        const why = t(`console.live.failures.${call.hangup?.failure ?? 'other'}`);
        setAnnouncement(t('console.live.announce.failed', { caller, why }));
      } else if (status === 'expired') {
        setAnnouncement(t('console.live.announce.expired', { caller }));
      } else continue;
      followed.current.delete(callId);
    }
  }, [calls, t]);

  const confirm = async (call: LiveCall) => {
    const caller = callerText(call);
    setConfirming(null);
    setSending((s) => new Set(s).add(call.call_id));
    try {
      await endLiveCall(target, call.call_id);
      followed.current.set(call.call_id, caller);
      setAnnouncement(t('console.live.announce.requested', { caller }));
    } catch (e) {
      const code = e instanceof ConsoleError ? e.code : '';
      setAnnouncement(HANGUP_ERRORS.has(code) ? t(`console.live.errors.${code}`) : failureText(e));
    } finally {
      setSending((s) => {
        const next = new Set(s);
        next.delete(call.call_id);
        return next;
      });
      void refresh();
    }
  };

  return (
    <section className="console-live" aria-labelledby="console-live-title">
      <div className="console-heading">
        <XL tag="h1" id="console-live-title">
          {t('console.live.title')}
        </XL>
      </div>
      <p role="status" aria-live="polite" className="console-note">
        {announcement}
      </p>
      {error ? (
        <Alert type="error" role="alert">
          <Alert.Paragraph>{failureText(error)}</Alert.Paragraph>
        </Alert>
      ) : null}
      {calls ? (
        <LiveCallsTable
          calls={calls}
          userNames={userNames}
          confirming={confirming}
          sending={sending}
          zendeskUrl={zendeskUrl}
          onOpen={(kind, id) => void target.client.invoke('routeTo', kind, id)}
          onEnd={(call) => setConfirming(call.call_id)}
          onConfirm={(call) => void confirm(call)}
          onCancel={() => setConfirming(null)}
        />
      ) : error ? null : (
        <Dots aria-label={t('console.live.loading')} />
      )}
    </section>
  );
}
