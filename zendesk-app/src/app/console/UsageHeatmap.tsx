import { useId } from 'react';
import { MD } from '@zendeskgarden/react-typography';
import { useI18n } from '../hooks/useI18n';
import type { HeatmapCell } from './usageApi';

export type HeatmapMeasure = 'calls' | 'peak_concurrent';

const HOURS = Array.from({ length: 24 }, (_, h) => h);
const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6];

/** Weekday names in the admin's language, Monday first (2026-11-02 was a Monday). */
export function weekdayNames(locale: string, width: 'long' | 'short' = 'long'): string[] {
  const format = new Intl.DateTimeFormat(locale, { weekday: width, timeZone: 'UTC' });
  return WEEKDAYS.map((d) => format.format(new Date(Date.UTC(2026, 10, 2 + d))));
}

/** 0 for nothing, else 1-4 by the share of the busiest cell: the shade, beside the number. */
export function shadeLevel(value: number, max: number): number {
  if (value <= 0 || max <= 0) return 0;
  return Math.min(4, Math.ceil((value / max) * 4));
}

/**
 * One weekday × hour grid as a real table: weekdays are row headers, hours column headers, each
 * value written in its cell (the shade repeats it, never replaces it). The table sits in a
 * focusable, named region, so it is reached and scrolled with the keyboard.
 */
export function UsageHeatmap({
  cells,
  measure,
  zone,
}: {
  cells: HeatmapCell[];
  measure: HeatmapMeasure;
  zone: string;
}) {
  const { t, locale } = useI18n();
  const id = useId();
  const value = new Map(cells.map((c) => [`${c.weekday}:${c.hour}`, c[measure]]));
  const max = Math.max(0, ...cells.map((c) => c[measure]));
  const names = weekdayNames(locale);
  const number = new Intl.NumberFormat(locale);
  const title = t(`console.heatmap.${measure}`);
  return (
    <div className="console-heatmap" data-measure={measure}>
      <MD tag="h3" isBold id={`${id}-title`}>
        {title}
      </MD>
      <div
        className="console-heatmap-scroll"
        role="region"
        aria-labelledby={`${id}-title`}
        tabIndex={0}
      >
        <table>
          <caption className="visually-hidden">
            {t('console.heatmap.caption', { what: title, zone })}
          </caption>
          <thead>
            <tr>
              <td />
              {HOURS.map((h) => (
                <th key={h} scope="col" abbr={t('console.heatmap.hour', { hour: h })}>
                  {String(h).padStart(2, '0')}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {WEEKDAYS.map((d) => (
              <tr key={d}>
                <th scope="row">{names[d]}</th>
                {HOURS.map((h) => {
                  const v = value.get(`${d}:${h}`) ?? 0;
                  return (
                    <td key={h} data-level={shadeLevel(v, max)} data-cell={`${d}:${h}`}>
                      {number.format(v)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
