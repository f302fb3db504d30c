import { useI18n } from '../hooks/useI18n';
import { sipMeaningKey } from '../lib/sipStatus';
import { Subtle } from './Facts';

export interface SipStatusProps {
  code: number | null;
  reason?: string | null;
}

/** A final SIP status with what it means for the agent: "487 · Caller hung up before answer". */
export function SipStatus({ code, reason }: SipStatusProps) {
  const { t } = useI18n();
  if (code === null) return <Subtle>{t('ui.call.not_known')}</Subtle>;
  return (
    <span data-sip-code={code}>
      <strong>{code}</strong> · {t(sipMeaningKey(code))}
      {reason ? <Subtle> ({reason})</Subtle> : null}
    </span>
  );
}
