import { useState } from 'react';
import styled from 'styled-components';
import { Button } from '@zendeskgarden/react-buttons';
import { useI18n } from '../hooks/useI18n';
import type { Candidate } from '../lib/types';
import { Nowrap, Subtle } from './Facts';

export type ChooseCaller = (candidate: Candidate) => Promise<void>;

const List = styled.ul`
  margin: 4px 0 0;
  padding: 0;
  list-style: none;

  & > li {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 4px 8px;
    padding: 4px 0;
  }

  & > li > span {
    flex: 1 1 140px;
  }
`;

/** The users who share the caller's number, each with "Set as requester". */
export function CandidateList({
  candidates,
  onChoose,
}: {
  candidates: Candidate[];
  /** Without it, the candidates are listed with no button (the console has no ticket to set). */
  onChoose?: ChooseCaller | undefined;
}) {
  const { t } = useI18n();
  const [pending, setPending] = useState<number>();
  const [message, setMessage] = useState('');

  const choose = async (candidate: Candidate) => {
    setPending(candidate.id);
    setMessage('');
    try {
      await onChoose!(candidate);
      setMessage(t('ui.caller.requester_set', { name: candidate.name }));
    } catch {
      setMessage(t('ui.caller.set_failed'));
    } finally {
      setPending(undefined);
    }
  };

  return (
    <>
      <Subtle>{t('ui.caller.ambiguous')}</Subtle>
      <List data-part="candidates">
        {candidates.map((c) => (
          <li key={c.id}>
            <span>
              {c.name}
              {c.phone_display ? (
                <Subtle>
                  {' · '}
                  <Nowrap>{c.phone_display}</Nowrap>
                </Subtle>
              ) : null}
            </span>
            {onChoose && (
              <Button
                size="small"
                disabled={pending !== undefined}
                onClick={() => void choose(c)}
                aria-label={`${t('ui.caller.set_requester')}: ${c.name}`}
              >
                {pending === c.id ? t('ui.caller.setting_requester') : t('ui.caller.set_requester')}
              </Button>
            )}
          </li>
        ))}
      </List>
      <div role="status">{message}</div>
    </>
  );
}
