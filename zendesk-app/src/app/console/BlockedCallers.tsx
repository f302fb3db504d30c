import { useEffect, useState, type FormEvent } from 'react';
import { Button } from '@zendeskgarden/react-buttons';
import { Field, Input } from '@zendeskgarden/react-forms';
import { Dots } from '@zendeskgarden/react-loaders';
import { Alert } from '@zendeskgarden/react-notifications';
import { MD } from '@zendeskgarden/react-typography';
import { useI18n } from '../hooks/useI18n';
import {
  addBlocked,
  ConsoleError,
  listBlocked,
  removeBlocked,
  type BlockedNumber,
  type ConsoleTarget,
} from './consoleApi';
import { FieldError } from './FieldError';
import { issueProblem } from './issueProblem';
import type { FieldProblem } from './lineForm';

/**
 * A line's blocked callers: listed with Remove, a number typed to block (read by the bridge in
 * the line's country). Each change is sent at once, apart from the line's Save.
 */
export function BlockedCallers({
  target,
  slug,
  onChanged,
}: {
  target: ConsoleTarget;
  slug: string;
  /** A block was added or removed (the line's state at the edge changes). */
  onChanged(): void;
}) {
  const { t } = useI18n();
  const [blocked, setBlocked] = useState<BlockedNumber[] | null>(null);
  const [number, setNumber] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<FieldProblem | undefined>();
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    listBlocked(target, slug).then(setBlocked, () => setFailed(true));
  }, [target, slug]);

  const block = async (e: FormEvent) => {
    e.preventDefault();
    if (!number.trim()) return setProblem({ key: 'console.form.errors.required' });
    setBusy(true);
    setFailed(false);
    try {
      const added = await addBlocked(target, slug, {
        number: number.trim(),
        reason: reason.trim(),
      });
      setBlocked((list) => [...(list ?? []), added]);
      setNumber('');
      setReason('');
      setProblem(undefined);
      onChanged();
    } catch (err) {
      if (err instanceof ConsoleError && err.code === 'conflict')
        setProblem({ key: 'console.blocked.errors.duplicate' });
      else if (err instanceof ConsoleError && err.issues[0])
        setProblem(issueProblem(err.issues[0], 'number'));
      else setFailed(true);
    } finally {
      setBusy(false);
    }
  };
  const unblock = async (id: number) => {
    setFailed(false);
    try {
      await removeBlocked(target, slug, id);
      setBlocked((list) => (list ?? []).filter((b) => b.id !== id));
      onChanged();
    } catch {
      setFailed(true);
    }
  };

  return (
    <section className="console-blocked" aria-labelledby="console-blocked-title">
      <MD isBold tag="h2" id="console-blocked-title">
        {t('console.blocked.title')}
      </MD>
      <p className="console-hint">{t('console.blocked.hint')}</p>
      {failed ? (
        <Alert type="error" role="alert">
          <Alert.Paragraph>{t('console.blocked.failed')}</Alert.Paragraph>
        </Alert>
      ) : null}
      {blocked === null ? (
        failed ? null : (
          <Dots aria-label={t('console.loading')} />
        )
      ) : blocked.length === 0 ? (
        <p className="console-note">{t('console.blocked.none')}</p>
      ) : (
        <ul className="console-acl">
          {blocked.map((b) => (
            <li key={b.id} className="console-blocked-row">
              <code>{b.e164}</code>
              <span>{b.reason}</span>
              <Button size="small" isBasic onClick={() => void unblock(b.id)}>
                {t('console.blocked.remove', { number: b.e164 })}
              </Button>
            </li>
          ))}
        </ul>
      )}
      <form className="console-acl-row" onSubmit={(e) => void block(e)} noValidate>
        <Field>
          <Field.Label>{t('console.blocked.number')}</Field.Label>
          <Input
            value={number}
            inputMode="tel"
            autoComplete="off"
            placeholder="+33 6 12 34 56 78"
            validation={problem ? 'error' : undefined}
            onChange={(e) => {
              setNumber(e.target.value);
              setProblem(undefined);
            }}
          />
          <FieldError problem={problem} />
        </Field>
        <Field>
          <Field.Label>{t('console.blocked.reason')}</Field.Label>
          <Input value={reason} maxLength={200} onChange={(e) => setReason(e.target.value)} />
        </Field>
        <Button type="submit" size="small" disabled={busy}>
          {t('console.blocked.add')}
        </Button>
      </form>
    </section>
  );
}
