import { Anchor } from '@zendeskgarden/react-buttons';
import { useI18n } from '../hooks/useI18n';
import type { CallRecord } from '../lib/types';
import { CandidateList, type ChooseCaller } from './CandidateList';
import { Mono, Nowrap, Subtle } from './Facts';

export interface CallerIdentityProps {
  caller: CallRecord['caller'];
  /** The SIP From, shown when the number was not usable. */
  from: string;
  /** Name of the matched user when known (candidates carry theirs). */
  userName?: string | undefined;
  onOpenUser: (userId: number) => void;
  /** The account's Zendesk URL, so the user link also works opened in a new tab. */
  zendeskUrl?: string | undefined;
  onChoose?: ChooseCaller | undefined;
}

function CallerNumber({ caller, from }: Pick<CallerIdentityProps, 'caller' | 'from'>) {
  const { t } = useI18n();
  if (caller.kind === 'withheld') return <span data-part="number">{t('ui.caller.withheld')}</span>;
  if (!caller.e164)
    return (
      <span data-part="number">
        {t('ui.caller.invalid')} <Mono>{from}</Mono>
      </span>
    );
  return (
    <span data-part="number">
      <Nowrap>
        <strong>{caller.display ?? caller.e164}</strong>
      </Nowrap>{' '}
      <Mono>({caller.e164})</Mono>
    </span>
  );
}

/** Who called: the number for people and in E.164, and the matched, missing or ambiguous user. */
export function CallerIdentity({
  caller,
  from,
  userName,
  onOpenUser,
  onChoose,
  zendeskUrl = '',
}: CallerIdentityProps) {
  const { t } = useI18n();
  const matchedName =
    userName ?? caller.candidates.find((c) => c.id === caller.user_id)?.name ?? undefined;
  return (
    <div data-part="caller" data-match={caller.match}>
      <CallerNumber caller={caller} from={from} />
      <div>
        {caller.match === 'matched' && caller.user_id !== null ? (
          <>
            <Subtle>{t('ui.caller.matched')}: </Subtle>
            <Anchor
              href={`${zendeskUrl}/agent/users/${caller.user_id}`}
              onClick={(e) => {
                e.preventDefault();
                onOpenUser(caller.user_id as number);
              }}
            >
              {matchedName ?? t('ui.caller.user_fallback', { id: caller.user_id })}
            </Anchor>
          </>
        ) : caller.match === 'no_match' ? (
          <Subtle>{t('ui.caller.no_match')}</Subtle>
        ) : caller.match === 'unavailable' ? (
          <Subtle>{t('ui.caller.unavailable')}</Subtle>
        ) : caller.match === 'ambiguous' ? (
          <CandidateList candidates={caller.candidates} onChoose={onChoose} />
        ) : null}
      </div>
    </div>
  );
}
