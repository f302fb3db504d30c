import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { ZafRequestOptions } from 'zendesk_app_framework_sdk';
import { fakeClient, json, renderWithClient, renderWithI18n } from '../../test/render';
import { UsageHeatmap, shadeLevel, weekdayNames } from './UsageHeatmap';
import UsagePage from './UsagePage';
import type { HeatmapCell, UsageReport } from './usageApi';

const REPORT: UsageReport = {
  from: '2026-11-01',
  to: '2026-11-02',
  time_zone: 'America/New_York',
  usage: [
    {
      day: '2026-11-02',
      line: 'carrier',
      line_name: 'Carrier North',
      calls: 4,
      answered: 3,
      answered_rate: 0.75,
      rejected: 1,
      minutes: 87,
      cost_micros: 435_000,
      cost_usd: '0.435',
    },
  ],
  totals: {
    calls: 4,
    answered: 3,
    answered_rate: 0.75,
    rejected: 1,
    minutes: 87,
    cost_micros: 435_000,
    cost_usd: '0.435',
  },
};

function cells(busy: Partial<HeatmapCell>[]): HeatmapCell[] {
  const all: HeatmapCell[] = [];
  for (let weekday = 0; weekday < 7; weekday++)
    for (let hour = 0; hour < 24; hour++) all.push({ weekday, hour, calls: 0, peak_concurrent: 0 });
  for (const b of busy) Object.assign(all[b.weekday! * 24 + b.hour!]!, b);
  return all;
}

const HEAT = cells([
  { weekday: 0, hour: 10, calls: 4, peak_concurrent: 3 },
  { weekday: 6, hour: 23, calls: 1, peak_concurrent: 1 },
]);
const admin = { 'currentUser.role': 'admin', 'currentUser.id': 20010 };

function worker(seen: string[]) {
  return (options: ZafRequestOptions) => {
    const url = new URL(options.url);
    seen.push(url.pathname + url.search);
    if (url.pathname === '/v1/console/usage') return json(200, REPORT);
    if (url.pathname === '/v1/console/usage/heatmap')
      return json(200, { ...REPORT, cells: HEAT, usage: undefined });
    if (url.pathname === '/v1/console/usage.csv')
      return { status: 200, responseText: 'day,line\r\n2026-11-02,carrier\r\n', headers: {} };
    return json(404, { error: 'not_found', message: 'No such endpoint.' });
  };
}

afterEach(() => vi.restoreAllMocks());

describe('the usage page', () => {
  it('shows the figures per line and day, the totals and the account’s zone by name', async () => {
    const seen: string[] = [];
    const t = target(worker(seen));
    renderWithClient(<UsagePage target={t} />, t.client);
    const row = (await screen.findByText('Carrier North')).closest('tr')!;
    expect(within(row).getByText('4')).toBeTruthy();
    expect(within(row).getByText('75%')).toBeTruthy();
    expect(within(row).getByText('87')).toBeTruthy();
    expect(within(row).getByText('$0.435')).toBeTruthy();
    expect(screen.getByText('Total').closest('tr')!.textContent).toContain('$0.435');
    expect(screen.getByText(/account’s time zone, America\/New_York/)).toBeTruthy();
    expect(screen.getByText(/Most calls: Monday at 10:00 \(4\)/)).toBeTruthy();
    expect(
      seen.every((u) => /^\/v1\/console\/usage(\/heatmap)?\?from=\d{4}-\d\d-\d\d&to=/.test(u)),
    ).toBe(true);
  });

  it('asks again for the days chosen, and refuses a From after To without asking', async () => {
    const seen: string[] = [];
    const t = target(worker(seen));
    renderWithClient(<UsagePage target={t} />, t.client);
    await screen.findByText('Carrier North');
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-11-05' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-11-01' } });
    const asked = seen.length;
    fireEvent.click(screen.getByRole('button', { name: 'Show' }));
    expect(await screen.findByText(/Choose a From day no later than To/)).toBeTruthy();
    expect(seen.length).toBe(asked);
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-10-01' } });
    fireEvent.click(screen.getByRole('button', { name: 'Show' }));
    await waitFor(() => expect(seen).toContain('/v1/console/usage?from=2026-10-01&to=2026-11-01'));
  });

  it('downloads the Worker’s CSV as a file, fetched through the proxy (no token in a URL)', async () => {
    const seen: string[] = [];
    const t = target(worker(seen));
    const blobs: Blob[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
      blobs.push(b as Blob);
      return 'blob:usage';
    });
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
    const clicked: { href: string; download: string }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicked.push({ href: this.href, download: this.download });
    });
    renderWithClient(<UsagePage target={t} />, t.client);
    await screen.findByText('Carrier North');
    fireEvent.click(screen.getByRole('button', { name: 'Download CSV' }));
    await waitFor(() => expect(clicked).toHaveLength(1));
    expect(clicked[0]!.download).toMatch(
      /^usage-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d-America_New_York\.csv$/,
    );
    expect(await blobs[0]!.text()).toBe('day,line\r\n2026-11-02,carrier\r\n');
    const csv = (t.client as ReturnType<typeof fakeClient>).requests.find((r) =>
      r.url.includes('usage.csv'),
    )!;
    expect(csv.secure).toBe(true);
    expect(csv.url).not.toMatch(/token|jwt|secret/i);
  });
});

describe('the heat map', () => {
  it('is a table with weekday and hour headers and every value written out', () => {
    renderWithI18n(<UsageHeatmap cells={HEAT} measure="peak_concurrent" zone="UTC" />);
    const table = screen.getByRole('table');
    expect(
      within(table)
        .getAllByRole('rowheader')
        .map((h) => h.textContent),
    ).toEqual(weekdayNames('en'));
    expect(within(table).getAllByRole('columnheader')).toHaveLength(24);
    const monday10 = table.querySelector('[data-cell="0:10"]')!;
    expect(monday10.textContent).toBe('3');
    expect(monday10.getAttribute('data-level')).toBe('4');
    expect(table.querySelector('[data-cell="6:23"]')!.textContent).toBe('1');
    expect(table.querySelector('[data-cell="3:3"]')!.textContent).toBe('0');
    // Reached by the keyboard: a named, focusable region around the table.
    const region = screen.getByRole('region', { name: 'Peak concurrent calls' });
    expect(region.getAttribute('tabindex')).toBe('0');
  });

  it('names weekdays in the admin’s language, Monday first', () => {
    expect(weekdayNames('fr')[0]).toBe('lundi');
    expect(weekdayNames('ru')[6]).toBe('воскресенье');
    expect(weekdayNames('ko')[0]).toBe('월요일');
  });

  it('shades by share of the busiest cell, nothing for zero', () => {
    expect([0, 1, 2, 3, 4].map((v) => shadeLevel(v, 4))).toEqual([0, 1, 2, 3, 4]);
    expect(shadeLevel(1, 100)).toBe(1);
    expect(shadeLevel(0, 0)).toBe(0);
  });
});

function target(respond: Parameters<typeof fakeClient>[0]) {
  const client = fakeClient(respond, admin);
  return { client, apiUrl: 'https://bridge.example.com', userId: 20010 };
}
