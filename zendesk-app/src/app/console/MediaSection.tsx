import { Field, Fieldset, Select } from '@zendeskgarden/react-forms';
import type { LineMedia } from '@sip-bridge/contract/line-media';
import { useI18n } from '../hooks/useI18n';
import { FieldError } from './FieldError';
import type { SectionProps } from './sectionProps';

/** Plain RTP, or secure media (TLS and SDES SRTP on both legs, so TLS targets only). */
export function MediaSection({ carrier, problems, onChange }: SectionProps) {
  const { t } = useI18n();
  return (
    <Fieldset>
      <Fieldset.Legend>{t('console.media.title')}</Fieldset.Legend>
      <Field>
        <Field.Label>{t('console.media.label')}</Field.Label>
        <Field.Hint>{t('console.media.hint')}</Field.Hint>
        <Select
          value={carrier.media}
          validation={problems.media ? 'error' : undefined}
          onChange={(e) => onChange({ media: e.target.value as LineMedia }, 'media')}
        >
          <option value="rtp">{t('console.media.rtp')}</option>
          <option value="secure">{t('console.media.secure')}</option>
        </Select>
        <FieldError problem={problems.media} />
      </Field>
    </Fieldset>
  );
}
