// The console's Live calls page end to end: a call seeded through signed edge requests (as the
// edge agent sends them) shows in the console, an admin ends it by keyboard, the hang-up is served
// to a signed edge poll, and the page announces the call ended. Built bundle, ZAF harness, real
// Worker (wrangler dev + local D1), the Zendesk stand-in, Debian's Chromium.
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_USER_ID, OPEN_TICKET_ID } from '@sip-bridge/zendesk-standin/seed';
import { ensureAppBuilt } from '../../scripts/lib/local-app.mjs';
import { startHarness, type Harness } from '../../scripts/lib/harness-page/server';
import { startBridge, type Bridge } from './bridge';
import { chromiumMissing, launchChromium } from './chromium';
import { adminConsole, axeViolations, openConsole, screenshot } from './console-page';
import { WAIT } from './sidebar-page';

const ROOT = new URL('../..', import.meta.url).pathname;
const missing = chromiumMissing();
const ADA = '+14155550100';

let bridge: Bridge;
let harness: Harness;
let browser: { context: BrowserContext; close(): Promise<void> };
let calls = 0;

const worker = () => ({ url: bridge.url, appJwtSecret: bridge.secrets.APP_JWT_SECRET });

/** A call the edge relayed and Kamailio reported answered, from `from`, on the line. */
async function answeredCall(from: string, ticketId?: number): Promise<string> {
  const callId = `live-${Date.now()}-${++calls}@198.51.100.7`;
  const decided = await bridge.edge('/v1/edge/decisions', {
    call_id: callId,
    line: 'ai-agent',
    source: { ip: '198.51.100.7', port: 5060, transport: 'udp' },
    acl_entry: '198.51.100.0/24',
    sip: {
      from: `<sip:${from}@198.51.100.7;user=phone>;tag=${calls}`,
      to: '<sip:support@sip.example.com>',
      request_uri: 'sip:support@sip.example.com',
      user_agent: 'VoiceAI/3.2',
    },
    ticket_id: ticketId === undefined ? null : String(ticketId),
    codecs: ['PCMU'],
  });
  expect(decided.status).toBe(200);
  await events([
    { call_id: callId, kind: 'answered', at: new Date().toISOString(), sip_code: 200 },
  ]);
  return callId;
}

async function events(list: Record<string, unknown>[]) {
  const res = await bridge.edge('/v1/edge/events', { events: list });
  expect(res.status).toBe(200);
}

/** What a polling edge agent gets now. */
async function pollCommands() {
  const res = await bridge.edge('/v1/edge/commands');
  expect(res.status).toBe(200);
  return ((await res.json()) as { commands: { id: string; kind: string; call_id: string }[] })
    .commands;
}

/** The admin's call record as the export shows it. */
async function record(callId: string) {
  const res = await fetch(`${bridge.url}/v1/reports/calls/export?start_time=0`, {
    headers: { Authorization: `Bearer ${bridge.secrets.ADMIN_TOKEN}` },
  });
  const { calls: found } = (await res.json()) as { calls: { call_id: string; final: unknown }[] };
  return found.find((c) => c.call_id === callId);
}

describe.skipIf(missing)('the console’s Live calls in Chromium against the real Worker', () => {
  beforeAll(async () => {
    if (!ensureAppBuilt()) throw new Error('the app did not build (see above)');
    bridge = await startBridge();
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
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await bridge?.stop();
  }, 30_000);

  it('shows a live call and ends it by keyboard; the edge is handed the hang-up once', async () => {
    const callId = await answeredCall(ADA, OPEN_TICKET_ID);
    const url = harness.install(adminConsole(worker()))({ locale: 'en-US' });
    const { page, frame } = await openConsole(browser.context, url);

    // By keyboard: from the Lines tab, the arrow key moves to Live calls.
    await frame.getByRole('tab', { name: 'Lines' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    const row = frame.getByRole('row').filter({ hasText: ADA });
    await row.waitFor({ timeout: WAIT });
    await row.getByText('Ada Lovelace').waitFor({ timeout: WAIT });
    expect(await row.textContent()).toContain(`#${OPEN_TICKET_ID}`);
    expect(await axeViolations(frame)).toEqual([]);
    console.log(`screenshot: ${await screenshot(page, 'console-live-call-en')}`);

    await row.getByRole('button', { name: `End call from ${ADA}` }).focus();
    await page.keyboard.press('Enter');
    // The confirmation has the focus: Enter ends the call.
    const yes = frame.getByRole('button', { name: 'Yes, end call' });
    await yes.waitFor({ timeout: WAIT });
    expect(await yes.evaluate((b) => b === document.activeElement)).toBe(true);
    expect(await axeViolations(frame)).toEqual([]);
    console.log(`screenshot: ${await screenshot(page, 'console-live-confirm-en')}`);
    await page.keyboard.press('Enter');
    const status = frame.getByRole('status').filter({ hasText: 'Ending the call' });
    await status.waitFor({ timeout: WAIT });
    expect(await status.getAttribute('aria-live')).toBe('polite');

    // The edge agent's next poll gets the hang-up, and only that poll.
    const [command] = await pollCommands();
    expect(command).toMatchObject({ kind: 'hangup', call_id: callId });
    expect(await pollCommands()).toEqual([]);
    // Kamailio ended the dialog: the agent reports it, and Kamailio's ended event follows.
    const reported = await bridge.edge(`/v1/edge/commands/${command!.id}/result`, {
      status: 'done',
    });
    expect(reported.status).toBe(200);
    await events([
      {
        call_id: callId,
        kind: 'ended',
        at: new Date().toISOString(),
        ended_by: 'proxy',
        reason: 'ended by the operator',
      },
    ]);
    // The page sees it at its next refresh and says so.
    await frame
      .getByRole('status')
      .filter({ hasText: `The call from ${ADA} has been ended.` })
      .waitFor({ timeout: WAIT });
    await row.waitFor({ state: 'detached', timeout: WAIT });
    expect(await record(callId)).toMatchObject({
      final: {
        ended_by: 'admin',
        cause: 'admin_hangup',
        ended_by_admin: `zendesk_user:${API_USER_ID}`,
      },
    });
    console.log(`screenshot: ${await screenshot(page, 'console-live-ended-en')}`);
    await page.close();
  }, 90_000);

  it('speaks English, French, Korean and Russian, axe-core clean, with a screenshot of each', async () => {
    await answeredCall('+33612345678');
    const tabs = {
      'en-US': 'Live calls',
      fr: 'Appels en cours',
      ko: '진행 중인 통화',
      ru: 'Текущие звонки',
    };
    const pageFor = harness.install(adminConsole(worker()));
    for (const [locale, tab] of Object.entries(tabs)) {
      const { page, frame } = await openConsole(browser.context, pageFor({ locale }));
      await frame.getByRole('tab', { name: tab }).click();
      await frame.getByRole('heading', { name: tab }).waitFor({ timeout: WAIT });
      await frame.getByRole('row').filter({ hasText: '+33612345678' }).waitFor({ timeout: WAIT });
      expect(await frame.evaluate(() => document.documentElement.lang)).toBe(locale.slice(0, 2));
      expect(await axeViolations(frame)).toEqual([]);
      console.log(`screenshot: ${await screenshot(page, `console-live-${locale.slice(0, 2)}`)}`);
      await page.close();
    }
  }, 120_000);
});
