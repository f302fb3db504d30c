import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Button } from '@zendeskgarden/react-buttons';
import { Field, Input } from '@zendeskgarden/react-forms';
import { Dots } from '@zendeskgarden/react-loaders';
import { Alert } from '@zendeskgarden/react-notifications';
import { LG, XL } from '@zendeskgarden/react-typography';
import { useI18n } from '../hooks/useI18n';
import { ConsoleError, type ConsoleTarget } from './consoleApi';
import { lastDays } from './dateRange';
import { downloadText } from './downloadFile';
import { UsageHeatmap, weekdayNames } from './UsageHeatmap';
import { UsageTable } from './UsageTable';
import {
  fetchHeatmap,
  fetchUsage,
  fetchUsageCsv,
  type DayRange,
  type Heatmap,
  type UsageReport,
} from './usageApi';
import { useFailureText } from './useFailureText';

/** Days the page shows when it opens. */
const DEFAULT_DAYS = 7;

type Loaded = { report: UsageReport; heatmap: Heatmap };

/** The file name the Worker gives the same CSV (usage-<from>-<to>-<zone>.csv). */
export const csvFilename = (r: DayRange & { time_zone: string }) =>
  `usage-${r.from}-${r.to}-${r.time_zone.replace(/[^A-Za-z0-9-]/g, '_')}.csv`;

/** The busiest weekday and hour of a measure, in words; null when nothing happened. */
function busiest(heatmap: Heatmap, measure: 'calls' | 'peak_concurrent', locale: string) {
  const top = heatmap.cells.reduce(
    (best, c) => (c[measure] > (best?.[measure] ?? 0) ? c : best),
    undefined as Heatmap['cells'][number] | undefined,
  );
  if (!top) return null;
  return {
    weekday: weekdayNames(locale)[top.weekday]!,
    hour: `${String(top.hour).padStart(2, '0')}:00`,
    value: top[measure],
  };
}

/**
 * Usage and peaks: per line and local day (calls, answered rate, billed minutes, cost) with the
 * CSV, and the weekday × hour heat maps of calls and of the concurrent peak, all in the account's
 * time zone, which the page names.
 */
export default function UsagePage({ target }: { target: ConsoleTarget }) {
  const { t, locale } = useI18n();
  const failureText = useFailureText();
  const [range, setRange] = useState<DayRange>(() => lastDays(DEFAULT_DAYS));
  const [draft, setDraft] = useState<DayRange>(range);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fieldProblem, setFieldProblem] = useState<{ path: string; text: string } | null>(null);
  const [downloading, setDownloading] = useState(false);

  const load = useCallback(
    (next: DayRange) => {
      setError(null);
      setFieldProblem(null);
      Promise.all([fetchUsage(target, next), fetchHeatmap(target, next)]).then(
        ([report, heatmap]) => {
          setRange(next);
          setLoaded({ report, heatmap });
        },
        (e: unknown) => {
          const issue = e instanceof ConsoleError ? e.issues[0] : undefined;
          if (issue && (issue.path === 'from' || issue.path === 'to')) {
            setFieldProblem({ path: issue.path, text: t('console.usage.bad_range') });
          } else setError(failureText(e));
        },
      );
    },
    // failureText and t only read the translator, which does not change while the page is open.
    [target],
  );
  useEffect(() => load(range), [load]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (draft.from > draft.to) {
      setFieldProblem({ path: 'from', text: t('console.usage.bad_range') });
      return;
    }
    load(draft);
  };
  const download = async () => {
    if (!loaded) return;
    setDownloading(true);
    try {
      const csv = await fetchUsageCsv(target, range);
      downloadText(csv, csvFilename({ ...range, time_zone: loaded.report.time_zone }));
    } catch (e) {
      setError(failureText(e));
    } finally {
      setDownloading(false);
    }
  };

  const dayField = (key: 'from' | 'to') => (
    <Field>
      <Field.Label>{t(`console.usage.${key}`)}</Field.Label>
      <Input
        type="date"
        required
        value={draft[key]}
        validation={fieldProblem?.path === key ? 'error' : undefined}
        onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
      />
      {fieldProblem?.path === key ? (
        <Field.Message validation="error">{fieldProblem.text}</Field.Message>
      ) : null}
    </Field>
  );

  const calls = loaded && busiest(loaded.heatmap, 'calls', locale);
  const peak = loaded && busiest(loaded.heatmap, 'peak_concurrent', locale);
  return (
    <section className="console-usage" aria-labelledby="console-usage-title">
      <div className="console-heading">
        <XL tag="h1" id="console-usage-title">
          {t('console.usage.title')}
        </XL>
        <Button onClick={() => void download()} disabled={!loaded || downloading}>
          {downloading ? t('console.usage.downloading') : t('console.usage.download')}
        </Button>
      </div>
      <form className="console-range" onSubmit={submit} aria-label={t('console.usage.range')}>
        {dayField('from')}
        {dayField('to')}
        <Button type="submit">{t('console.usage.show')}</Button>
      </form>
      {error ? (
        <Alert type="error" role="alert">
          <Alert.Paragraph>{error}</Alert.Paragraph>
        </Alert>
      ) : null}
      {!loaded ? (
        error ? null : (
          <Dots aria-label={t('console.usage.loading')} />
        )
      ) : (
        <>
          <p className="console-note" data-part="time-zone">
            {t('console.usage.zone', { zone: loaded.report.time_zone })}{' '}
            {t('console.usage.billing')}
          </p>
          <UsageTable report={loaded.report} />
          <LG tag="h2" isBold className="console-subheading">
            {t('console.heatmap.title')}
          </LG>
          <p className="console-note" data-part="peaks">
            {calls && peak
              ? t('console.heatmap.busiest', {
                  weekday: calls.weekday,
                  hour: calls.hour,
                  calls: calls.value,
                  peak_weekday: peak.weekday,
                  peak_hour: peak.hour,
                  peak: peak.value,
                })
              : t('console.heatmap.none')}
          </p>
          <UsageHeatmap
            cells={loaded.heatmap.cells}
            measure="calls"
            zone={loaded.heatmap.time_zone}
          />
          <UsageHeatmap
            cells={loaded.heatmap.cells}
            measure="peak_concurrent"
            zone={loaded.heatmap.time_zone}
          />
        </>
      )}
    </section>
  );
}
