import { Field, Fieldset, Input, Select } from '@zendeskgarden/react-forms';
import { LINE_LIMITS, ROUTING_LIMITS, type RoutingMode } from '@sip-bridge/contract/line-limits';
import { useI18n } from '../hooks/useI18n';
import type { CarrierDraft } from './carrierOptions';
import { FieldError } from './FieldError';
import type { SectionProps } from './sectionProps';

type NumberKey = 'maxCps' | 'maxCreations' | 'maxConcurrent' | 'noRingbackMs' | 'noAnswerMs';

/** The line's routing (target order, timers) and limits (concurrent calls, CPS, creations). */
export function RoutingSection({ carrier, problems, onChange }: SectionProps) {
  const { t } = useI18n();
  const number = (
    key: NumberKey,
    field: string,
    label: string,
    bounds: { min: number; max: number; default: number },
  ) => (
    <Field>
      <Field.Label>{t(`console.routing.${label}`)}</Field.Label>
      <Field.Hint>
        {t(`console.routing.${label}_hint`, {
          min: bounds.min,
          max: bounds.max,
          default: bounds.default,
        })}
      </Field.Hint>
      <Input
        value={carrier[key]}
        inputMode="numeric"
        autoComplete="off"
        className="console-number"
        validation={problems[field] ? 'error' : undefined}
        onChange={(e) => onChange({ [key]: e.target.value } as Partial<CarrierDraft>, field)}
      />
      <FieldError problem={problems[field]} />
    </Field>
  );
  return (
    <Fieldset>
      <Fieldset.Legend>{t('console.routing.title')}</Fieldset.Legend>
      <Field>
        <Field.Label>{t('console.routing.mode')}</Field.Label>
        <Select
          value={carrier.routingMode}
          onChange={(e) => onChange({ routingMode: e.target.value as RoutingMode }, 'routing.mode')}
        >
          <option value="sequential">{t('console.routing.mode_sequential')}</option>
          <option value="round_robin">{t('console.routing.mode_round_robin')}</option>
        </Select>
        <FieldError problem={problems['routing.mode']} />
      </Field>
      {number(
        'noRingbackMs',
        'routing.no_ringback_ms',
        'no_ringback',
        ROUTING_LIMITS.no_ringback_ms,
      )}
      {number('noAnswerMs', 'routing.no_answer_ms', 'no_answer', ROUTING_LIMITS.no_answer_ms)}
      {number(
        'maxConcurrent',
        'routing.max_concurrent_calls',
        'max_concurrent',
        ROUTING_LIMITS.max_concurrent_calls,
      )}
      {number('maxCps', 'max_cps', 'max_cps', LINE_LIMITS.max_cps)}
      {number(
        'maxCreations',
        'max_creations_per_minute',
        'max_creations',
        LINE_LIMITS.max_creations_per_minute,
      )}
    </Fieldset>
  );
}
