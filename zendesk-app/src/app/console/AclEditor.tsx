import { Button } from '@zendeskgarden/react-buttons';
import { Checkbox, Field, Fieldset, Input } from '@zendeskgarden/react-forms';
import { useI18n } from '../hooks/useI18n';
import { FieldError } from './FieldError';
import { isWide, type AclRow, type FieldProblems } from './lineForm';

interface Props {
  rows: AclRow[];
  problems: FieldProblems;
  onChange(rows: AclRow[]): void;
}

/**
 * The line's allowed networks: existing entries listed (removable, not editable: remove one and
 * add the new network), new ones typed with their error beside them as the admin types (the same
 * parser as the API), and a confirmation for a wide network. Changes apply when the line is saved.
 */
export function AclEditor({ rows, problems, onChange }: Props) {
  const { t } = useI18n();
  const update = (i: number, patch: Partial<AclRow>) =>
    onChange(rows.map((row, j) => (j === i ? { ...row, ...patch } : row)));
  return (
    <Fieldset>
      <Fieldset.Legend>{t('console.acl.title')}</Fieldset.Legend>
      <p className="console-hint">{t('console.acl.hint')}</p>
      {rows.length === 0 ? <p className="console-note">{t('console.acl.none')}</p> : null}
      <ul className="console-acl">
        {rows.map((row, i) => {
          const number = i + 1;
          const cidrProblem = problems[`acl[${i}].cidr`];
          const wideProblem = problems[`acl[${i}].confirm_wide`];
          const readOnly = row.id !== undefined;
          return (
            <li key={row.id ?? `new-${i}`} className="console-acl-row">
              <Field>
                <Field.Label>{t('console.acl.cidr', { number })}</Field.Label>
                <Input
                  value={row.cidr}
                  readOnly={readOnly}
                  spellCheck={false}
                  autoComplete="off"
                  placeholder="192.0.2.0/24"
                  validation={cidrProblem ? 'error' : undefined}
                  onChange={(e) => update(i, { cidr: e.target.value })}
                />
                <FieldError problem={cidrProblem} />
              </Field>
              <Field>
                <Field.Label>{t('console.acl.label', { number })}</Field.Label>
                <Input
                  value={row.label}
                  readOnly={readOnly}
                  maxLength={100}
                  onChange={(e) => update(i, { label: e.target.value })}
                />
                <FieldError problem={problems[`acl[${i}].label`]} />
              </Field>
              {!readOnly && isWide(row.cidr) ? (
                <Field>
                  <Checkbox
                    checked={row.confirmWide}
                    onChange={(e) => update(i, { confirmWide: e.target.checked })}
                  >
                    <Field.Label>{t('console.acl.confirm_wide')}</Field.Label>
                  </Checkbox>
                  <FieldError problem={wideProblem} />
                </Field>
              ) : null}
              <Button size="small" isBasic onClick={() => onChange(rows.filter((_, j) => j !== i))}>
                {t('console.acl.remove', { number })}
              </Button>
            </li>
          );
        })}
      </ul>
      <Button
        size="small"
        onClick={() => onChange([...rows, { cidr: '', label: '', confirmWide: false }])}
      >
        {t('console.acl.add')}
      </Button>
    </Fieldset>
  );
}
