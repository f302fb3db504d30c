import { useState, type FormEvent } from 'react';
import { Button } from '@zendeskgarden/react-buttons';
import {
  Checkbox,
  Field,
  Fieldset,
  Input,
  Select,
  Textarea,
  Toggle,
} from '@zendeskgarden/react-forms';
import { Alert } from '@zendeskgarden/react-notifications';
import { MD } from '@zendeskgarden/react-typography';
import { useI18n } from '../hooks/useI18n';
import { AclEditor } from './AclEditor';
import { CallerAuthSection } from './CallerAuthSection';
import type { CarrierDraft } from './carrierOptions';
import { MediaSection } from './MediaSection';
import { RoutingSection } from './RoutingSection';
import { FieldError, useProblemText } from './FieldError';
import { draftProblems, type FieldProblems, type LineDraft } from './lineForm';

interface Props {
  initial: LineDraft;
  /** True for a new line (the slug is typed). */
  creating: boolean;
  /** The Worker's refusals of the last save, by field (see lineForm.issuesByField). */
  serverProblems: FieldProblems;
  saving: boolean;
  onSave(draft: LineDraft): void;
  onCancel(): void;
}

const REQUIRED = 'console.form.errors.required';

/**
 * Create or edit a line. What the form can check is shown as the admin types (a missing field only
 * once they try to save); what the Worker refuses is shown beside the field it names.
 */
export function LineForm({ initial, creating, serverProblems, saving, onSave, onCancel }: Props) {
  const { t } = useI18n();
  const text = useProblemText();
  const [draft, setDraft] = useState(initial);
  const [submitted, setSubmitted] = useState(false);
  // A field the admin changed since the Worker refused it shows the form's own verdict instead.
  const [edited, setEdited] = useState<Set<string>>(new Set());

  const local = draftProblems(draft, creating);
  const shown: FieldProblems = {};
  for (const [field, problem] of Object.entries(serverProblems)) {
    if (!edited.has(field)) shown[field] = problem;
  }
  for (const [field, problem] of Object.entries(local)) {
    if (submitted || !('key' in problem) || problem.key !== REQUIRED) shown[field] = problem;
  }

  const set = <K extends keyof LineDraft>(key: K, field: string, value: LineDraft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setEdited((e) => new Set(e).add(field));
  };
  const setCarrier = (patch: Partial<CarrierDraft>, field: string) => {
    setDraft((d) => ({ ...d, carrier: { ...d.carrier, ...patch } }));
    setEdited((e) => new Set(e).add(field));
  };
  const sections = { carrier: draft.carrier, problems: shown, onChange: setCarrier };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    setEdited(new Set());
    if (Object.keys(local).length === 0) onSave(draft);
  };
  const validation = (field: string) => (shown[field] ? ('error' as const) : undefined);
  const general = shown[''];

  return (
    <form className="console-form" onSubmit={submit} noValidate>
      <MD isBold tag="h2">
        {creating
          ? t('console.form.new_title')
          : t('console.form.edit_title', { name: initial.name })}
      </MD>
      {submitted && Object.keys(shown).length > 0 ? (
        <Alert type="error" role="alert">
          <Alert.Paragraph>{general ? text(general) : t('console.form.not_saved')}</Alert.Paragraph>
        </Alert>
      ) : null}
      {creating ? (
        <Field>
          <Field.Label>{t('console.form.slug')}</Field.Label>
          <Field.Hint>{t('console.form.slug_hint')}</Field.Hint>
          <Input
            value={draft.slug}
            spellCheck={false}
            autoComplete="off"
            maxLength={64}
            validation={validation('slug')}
            onChange={(e) => set('slug', 'slug', e.target.value)}
          />
          <FieldError problem={shown.slug} />
        </Field>
      ) : null}
      <Field>
        <Field.Label>{t('console.form.name')}</Field.Label>
        <Input
          value={draft.name}
          maxLength={100}
          validation={validation('name')}
          onChange={(e) => set('name', 'name', e.target.value)}
        />
        <FieldError problem={shown.name} />
      </Field>
      <Field>
        <Field.Label>{t('console.form.sip_targets')}</Field.Label>
        <Field.Hint>{t('console.form.sip_targets_hint')}</Field.Hint>
        <Textarea
          value={draft.sipTargets}
          minRows={2}
          spellCheck={false}
          placeholder="sip:acme@acme.sip.twilio.com"
          validation={validation('sip_targets')}
          onChange={(e) => set('sipTargets', 'sip_targets', e.target.value)}
        />
        <FieldError problem={shown.sip_targets} />
      </Field>
      <Field>
        <Field.Label>{t('console.form.default_country')}</Field.Label>
        <Field.Hint>{t('console.form.default_country_hint')}</Field.Hint>
        <Input
          value={draft.defaultCountry}
          maxLength={2}
          autoComplete="off"
          className="console-country"
          validation={validation('default_country')}
          onChange={(e) => set('defaultCountry', 'default_country', e.target.value.toUpperCase())}
        />
        <FieldError problem={shown.default_country} />
      </Field>
      <Fieldset>
        <Fieldset.Legend>{t('console.form.ticket_policy')}</Fieldset.Legend>
        <Field>
          <Checkbox
            checked={draft.createTicket}
            onChange={(e) => set('createTicket', 'create_ticket', e.target.checked)}
          >
            <Field.Label>{t('console.form.create_ticket')}</Field.Label>
          </Checkbox>
          <FieldError problem={shown.create_ticket} />
        </Field>
        <Field>
          <Field.Label>{t('console.form.invalid_ticket')}</Field.Label>
          <Select
            value={draft.invalidTicket}
            onChange={(e) =>
              set('invalidTicket', 'invalid_ticket', e.target.value as LineDraft['invalidTicket'])
            }
          >
            <option value="drop">{t('console.form.invalid_ticket_drop')}</option>
            <option value="reject">{t('console.form.invalid_ticket_reject')}</option>
          </Select>
          <FieldError problem={shown.invalid_ticket} />
        </Field>
      </Fieldset>
      <AclEditor
        rows={draft.acl}
        problems={shown}
        onChange={(acl) => {
          setDraft((d) => ({ ...d, acl }));
          // Rows move when one is removed: the Worker's verdicts on them no longer apply.
          setEdited(
            (e) =>
              new Set([...e, ...Object.keys(serverProblems).filter((f) => f.startsWith('acl['))]),
          );
        }}
      />
      <Field>
        <Toggle
          checked={draft.enabled}
          onChange={(e) => set('enabled', 'enabled', e.target.checked)}
        >
          <Field.Label>{t('console.form.enabled')}</Field.Label>
        </Toggle>
        <Field.Hint>{t('console.form.enabled_hint')}</Field.Hint>
      </Field>
      <MediaSection {...sections} />
      <RoutingSection {...sections} />
      <CallerAuthSection {...sections} />
      <div className="console-actions">
        <Button type="submit" isPrimary disabled={saving}>
          {saving ? t('console.form.saving') : t('console.form.save')}
        </Button>
        <Button isBasic onClick={onCancel}>
          {t('console.form.cancel')}
        </Button>
      </div>
    </form>
  );
}
