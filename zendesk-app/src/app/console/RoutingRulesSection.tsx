// A line's routing rules in its Edit view (its own chunk: RoutingRulesPart.tsx): the ordered list,
// each rule's conditions and targets, the rules' time zone; saved apart from the line, with one PUT.
import { useEffect, useState, type FormEvent } from 'react';
import { Button } from '@zendeskgarden/react-buttons';
import { Checkbox, Field, Fieldset, Input, Textarea } from '@zendeskgarden/react-forms';
import { Dots } from '@zendeskgarden/react-loaders';
import { Alert } from '@zendeskgarden/react-notifications';
import { MD } from '@zendeskgarden/react-typography';
import { CALLER_KINDS, ROUTING_RULE_LIMITS, WEEKDAYS } from '@sip-bridge/contract/routing-rules';
import type { LineMedia } from '@sip-bridge/contract/line-media';
import { useI18n } from '../hooks/useI18n';
import { ConsoleError, type ConsoleTarget } from './consoleApi';
import { FieldError } from './FieldError';
import type { FieldProblems } from './lineForm';
import {
  emptyRule,
  emptyWindow,
  moveRule,
  rulesBody,
  rulesDraftOf,
  rulesIssuesByField,
  rulesProblems,
  type RuleDraft,
  type RulesDraft,
  type WindowDraft,
} from './routingRules';
import { getRoutingRules, putRoutingRules } from './routingRulesApi';

export interface RoutingRulesProps {
  target: ConsoleTarget;
  slug: string;
  /** The line's media as saved: on a secure line every rule's target must be over TLS. */
  media: LineMedia;
  /** The rules were saved (the line's state at the edge changes). */
  onChanged(): void;
}

function WindowRow({
  window: w,
  at,
  problems,
  onChange,
  onRemove,
}: {
  window: WindowDraft;
  at: string;
  problems: FieldProblems;
  onChange(next: WindowDraft): void;
  onRemove(): void;
}) {
  const { t } = useI18n();
  return (
    <li className="console-rule-window">
      <Fieldset>
        <Fieldset.Legend>{t('console.rules.days')}</Fieldset.Legend>
        <div className="console-rule-days">
          {WEEKDAYS.map((day) => (
            <Field key={day}>
              <Checkbox
                checked={w.days.includes(day)}
                onChange={(e) =>
                  onChange({
                    ...w,
                    days: e.target.checked
                      ? WEEKDAYS.filter((d) => d === day || w.days.includes(d))
                      : w.days.filter((d) => d !== day),
                  })
                }
              >
                <Field.Label>{t(`console.rules.day_${day}`)}</Field.Label>
              </Checkbox>
            </Field>
          ))}
        </div>
        <FieldError problem={problems[`${at}.days`]} />
      </Fieldset>
      {(['from', 'to'] as const).map((end) => (
        <Field key={end}>
          <Field.Label>{t(`console.rules.${end}`)}</Field.Label>
          <Input
            value={w[end]}
            placeholder="09:00"
            autoComplete="off"
            className="console-clock"
            validation={problems[`${at}.${end}`] ? 'error' : undefined}
            onChange={(e) => onChange({ ...w, [end]: e.target.value })}
          />
          <FieldError problem={problems[`${at}.${end}`]} />
        </Field>
      ))}
      <Button size="small" isBasic onClick={onRemove}>
        {t('console.rules.remove_window')}
      </Button>
    </li>
  );
}

function RuleRow({
  rule,
  index,
  count,
  problems,
  onChange,
  onMove,
  onRemove,
}: {
  rule: RuleDraft;
  index: number;
  count: number;
  problems: FieldProblems;
  onChange(next: RuleDraft): void;
  onMove(by: -1 | 1): void;
  onRemove(): void;
}) {
  const { t } = useI18n();
  const at = (field: string) => `rules[${index}].${field}`;
  const label = rule.name.trim() || t('console.rules.untitled', { n: index + 1 });
  const text = (field: 'id' | 'name', path: string) => (
    <Field>
      <Field.Label>{t(`console.rules.${field}`)}</Field.Label>
      {field === 'id' ? <Field.Hint>{t('console.rules.id_hint')}</Field.Hint> : null}
      <Input
        value={rule[field]}
        autoComplete="off"
        validation={problems[at(path)] ? 'error' : undefined}
        onChange={(e) => onChange({ ...rule, [field]: e.target.value })}
      />
      <FieldError problem={problems[at(path)]} />
    </Field>
  );
  const list = (field: 'tags' | 'organizations', path: string) => (
    <Field>
      <Field.Label>{t(`console.rules.${field}`)}</Field.Label>
      <Field.Hint>{t(`console.rules.${field}_hint`)}</Field.Hint>
      <Input
        value={rule[field]}
        autoComplete="off"
        validation={problems[at(path)] ? 'error' : undefined}
        onChange={(e) => onChange({ ...rule, [field]: e.target.value })}
      />
      <FieldError problem={problems[at(path)]} />
    </Field>
  );
  return (
    <li
      className="console-rule"
      aria-label={t('console.rules.rule_label', { n: index + 1, name: label })}
    >
      <div className="console-rule-head">
        <MD isBold tag="h3">
          {t('console.rules.rule_label', { n: index + 1, name: label })}
        </MD>
        <Button
          size="small"
          isBasic
          disabled={index === 0}
          onClick={() => onMove(-1)}
          aria-label={t('console.rules.move_up', { name: label })}
        >
          {t('console.rules.up')}
        </Button>
        <Button
          size="small"
          isBasic
          disabled={index === count - 1}
          onClick={() => onMove(1)}
          aria-label={t('console.rules.move_down', { name: label })}
        >
          {t('console.rules.down')}
        </Button>
        <Button size="small" isBasic isDanger onClick={onRemove}>
          {t('console.rules.remove', { name: label })}
        </Button>
      </div>
      {text('name', 'name')}
      {text('id', 'id')}
      <Fieldset>
        <Fieldset.Legend>{t('console.rules.conditions')}</Fieldset.Legend>
        <Field.Hint>{t('console.rules.conditions_hint')}</Field.Hint>
        <FieldError problem={problems[at('when')]} />
        <Fieldset>
          <Fieldset.Legend>{t('console.rules.caller')}</Fieldset.Legend>
          {CALLER_KINDS.map((kind) => (
            <Field key={kind}>
              <Checkbox
                checked={rule.caller.includes(kind)}
                onChange={(e) =>
                  onChange({
                    ...rule,
                    caller: e.target.checked
                      ? [...rule.caller, kind]
                      : rule.caller.filter((k) => k !== kind),
                  })
                }
              >
                <Field.Label>{t(`console.rules.caller_${kind}`)}</Field.Label>
              </Checkbox>
            </Field>
          ))}
          <FieldError problem={problems[at('when.caller')]} />
        </Fieldset>
        {list('tags', 'when.user_tags')}
        {list('organizations', 'when.organization_ids')}
        <Fieldset>
          <Fieldset.Legend>{t('console.rules.time')}</Fieldset.Legend>
          <FieldError problem={problems[at('when.time')]} />
          <ul className="console-rule-windows">
            {rule.windows.map((w, j) => (
              <WindowRow
                key={j}
                window={w}
                at={at(`when.time[${j}]`)}
                problems={problems}
                onChange={(next) =>
                  onChange({ ...rule, windows: rule.windows.map((x, k) => (k === j ? next : x)) })
                }
                onRemove={() =>
                  onChange({ ...rule, windows: rule.windows.filter((_, k) => k !== j) })
                }
              />
            ))}
          </ul>
          <Button
            size="small"
            onClick={() => onChange({ ...rule, windows: [...rule.windows, emptyWindow()] })}
          >
            {t('console.rules.add_window')}
          </Button>
        </Fieldset>
      </Fieldset>
      <Field>
        <Field.Label>{t('console.rules.targets')}</Field.Label>
        <Field.Hint>{t('console.form.sip_targets_hint')}</Field.Hint>
        <Textarea
          value={rule.targets}
          minRows={2}
          validation={problems[at('sip_targets')] ? 'error' : undefined}
          onChange={(e) => onChange({ ...rule, targets: e.target.value })}
        />
        <FieldError problem={problems[at('sip_targets')]} />
      </Field>
    </li>
  );
}

/** The rules' section: loaded when the Edit view opens, saved with its own button. */
export default function RoutingRulesSection({ target, slug, media, onChanged }: RoutingRulesProps) {
  const { t } = useI18n();
  const [draft, setDraft] = useState<RulesDraft | null>(null);
  const [problems, setProblems] = useState<FieldProblems>({});
  const [state, setState] = useState<'idle' | 'saving' | 'saved' | 'failed' | 'not_saved'>('idle');

  useEffect(() => {
    getRoutingRules(target, slug).then(
      (stored) => setDraft(rulesDraftOf(stored)),
      () => setState('failed'),
    );
  }, [target, slug]);

  const change = (next: RulesDraft) => {
    setDraft(next);
    if (state === 'saved') setState('idle');
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    const own = rulesProblems(draft, media);
    setProblems(own);
    if (Object.keys(own).length) return setState('not_saved');
    setState('saving');
    try {
      setDraft(rulesDraftOf(await putRoutingRules(target, slug, rulesBody(draft))));
      setState('saved');
      onChanged();
    } catch (err) {
      if (err instanceof ConsoleError && err.issues.length) {
        setProblems(rulesIssuesByField(err.issues));
        setState('not_saved');
      } else setState('failed');
    }
  };

  const setRule = (i: number, next: RuleDraft) =>
    draft && change({ ...draft, rules: draft.rules.map((r, k) => (k === i ? next : r)) });
  return (
    <section className="console-rules" aria-labelledby="console-rules-title">
      <MD isBold tag="h2" id="console-rules-title">
        {t('console.rules.title')}
      </MD>
      <p className="console-hint">{t('console.rules.hint')}</p>
      {state === 'failed' ? (
        <Alert type="error" role="alert">
          <Alert.Paragraph>{t('console.rules.failed')}</Alert.Paragraph>
        </Alert>
      ) : null}
      {state === 'not_saved' ? (
        <Alert type="error" role="alert">
          <Alert.Paragraph>{t('console.rules.not_saved')}</Alert.Paragraph>
          {problems[''] ? <FieldError problem={problems['']} /> : null}
        </Alert>
      ) : null}
      {state === 'saved' ? (
        <Alert type="success" role="status">
          <Alert.Paragraph>{t('console.rules.saved')}</Alert.Paragraph>
        </Alert>
      ) : null}
      {draft === null ? (
        state === 'failed' ? null : (
          <Dots aria-label={t('console.loading')} />
        )
      ) : (
        <form onSubmit={(e) => void save(e)} noValidate>
          <Field>
            <Field.Label>{t('console.rules.time_zone')}</Field.Label>
            <Field.Hint>{t('console.rules.time_zone_hint')}</Field.Hint>
            <Input
              value={draft.timeZone}
              autoComplete="off"
              placeholder="Europe/Paris"
              validation={problems.time_zone ? 'error' : undefined}
              onChange={(e) => change({ ...draft, timeZone: e.target.value })}
            />
            <FieldError problem={problems.time_zone} />
          </Field>
          {draft.rules.length === 0 ? (
            <p className="console-note">{t('console.rules.none')}</p>
          ) : (
            <ol className="console-rule-list">
              {draft.rules.map((rule, i) => (
                <RuleRow
                  key={rule.key}
                  rule={rule}
                  index={i}
                  count={draft.rules.length}
                  problems={problems}
                  onChange={(next) => setRule(i, next)}
                  onMove={(by) => change({ ...draft, rules: moveRule(draft.rules, i, by) })}
                  onRemove={() =>
                    change({ ...draft, rules: draft.rules.filter((_, k) => k !== i) })
                  }
                />
              ))}
            </ol>
          )}
          <FieldError problem={problems.rules} />
          <div className="console-actions">
            <Button
              disabled={draft.rules.length >= ROUTING_RULE_LIMITS.rules}
              onClick={() => change({ ...draft, rules: [...draft.rules, emptyRule()] })}
            >
              {t('console.rules.add')}
            </Button>
            <Button type="submit" isPrimary disabled={state === 'saving'}>
              {state === 'saving' ? t('console.form.saving') : t('console.rules.save')}
            </Button>
          </div>
        </form>
      )}
    </section>
  );
}
