// A line's webhook in its Edit view (its own chunk: WebhookPart.tsx): where events go and the last
// deliveries. The signing secret never comes here: creating the webhook and rotating its secret
// are shown as admin-token commands to run in a terminal.
import { useEffect, useState, type FormEvent } from 'react';
import { Button } from '@zendeskgarden/react-buttons';
import { Checkbox, Field, Fieldset, Input } from '@zendeskgarden/react-forms';
import { Alert } from '@zendeskgarden/react-notifications';
import { MD } from '@zendeskgarden/react-typography';
import { WEBHOOK_EVENT_TYPES } from '@sip-bridge/contract/webhook-events';
import { useI18n } from '../hooks/useI18n';
import { ConsoleError, type ConsoleTarget } from './consoleApi';
import { FieldError } from './FieldError';
import { issueProblem } from './issueProblem';
import type { FieldProblems } from './lineForm';
import { createWebhookCommand, rotateSecretCommand } from './webhookCommands';
import { listDeliveries, putWebhook, type LineWebhook, type WebhookDelivery } from './webhookApi';

export interface WebhookProps {
  target: ConsoleTarget;
  slug: string;
  /** The webhook as the line shows it (never its secret), or null when it has none. */
  webhook: LineWebhook | null;
  onChanged(): void;
}

function Command({ label, text }: { label: string; text: string }) {
  return (
    <figure className="console-command">
      <figcaption>{label}</figcaption>
      <pre tabIndex={0}>
        <code>{text}</code>
      </pre>
    </figure>
  );
}

function Deliveries({ deliveries }: { deliveries: WebhookDelivery[] | null }) {
  const { t } = useI18n();
  if (deliveries === null) return null;
  if (!deliveries.length)
    return <p className="console-note">{t('console.webhook.no_deliveries')}</p>;
  return (
    <table className="console-table">
      <caption>{t('console.webhook.deliveries')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('console.webhook.at')}</th>
          <th scope="col">{t('console.webhook.event')}</th>
          <th scope="col">{t('console.webhook.target')}</th>
          <th scope="col">{t('console.webhook.outcome')}</th>
        </tr>
      </thead>
      <tbody>
        {deliveries.map((d) => (
          <tr key={`${d.event_id}:${d.target}:${d.attempt}`}>
            <td>{new Date(d.at).toLocaleString()}</td>
            <td>{d.type}</td>
            <td>{t(`console.webhook.target_${d.target}`)}</td>
            <td>
              {t(`console.webhook.outcome_${d.outcome}`)}
              {d.status_code ? ` (HTTP ${d.status_code})` : d.error ? ` (${d.error})` : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function WebhookSection({ target, slug, webhook, onChanged }: WebhookProps) {
  const { t } = useI18n();
  const [current, setCurrent] = useState(webhook);
  const [url, setUrl] = useState(webhook?.url ?? '');
  const [failover, setFailover] = useState(webhook?.failover_url ?? '');
  const [events, setEvents] = useState<string[]>(webhook?.events ?? [...WEBHOOK_EVENT_TYPES]);
  const [problems, setProblems] = useState<FieldProblems>({});
  const [state, setState] = useState<'idle' | 'saving' | 'saved' | 'failed'>('idle');
  const [deliveries, setDeliveries] = useState<WebhookDelivery[] | null>(null);

  useEffect(() => {
    if (!webhook) return;
    listDeliveries(target, slug).then(setDeliveries, () => setDeliveries(null));
  }, [target, slug, webhook]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const own: FieldProblems = {};
    if (!url.trim()) own.url = { key: 'console.form.errors.required' };
    if (!events.length) own.events = { key: 'console.webhook.errors.events' };
    setProblems(own);
    if (Object.keys(own).length) return;
    setState('saving');
    try {
      const written = await putWebhook(target, slug, {
        url: url.trim(),
        failover_url: failover.trim() || null,
        events: WEBHOOK_EVENT_TYPES.filter((ev) => events.includes(ev)),
      });
      setCurrent(written);
      setState('saved');
      onChanged();
    } catch (err) {
      if (err instanceof ConsoleError && err.issues.length) {
        const byField: FieldProblems = {};
        for (const issue of err.issues) {
          const field = ['url', 'failover_url'].includes(issue.path)
            ? issue.path
            : issue.path.startsWith('events')
              ? 'events'
              : 'url';
          byField[field] ??= issueProblem(issue, field);
        }
        setProblems(byField);
        setState('idle');
      } else setState('failed');
    }
  };

  return (
    <section className="console-webhook" aria-labelledby="console-webhook-title">
      <MD isBold tag="h2" id="console-webhook-title">
        {t('console.webhook.title')}
      </MD>
      <p className="console-hint">{t('console.webhook.secret_note')}</p>
      {!current ? (
        <>
          <p className="console-note">{t('console.webhook.none')}</p>
          <Command
            label={t('console.webhook.create_command')}
            text={createWebhookCommand(target.apiUrl, slug, url)}
          />
        </>
      ) : (
        <>
          {state === 'failed' ? (
            <Alert type="error" role="alert">
              <Alert.Paragraph>{t('console.webhook.failed')}</Alert.Paragraph>
            </Alert>
          ) : null}
          {state === 'saved' ? (
            <Alert type="success" role="status">
              <Alert.Paragraph>{t('console.webhook.saved')}</Alert.Paragraph>
            </Alert>
          ) : null}
          <form onSubmit={(e) => void save(e)} noValidate>
            <Field>
              <Field.Label>{t('console.webhook.url')}</Field.Label>
              <Input
                value={url}
                type="url"
                autoComplete="off"
                validation={problems.url ? 'error' : undefined}
                onChange={(e) => setUrl(e.target.value)}
              />
              <FieldError problem={problems.url} />
            </Field>
            <Field>
              <Field.Label>{t('console.webhook.failover_url')}</Field.Label>
              <Field.Hint>{t('console.webhook.failover_hint')}</Field.Hint>
              <Input
                value={failover}
                type="url"
                autoComplete="off"
                validation={problems.failover_url ? 'error' : undefined}
                onChange={(e) => setFailover(e.target.value)}
              />
              <FieldError problem={problems.failover_url} />
            </Field>
            <Fieldset>
              <Fieldset.Legend>{t('console.webhook.events')}</Fieldset.Legend>
              {WEBHOOK_EVENT_TYPES.map((ev) => (
                <Field key={ev}>
                  <Checkbox
                    checked={events.includes(ev)}
                    onChange={(e) =>
                      setEvents((list) =>
                        e.target.checked ? [...list, ev] : list.filter((x) => x !== ev),
                      )
                    }
                  >
                    <Field.Label>{ev}</Field.Label>
                  </Checkbox>
                </Field>
              ))}
              <FieldError problem={problems.events} />
            </Fieldset>
            <div className="console-actions">
              <Button type="submit" isPrimary disabled={state === 'saving'}>
                {state === 'saving' ? t('console.form.saving') : t('console.webhook.save')}
              </Button>
            </div>
          </form>
          <p className="console-note">
            {t('console.webhook.secret_created', {
              at: new Date(current.secret_created_at).toLocaleString(),
            })}
          </p>
          <Command
            label={t('console.webhook.rotate_command')}
            text={rotateSecretCommand(target.apiUrl, slug)}
          />
          <Deliveries deliveries={deliveries} />
        </>
      )}
    </section>
  );
}
