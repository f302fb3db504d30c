import { useId, useState } from 'react';
import styled from 'styled-components';
import { Button } from '@zendeskgarden/react-buttons';
import { getColor } from '@zendeskgarden/react-theming';
import { SM } from '@zendeskgarden/react-typography';
import { useI18n } from '../hooks/useI18n';
import type { CallRecord } from '../lib/types';
import { Facts } from './Facts';
import { lazyPart, PartLoading } from './LazyPart';

type CallHandoff = NonNullable<CallRecord['handoff']>;

function TranscriptLoading() {
  const { t } = useI18n();
  return <PartLoading label={t('ui.handoff.transcript_loading')} />;
}

// Most agents never open a transcript: its code waits for the first that does.
const Transcript = lazyPart(() => import('./Transcript'), TranscriptLoading);

const Block = styled.section`
  margin: 8px 0 0;
  padding: 8px 0 0 10px;
  border-left: 2px solid ${(p) => getColor({ theme: p.theme, variable: 'border.primaryEmphasis' })};
  font-size: ${(p) => p.theme.fontSizes.sm};
  line-height: ${(p) => p.theme.lineHeights.sm};

  & p {
    margin: 4px 0 0;
  }

  & p,
  & li {
    white-space: pre-line;
    overflow-wrap: anywhere;
  }
`;

/** "en-US" as "English (United States)" in the agent's language; the code itself if unknown. */
function languageName(code: string, locale: string): string {
  try {
    return (
      new Intl.DisplayNames([locale], { type: 'language', languageDisplay: 'standard' }).of(code) ??
      code
    );
  } catch {
    return code;
  }
}

/**
 * What the AI agent handed over with the call: who (the vendor's key label), its summary, intent
 * and language, and the transcript collapsed under a disclosure button. All of it is the vendor's
 * text, rendered as text.
 */
export function Handoff({ handoff }: { handoff: CallHandoff }) {
  const { t, locale } = useI18n();
  const [open, setOpen] = useState(false);
  const id = useId();
  const turns = handoff.transcript;
  return (
    <Block aria-labelledby={`${id}-h`} data-part="handoff">
      <SM tag="h3" isBold id={`${id}-h`}>
        {t('ui.handoff.title', { label: handoff.key_label })}
      </SM>
      {handoff.summary ? <p data-part="handoff-summary">{handoff.summary}</p> : null}
      {handoff.intent || handoff.language ? (
        <Facts>
          {handoff.intent ? (
            <>
              <dt>{t('ui.handoff.intent')}</dt>
              <dd data-part="handoff-intent">{handoff.intent}</dd>
            </>
          ) : null}
          {handoff.language ? (
            <>
              <dt>{t('ui.handoff.language')}</dt>
              <dd data-part="handoff-language">{languageName(handoff.language, locale)}</dd>
            </>
          ) : null}
        </Facts>
      ) : null}
      {turns.length ? (
        <>
          <Button
            isLink
            size="small"
            aria-expanded={open}
            aria-controls={`${id}-t`}
            onClick={() => setOpen(!open)}
          >
            {t('ui.handoff.transcript', { count: turns.length })}
          </Button>
          <div id={`${id}-t`} hidden={!open} data-part="handoff-transcript">
            {open ? <Transcript turns={turns} /> : null}
          </div>
        </>
      ) : null}
    </Block>
  );
}
