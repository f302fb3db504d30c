import { Button } from '@zendeskgarden/react-buttons';
import { Checkbox, Field, Fieldset, Input, Textarea } from '@zendeskgarden/react-forms';
import { useI18n } from '../hooks/useI18n';
import type { DigestUserRow } from './carrierOptions';
import { FieldError } from './FieldError';
import type { SectionProps } from './sectionProps';

/**
 * How callers prove they may use the line, on top of its ACL: a token header, a tech prefix,
 * SIP digest users, P-Charge-Info numbers. Secrets are typed, never shown: a stored one is
 * kept while its box stays empty.
 */
export function CallerAuthSection({ carrier, problems, onChange }: SectionProps) {
  const { t } = useI18n();
  const shown = (field: string) => (problems[field] ? ('error' as const) : undefined);
  const users = (digestUsers: DigestUserRow[], field = 'auth.digest.users') =>
    onChange({ digestUsers }, field);
  const updateUser = (i: number, patch: Partial<DigestUserRow>, field: string) =>
    users(
      carrier.digestUsers.map((u, j) => (j === i ? { ...u, ...patch } : u)),
      field,
    );
  return (
    <Fieldset>
      <Fieldset.Legend>{t('console.auth.title')}</Fieldset.Legend>
      <p className="console-hint">{t('console.auth.hint')}</p>

      <Field>
        <Checkbox
          checked={carrier.tokenOn}
          onChange={(e) => onChange({ tokenOn: e.target.checked }, 'auth.token.header')}
        >
          <Field.Label>{t('console.auth.token_on')}</Field.Label>
        </Checkbox>
      </Field>
      {carrier.tokenOn ? (
        <div className="console-subgroup">
          <Field>
            <Field.Label>{t('console.auth.token_header')}</Field.Label>
            <Field.Hint>{t('console.auth.token_header_hint')}</Field.Hint>
            <Input
              value={carrier.tokenHeader}
              spellCheck={false}
              autoComplete="off"
              placeholder="X-Line-Token"
              validation={shown('auth.token.header')}
              onChange={(e) => onChange({ tokenHeader: e.target.value }, 'auth.token.header')}
            />
            <FieldError problem={problems['auth.token.header']} />
          </Field>
          <Field>
            <Field.Label>{t('console.auth.token_secret')}</Field.Label>
            <Field.Hint>
              {carrier.tokenSet
                ? t('console.auth.secret_kept')
                : t('console.auth.token_secret_hint')}
            </Field.Hint>
            <Input
              type="password"
              value={carrier.tokenSecret}
              autoComplete="new-password"
              spellCheck={false}
              validation={shown('auth.token.secret')}
              onChange={(e) => onChange({ tokenSecret: e.target.value }, 'auth.token.secret')}
            />
            <FieldError problem={problems['auth.token.secret']} />
          </Field>
        </div>
      ) : null}

      <Field>
        <Field.Label>{t('console.auth.tech_prefix')}</Field.Label>
        <Field.Hint>{t('console.auth.tech_prefix_hint')}</Field.Hint>
        <Input
          value={carrier.techPrefix}
          inputMode="numeric"
          autoComplete="off"
          maxLength={8}
          className="console-number"
          validation={shown('auth.tech_prefix')}
          onChange={(e) => onChange({ techPrefix: e.target.value }, 'auth.tech_prefix')}
        />
        <FieldError problem={problems['auth.tech_prefix']} />
      </Field>

      <Field>
        <Checkbox
          checked={carrier.digestOn}
          onChange={(e) => onChange({ digestOn: e.target.checked }, 'auth.digest.realm')}
        >
          <Field.Label>{t('console.auth.digest_on')}</Field.Label>
        </Checkbox>
      </Field>
      {carrier.digestOn ? (
        <div className="console-subgroup">
          <Field>
            <Field.Label>{t('console.auth.realm')}</Field.Label>
            <Field.Hint>{t('console.auth.realm_hint')}</Field.Hint>
            <Input
              value={carrier.digestRealm}
              spellCheck={false}
              autoComplete="off"
              placeholder="sip.example.com"
              validation={shown('auth.digest.realm')}
              onChange={(e) => onChange({ digestRealm: e.target.value }, 'auth.digest.realm')}
            />
            <FieldError problem={problems['auth.digest.realm']} />
          </Field>
          <ul className="console-acl">
            {carrier.digestUsers.map((user, i) => {
              const number = i + 1;
              const at = `auth.digest.users[${i}]`;
              return (
                <li key={i} className="console-acl-row">
                  <Field>
                    <Field.Label>{t('console.auth.username', { number })}</Field.Label>
                    <Input
                      value={user.username}
                      readOnly={user.stored}
                      spellCheck={false}
                      autoComplete="off"
                      validation={shown(`${at}.username`)}
                      onChange={(e) =>
                        updateUser(i, { username: e.target.value }, `${at}.username`)
                      }
                    />
                    <FieldError problem={problems[`${at}.username`]} />
                  </Field>
                  <Field>
                    <Field.Label>{t('console.auth.password', { number })}</Field.Label>
                    {user.stored ? <Field.Hint>{t('console.auth.secret_kept')}</Field.Hint> : null}
                    <Input
                      type="password"
                      value={user.password}
                      autoComplete="new-password"
                      validation={shown(`${at}.password`)}
                      onChange={(e) =>
                        updateUser(i, { password: e.target.value }, `${at}.password`)
                      }
                    />
                    <FieldError problem={problems[`${at}.password`]} />
                  </Field>
                  <Button
                    size="small"
                    isBasic
                    onClick={() => users(carrier.digestUsers.filter((_, j) => j !== i))}
                  >
                    {t('console.auth.remove_user', { number })}
                  </Button>
                </li>
              );
            })}
          </ul>
          {problems['auth.digest.users'] ? (
            <Field>
              <FieldError problem={problems['auth.digest.users']} />
            </Field>
          ) : null}
          <Button
            size="small"
            onClick={() =>
              users([...carrier.digestUsers, { username: '', password: '', stored: false }])
            }
          >
            {t('console.auth.add_user')}
          </Button>
        </div>
      ) : null}

      <Field>
        <Field.Label>{t('console.auth.charge_numbers')}</Field.Label>
        <Field.Hint>{t('console.auth.charge_numbers_hint')}</Field.Hint>
        <Textarea
          value={carrier.chargeNumbers}
          minRows={1}
          spellCheck={false}
          placeholder="+14155550100"
          validation={shown('auth.p_charge_info.numbers')}
          onChange={(e) =>
            onChange({ chargeNumbers: e.target.value }, 'auth.p_charge_info.numbers')
          }
        />
        <FieldError problem={problems['auth.p_charge_info.numbers']} />
      </Field>
    </Fieldset>
  );
}
