// The console's Usage and Call log pages end to end: calls seeded through the signed edge API,
// the built console in the harness playing Zendesk's side of ZAF, the real Worker (wrangler dev,
// local D1, ACCOUNT_TIME_ZONE America/New_York) and the Zendesk stand-in, in Debian's Chromium.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPEN_TICKET_ID, PENDING_TICKET_ID } from '@sip-bridge/zendesk-standin/seed';
import { ensureAppBuilt } from '../../scripts/lib/local-app.mjs';
import { startHarness, type Harness } from '../../scripts/lib/harness-page/server';
import { startBridge, type Bridge } from './bridge';
import { chromiumMissing, launchChromium } from './chromium';
import { adminConsole, axeViolations, openConsole, screenshot } from './console-page';
import { WAIT } from './sidebar-page';

const ROOT = new URL('../..', import.meta.url).pathname;
const missing = chromiumMissing();
const ZONE = 'America/New_York';

let bridge: Bridge;
let harness: Harness;
let browser: { context: BrowserContext; close(): Promise<void> };

const worker = () => ({ url: bridge.url, appJwtSecret: bridge.secrets.APP_JWT_SECRET });

// Monday 16 November 2026 in New York (EST, UTC-5): Ada at 10:05 (65 s), a Rivera at 10:05:30
// (600 s, so two calls at once), Ada again at 20:30, hanging up while it rang: 01:30 on Tuesday
// in UTC, so the day and the hour are New York's only if the Worker uses the account's zone.
const ADA = 'usage-ada@198.51.100.7';
const RIVERA = 'usage-rivera@198.51.100.7';
const LATE = 'usage-late@198.51.100.7';

async function decide(callId: string, from: string, ticketId: number | null, receivedAt: string) {
  const res = await bridge.edge('/v1/edge/decisions', {
    call_id: callId,
    line: 'ai-agent',
    source: { ip: '198.51.100.7', port: 5060, transport: 'udp' },
    acl_entry: '198.51.100.0/24',
    sip: {
      from: `<sip:${from}@198.51.100.7;user=phone>;tag=${callId.slice(6, 12)}`,
      to: '<sip:support@sip.example.com>',
      request_uri: 'sip:support@sip.example.com',
      user_agent: 'VoiceAI/3.2',
    },
    ...(ticketId === null ? {} : { ticket_id: String(ticketId) }),
    codecs: ['PCMU', 'PCMA'],
    received_at: receivedAt,
  });
  expect(res.status).toBe(200);
}

async function events(list: Record<string, unknown>[]) {
  const res = await bridge.edge('/v1/edge/events', { events: list });
  expect(res.status).toBe(200);
}

/** The console as the stand-in's admin sees it, in a locale, tall enough for the heat maps. */
const openAdminConsole = (locale: string) =>
  openConsole(browser.context, harness.install(adminConsole(worker()))({ locale }), 1600);

/** Opens the console's tab named `name` from the keyboard: arrows from the first tab, Enter. */
async function openTab(page: Page, frame: Frame, name: string) {
  const tabs = frame.getByRole('tab');
  await tabs.first().waitFor({ timeout: WAIT });
  const names = await tabs.allInnerTexts();
  const index = names.findIndex((n) => n.trim() === name);
  expect(index, `tab ${name} among ${names.join(', ')}`).toBeGreaterThan(0);
  await tabs.first().focus();
  for (let i = 0; i < index; i++) await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  expect(await tabs.nth(index).getAttribute('aria-selected')).toBe('true');
}

async function showSeededDays(frame: Frame) {
  // The range form's two date fields, then its submit button (the last button of the form).
  const form = frame.locator('form.console-range');
  await form.locator('input[type="date"]').nth(0).fill('2026-11-16');
  await form.locator('input[type="date"]').nth(1).fill('2026-11-17');
  await form.locator('button[type="submit"]').click();
  await frame.locator('tr[data-day="2026-11-16"]').waitFor({ timeout: WAIT });
}

const cellText = (frame: Frame, measure: string, cell: string) =>
  frame.locator(`[data-measure="${measure}"] td[data-cell="${cell}"]`).innerText();

describe.skipIf(missing)('console usage and call log in Chromium against the real Worker', () => {
  beforeAll(async () => {
    if (!ensureAppBuilt()) throw new Error('the app did not build (see above)');
    bridge = await startBridge({ ACCOUNT_TIME_ZONE: ZONE });
    harness = await startHarness({
      appDist: join(ROOT, 'zendesk-app', 'dist'),
      zendesk: bridge.zendesk,
    });
    browser = await launchChromium();
    const line = await bridge.admin('/v1/admin/lines', {
      slug: 'ai-agent',
      name: 'AI voice agent',
      sip_targets: ['sip:mongoose@mongoose.sip.twilio.com'],
      default_country: 'US',
      acl: [{ cidr: '198.51.100.0/24', label: 'VoiceAI carrier' }],
    });
    expect(line.status).toBe(201);
    await decide(ADA, '+14155550100', OPEN_TICKET_ID, '2026-11-16T15:05:00.000Z');
    await decide(RIVERA, '+14155550199', PENDING_TICKET_ID, '2026-11-16T15:05:30.000Z');
    await decide(LATE, '+14155550100', null, '2026-11-17T01:30:00.000Z');
    await events([
      { call_id: ADA, kind: 'answered', at: '2026-11-16T15:05:05.000Z', sip_code: 200 },
      { call_id: ADA, kind: 'ended', at: '2026-11-16T15:06:10.000Z', ended_by: 'caller' },
      { call_id: RIVERA, kind: 'answered', at: '2026-11-16T15:05:35.000Z', sip_code: 200 },
      { call_id: RIVERA, kind: 'ended', at: '2026-11-16T15:15:35.000Z', ended_by: 'callee' },
      {
        call_id: LATE,
        kind: 'cancelled',
        at: '2026-11-17T01:30:20.000Z',
        sip_code: 487,
        reason: 'Request Terminated',
        ended_by: 'caller',
      },
    ]);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await bridge?.stop();
  }, 30_000);

  it('shows usage per line and New York day, the heat maps, and downloads the CSV', async () => {
    const { page, frame, chunkRequests } = await openAdminConsole('en-US');
    await frame.getByRole('tab', { name: 'Usage' }).waitFor({ timeout: WAIT });
    // Each page is its own chunk, fetched when its tab is first opened.
    expect(chunkRequests('UsagePage')).toBe(0);
    await openTab(page, frame, 'Usage');
    await showSeededDays(frame);
    expect(chunkRequests('UsagePage')).toBe(1);
    expect(chunkRequests('CallLogPage')).toBe(0);

    const day = frame.locator('tr[data-day="2026-11-16"]');
    expect(await frame.locator('tbody tr[data-day]').count()).toBe(1);
    expect(await day.locator('[data-part="calls"]').innerText()).toBe('3');
    expect(await day.locator('[data-part="answered-rate"]').innerText()).toBe('66.7%');
    // Billed as Zendesk bills a leg: 65 s is 2 minutes, 600 s is 10; $0.01 a minute.
    expect(await day.locator('[data-part="minutes"]').innerText()).toBe('12');
    expect(await day.locator('[data-part="cost"]').innerText()).toBe('$0.12');
    expect(await frame.locator('[data-part="time-zone"]').innerText()).toContain(ZONE);

    // Monday (row 0) 10:00 and 20:00 New York time; nothing at Tuesday 01:00 (UTC's reading).
    expect(await cellText(frame, 'calls', '0:10')).toBe('2');
    expect(await cellText(frame, 'calls', '0:20')).toBe('1');
    expect(await cellText(frame, 'calls', '1:1')).toBe('0');
    expect(await cellText(frame, 'peak_concurrent', '0:10')).toBe('2');
    expect(await cellText(frame, 'peak_concurrent', '0:20')).toBe('1');
    expect(await frame.locator('[data-part="peaks"]').innerText()).toBe(
      'Most calls: Monday at 10:00 (2). Highest concurrent peak: Monday at 10:00 (2 at once).',
    );
    // The heat maps are reached from the keyboard: Tab from the last table lands on them.
    const region = frame.getByRole('region', { name: 'Calls received' });
    await region.focus();
    expect(await region.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Tab');
    const next = frame.getByRole('region', { name: 'Peak concurrent calls' });
    expect(await next.evaluate((el) => el === document.activeElement)).toBe(true);

    const downloaded = page.waitForEvent('download', { timeout: WAIT });
    await frame.getByRole('button', { name: 'Download CSV' }).click();
    const file = await downloaded;
    expect(file.suggestedFilename()).toBe('usage-2026-11-16-2026-11-17-America_New_York.csv');
    const csv = readFileSync((await file.path())!, 'utf8');
    expect(csv.split('\r\n')).toEqual([
      'day,line,line_name,calls,answered,answered_rate,rejected,minutes,cost_micros,cost_usd',
      '2026-11-16,ai-agent,AI voice agent,3,2,0.6667,0,12,120000,0.12',
      '',
    ]);
    // The CSV came through the proxy like every request: no token in any URL the page opened.
    const asked = harness.proxied.find((r) => r.url.includes('/v1/console/usage.csv'));
    expect(asked?.status).toBe(200);
    expect(asked?.url).not.toContain(bridge.secrets.APP_JWT_SECRET);

    expect(await axeViolations(frame)).toEqual([]);
    console.log(`screenshot: ${await screenshot(page, 'console-usage-en')}`);
    await page.close();
  }, 90_000);

  for (const [locale, tab, weekday] of [
    ['fr-FR', 'Utilisation', 'lundi'],
    ['ko-KR', '사용량', '월요일'],
    ['ru-RU', 'Использование', 'понедельник'],
  ] as const) {
    it(`renders the seeded usage and heat map in ${locale}, axe-clean`, async () => {
      const { page, frame } = await openAdminConsole(locale);
      await frame.getByRole('tab', { name: tab }).click();
      await showSeededDays(frame);
      const day = frame.locator('tr[data-day="2026-11-16"]');
      expect(await day.locator('[data-part="calls"]').innerText()).toBe('3');
      expect(await day.locator('[data-part="minutes"]').innerText()).toBe('12');
      expect(await day.locator('[data-part="cost"]').innerText()).toMatch(/0[,.]12/);
      expect(await cellText(frame, 'peak_concurrent', '0:10')).toBe('2');
      const firstRow = frame.locator('[data-measure="calls"] tbody th').first();
      expect(await firstRow.innerText()).toBe(weekday);
      expect(await frame.locator('[data-part="time-zone"]').innerText()).toContain(ZONE);
      expect(await axeViolations(frame)).toEqual([]);
      console.log(`screenshot: ${await screenshot(page, `console-usage-${locale.slice(0, 2)}`)}`);
      await page.close();
    }, 60_000);
  }

  it('finds calls by number and by ticket, and opens one with the sidebar’s details', async () => {
    const { page, frame } = await openAdminConsole('en-US');
    await openTab(page, frame, 'Call log');
    const rows = frame.locator('tbody tr[data-call-id]');
    await expect.poll(() => rows.count(), { timeout: WAIT }).toBe(3);

    await frame.getByLabel(/^Caller number/).fill('(415) 555-0100');
    await frame.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => rows.count(), { timeout: WAIT }).toBe(2);
    expect(await rows.evaluateAll((r) => r.map((e) => e.getAttribute('data-call-id')))).toEqual([
      LATE,
      ADA,
    ]);
    // On the account's clock: 20:30 in New York (01:30 the next day in UTC).
    expect(await rows.first().locator('time').innerText()).toBe('Nov 16, 2026, 8:30 PM');

    await frame.getByLabel(/^Caller number/).fill('');
    await frame.getByLabel('Ticket', { exact: true }).fill(String(PENDING_TICKET_ID));
    await frame.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => rows.count(), { timeout: WAIT }).toBe(1);
    const rivera = frame.locator(`tr[data-call-id="${RIVERA}"]`);
    expect(await rivera.innerText()).toContain(`#${PENDING_TICKET_ID}`);

    // From the keyboard: the row's Details button, then Enter.
    await rivera.getByRole('button', { name: /^Details/ }).focus();
    await page.keyboard.press('Enter');
    const card = frame.locator(`article[data-call-id="${RIVERA}"]`);
    await card.waitFor({ timeout: WAIT });
    expect(await card.locator('[data-part="duration"]').innerText()).toMatch(/10 min/);
    expect(await card.locator('[data-part="cost"]').innerText()).toBe('$0.10');
    expect(await card.locator('[data-part="line"]').innerText()).toBe('ai-agent');
    // A shared number: both Riveras listed, with no requester to set from the console.
    expect(await card.locator('[data-part="caller"]').innerText()).toContain('Sam Rivera');
    expect(await card.getByRole('button', { name: /Set as requester/ }).count()).toBe(0);
    expect(await axeViolations(frame)).toEqual([]);
    console.log(`screenshot: ${await screenshot(page, 'console-call-log-en')}`);

    // Where the sidebar lists previous calls, the console searches the log for the number.
    await card.getByRole('button', { name: 'All calls from this number' }).click();
    await card.waitFor({ state: 'detached', timeout: WAIT });
    expect(await frame.getByLabel(/^Caller number/).inputValue()).toBe('+14155550199');
    expect(await frame.getByLabel('Ticket', { exact: true }).inputValue()).toBe('');
    await expect.poll(() => rows.count(), { timeout: WAIT }).toBe(1);

    // A filter the Worker refuses shows under its field.
    await frame.getByLabel(/^Caller number/).fill('call me');
    await frame.getByRole('button', { name: 'Search', exact: true }).click();
    await frame.getByText(/This is not a phone number/).waitFor({ timeout: WAIT });
    await page.close();
  }, 90_000);
});
