import { useI18n } from '../hooks/useI18n';
import { formatTime } from '../lib/format';
import type { CallRecord } from '../lib/types';
import { RuledList, Subtle } from './Facts';

export type TranscriptTurn = NonNullable<CallRecord['handoff']>['transcript'][number];

/**
 * The AI agent's transcript, turn by turn: the speaker in words, the time in the agent's locale,
 * the text as plain text. Its own chunk: loaded when the agent first opens it (Handoff.tsx).
 */
export default function Transcript({ turns }: { turns: TranscriptTurn[] }) {
  const { t, locale } = useI18n();
  return (
    <RuledList>
      {turns.map((turn, i) => (
        <li key={i} data-role={turn.role}>
          <Subtle>
            {t(`ui.handoff.role.${turn.role}`)}
            {turn.at ? (
              <>
                {' · '}
                <time dateTime={turn.at}>{formatTime(turn.at, locale)}</time>
              </>
            ) : null}
          </Subtle>
          <br />
          {turn.text}
        </li>
      ))}
    </RuledList>
  );
}
