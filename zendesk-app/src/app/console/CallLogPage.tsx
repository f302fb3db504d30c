import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Button } from '@zendeskgarden/react-buttons';
import { Field, Input, Select } from '@zendeskgarden/react-forms';
import { Dots } from '@zendeskgarden/react-loaders';
import { Alert } from '@zendeskgarden/react-notifications';
import { XL } from '@zendeskgarden/react-typography';
import { useI18n } from '../hooks/useI18n';
import { I18nContext, type I18n } from '../i18n/I18nContext';
import { CallDetails } from './CallDetails';
import {
  CALL_STATUSES,
  listCalls,
  NO_FILTERS,
  type CallLogFilters,
  type CallLogPage as Page,
} from './callLogApi';
import { withSidebarStrings } from './callLogStrings';
import { CallLogTable } from './CallLogTable';
import { ConsoleError, listLines, type ConsoleTarget, type Line } from './consoleApi';
import { useFailureText } from './useFailureText';

/** The fields the Worker may refuse, each with its own words (never the value typed). */
const FIELD_ERRORS = new Set(['number', 'ticket', 'from', 'to']);

type Search = {
  filters: CallLogFilters;
  /** The cursors of the pages before this one and of this one (undefined: the first page). */
  cursors: (string | undefined)[];
};

function CallLog({ target }: { target: ConsoleTarget }) {
  const { t } = useI18n();
  const failureText = useFailureText();
  const [draft, setDraft] = useState<CallLogFilters>(NO_FILTERS);
  const [search, setSearch] = useState<Search>({ filters: NO_FILTERS, cursors: [undefined] });
  const [page, setPage] = useState<Page | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [lines, setLines] = useState<Line[]>([]);
  const [selected, setSelected] = useState<string | null>(null);

  useEffect(() => {
    listLines(target).then(setLines, () => setLines([]));
  }, [target]);

  const run = useCallback(
    (next: Search) => {
      setError(null);
      setFieldError(null);
      setPage(null);
      listCalls(target, next.filters, next.cursors.at(-1)).then(
        (found) => {
          setSearch(next);
          setPage(found);
        },
        (e: unknown) => {
          const issue = e instanceof ConsoleError ? e.issues[0] : undefined;
          if (issue && FIELD_ERRORS.has(issue.path)) setFieldError(issue.path);
          else setError(failureText(e));
        },
      );
    },
    // failureText only reads the translator, which does not change while the page is open.
    [target],
  );
  useEffect(() => run({ filters: NO_FILTERS, cursors: [undefined] }), [run]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSelected(null);
    run({ filters: draft, cursors: [undefined] });
  };
  const set = (key: keyof CallLogFilters) => (value: string) =>
    setDraft({ ...draft, [key]: value });

  const text = (key: 'number' | 'ticket' | 'from' | 'to', type: string, hint?: string) => (
    <Field>
      <Field.Label>{t(`console.calls.filter.${key}`)}</Field.Label>
      {hint ? <Field.Hint>{hint}</Field.Hint> : null}
      <Input
        type={type}
        value={draft[key]}
        inputMode={key === 'ticket' ? 'numeric' : undefined}
        validation={fieldError === key ? 'error' : undefined}
        onChange={(e) => set(key)(e.target.value)}
      />
      {fieldError === key ? (
        <Field.Message validation="error">{t(`console.calls.errors.${key}`)}</Field.Message>
      ) : null}
    </Field>
  );

  const number = page ? search.cursors.length : 1;
  return (
    <section className="console-calls" aria-labelledby="console-calls-title">
      <div className="console-heading">
        <XL tag="h1" id="console-calls-title">
          {t('console.calls.title')}
        </XL>
      </div>
      <form className="console-range" onSubmit={submit} aria-label={t('console.calls.search')}>
        {text('number', 'search', t('console.calls.filter.number_hint'))}
        {text('ticket', 'text')}
        <Field>
          <Field.Label>{t('console.calls.filter.line')}</Field.Label>
          <Select value={draft.line} onChange={(e) => set('line')(e.target.value)}>
            <option value="">{t('console.calls.filter.any_line')}</option>
            {lines.map((l) => (
              <option key={l.slug} value={l.slug}>
                {l.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field>
          <Field.Label>{t('console.calls.filter.status')}</Field.Label>
          <Select value={draft.status} onChange={(e) => set('status')(e.target.value)}>
            <option value="">{t('console.calls.filter.any_status')}</option>
            {CALL_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`ui.call.status.${s}`)}
              </option>
            ))}
          </Select>
        </Field>
        {text('from', 'date')}
        {text('to', 'date')}
        <Button type="submit" isPrimary>
          {t('console.calls.search')}
        </Button>
      </form>
      {page ? (
        <p className="console-note" role="status" data-part="page">
          {page.calls.length
            ? t('console.calls.page', { page: number, zone: page.time_zone })
            : t('console.calls.none')}
        </p>
      ) : null}
      {error ? (
        <Alert type="error" role="alert">
          <Alert.Paragraph>{error}</Alert.Paragraph>
        </Alert>
      ) : null}
      {!page ? (
        error || fieldError ? null : (
          <Dots aria-label={t('console.calls.loading')} />
        )
      ) : page.calls.length ? (
        <>
          <CallLogTable
            calls={page.calls}
            zone={page.time_zone}
            selected={selected}
            onOpen={setSelected}
          />
          <nav className="console-actions console-pager" aria-label={t('console.calls.pages')}>
            <Button
              disabled={search.cursors.length < 2}
              onClick={() => run({ ...search, cursors: search.cursors.slice(0, -1) })}
            >
              {t('console.calls.previous')}
            </Button>
            <Button
              disabled={!page.next_cursor}
              onClick={() =>
                run({ ...search, cursors: [...search.cursors, page.next_cursor ?? undefined] })
              }
            >
              {t('console.calls.next')}
            </Button>
          </nav>
        </>
      ) : null}
      {selected ? (
        <CallDetails
          target={target}
          callId={selected}
          onClose={() => setSelected(null)}
          onFindCaller={(e164) => {
            const filters = { ...NO_FILTERS, number: e164 };
            setDraft(filters);
            setSelected(null);
            run({ filters, cursors: [undefined] });
          }}
        />
      ) : null}
    </section>
  );
}

/** The call log, once the sidebar's strings (its call details speak them) have loaded. */
export default function CallLogPage({ target }: { target: ConsoleTarget }) {
  const outer = useI18n();
  const [strings, setStrings] = useState<I18n | null>(null);
  useEffect(() => {
    let live = true;
    void withSidebarStrings(outer).then((merged) => live && setStrings(merged));
    return () => {
      live = false;
    };
  }, [outer]);
  if (!strings) return <Dots aria-label={outer.t('console.nav.loading')} />;
  return (
    <I18nContext.Provider value={strings}>
      <CallLog target={target} />
    </I18nContext.Provider>
  );
}
