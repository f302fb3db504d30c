// Locale-aware formatting of the record's times, durations and cost (Intl, no extra library).

export function formatDateTime(iso: string, locale: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

export function formatTime(iso: string, locale: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { timeStyle: 'medium' }).format(date);
}

/** 65 → "1 min, 5 sec" in the agent's language (plural rules included). */
export function formatDuration(seconds: number, locale: string): string {
  const unit = (value: number, u: 'hour' | 'minute' | 'second') =>
    new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: 'short' }).format(value);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const parts = [h ? unit(h, 'hour') : '', h || m ? unit(m, 'minute') : '', unit(s, 'second')];
  return new Intl.ListFormat(locale, { style: 'narrow', type: 'unit' }).format(
    parts.filter(Boolean),
  );
}

/** The record's `cost.usd` ("0.03") as money in the agent's locale. */
export function formatUsd(usd: string, locale: string): string {
  const value = Number(usd);
  if (!Number.isFinite(value)) return usd;
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: 2,
    maximumFractionDigits: 4,
  }).format(value);
}
