// The sidebar app end to end: built bundle, a harness playing Zendesk's side of ZAF, the real
// Worker (wrangler dev + local D1) and the Zendesk stand-in, in Debian's Chromium. Loopback only.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Frame, Page } from 'playwright-core';
import { ensureAppBuilt } from '../../scripts/lib/local-app.mjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ALEX_RIVERA_ID,
  DEMO_OAUTH_TOKENS,
  GRACE_HOPPER_AGENT_ID,
  HEDY_LAMARR_RESTRICTED_ID,
  OPEN_TICKET_ID,
  PENDING_TICKET_ID,
  SAM_RIVERA_ID,
} from '@sip-bridge/zendesk-standin/seed';
import { startBridge, type Bridge } from './bridge';
import { chromiumMissing, launchChromium } from './chromium';
import { agentInstallation, openSidebar, WAIT } from './sidebar-page';
import {
  startHarness,
  type Harness,
  type Installation,
} from '../../scripts/lib/harness-page/server';

const ROOT = new URL('../..', import.meta.url).pathname;
const SHOTS = join(ROOT, 'test-results', 'app');
const missing = chromiumMissing();

let bridge: Bridge;
let harness: Harness;
let browser: { context: BrowserContext; close(): Promise<void> };
let pageFor: (query: { ticket?: number; locale?: string }) => string;

// Seconds before a clock read once per test (and once for the seeding): two times given one
// after the other are exactly their seconds apart (a millisecond between two reads would make a
// 95 s call 96 s, the Worker rounding a started second up).
let clock = Date.now();
const ago = (s: number) => new Date(clock - s * 1000).toISOString();
beforeEach(() => {
  clock = Date.now();
});

function installation(settings: Partial<Installation['settings']> = {}): Installation {
  return agentInstallation(
    { url: bridge.url, appJwtSecret: bridge.secrets.APP_JWT_SECRET },
    settings,
  );
}

/** Hedy Lamarr: an agent Zendesk restricts to the Billing group's tickets (1002 only). */
function restrictedAgent(): Installation {
  return {
    ...installation(),
    currentUser: { id: HEDY_LAMARR_RESTRICTED_ID, name: 'Hedy Lamarr', role: 'agent' },
    agentToken: DEMO_OAUTH_TOKENS.hedyLamarr,
  };
}

async function decide(callId: string, from: string, ticketId: number, receivedS: number) {
  const res = await bridge.edge('/v1/edge/decisions', {
    call_id: callId,
    line: 'ai-agent',
    source: { ip: '198.51.100.7', port: 5060, transport: 'udp' },
    acl_entry: '198.51.100.0/24',
    sip: {
      from: `<sip:${from}@198.51.100.7;user=phone>;tag=${callId.slice(0, 6)}`,
      to: '<sip:support@sip.example.com>',
      request_uri: 'sip:support@sip.example.com',
      user_agent: 'VoiceAI/3.2',
    },
    ticket_id: String(ticketId),
    codecs: ['PCMU', 'PCMA', 'telephone-event'],
    received_at: ago(receivedS),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { action: string; call: { match: string; ticket_link: string } };
}

async function events(list: Record<string, unknown>[]) {
  const res = await bridge.edge('/v1/edge/events', { events: list });
  expect(res.status).toBe(200);
}

function open(query: { ticket?: number; locale?: string }, url = pageFor(query)) {
  return openSidebar(browser.context, url);
}

/** axe-core's violations in the app's frame, as it stands. */
async function axeViolations(frame: Frame) {
  const axeSource = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  if (!(await frame.evaluate(() => 'axe' in window)))
    await frame.addScriptTag({ content: axeSource });
  return frame.evaluate(async () => {
    const axe = (window as any).axe;
    const r = await axe.run(document);
    return r.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n: any) => n.target.join(' ')),
    }));
  });
}

/** Holds every request for a chunk until `release()`, or answers it with a network error. */
async function holdChunk(page: Page, chunk: string, { fail = false } = {}) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const pattern = new RegExp(`/assets/${chunk}-[\\w-]+\\.js(?:[?#]|$)`);
  await page.route(pattern, async (route) => {
    if (fail) return route.abort('internetdisconnected');
    await released;
    await route.continue();
  });
  return { release, stop: () => page.unroute(pattern) };
}

const TRANSCRIPT = [
  { role: 'agent', text: 'Hello, how can I help?', at: ago(120) },
  { role: 'caller', text: 'My router keeps rebooting.', at: ago(115) },
  { role: 'system', text: 'Transferring to a person.' },
];

/** An AI agent's handoff (a new ticket, with its transcript) and the call it transferred. */
async function handedOffCall(callId: string, phone: string): Promise<number> {
  const key = await bridge.admin('/v1/admin/lines/ai-agent/api-keys', {
    label: 'Acme Voice AI (production)',
  });
  expect(key.status).toBe(201);
  const { secret } = (await key.json()) as { secret: string };
  const res = await fetch(`${bridge.url}/v1/handoffs`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      caller: { phone },
      summary: 'Router X2 reboots every few minutes since firmware 4.2.',
      transcript: TRANSCRIPT,
      intent: 'technical_support',
      language: 'en-US',
    }),
  });
  expect(res.status).toBe(201);
  const { ticket_id: ticketId } = (await res.json()) as { ticket_id: number };
  await decide(callId, phone, ticketId, 30);
  return ticketId;
}

/** ms from the harness answering the handshake with app.registered to the first call card. */
async function timeToDetails(page: Page, frame: Frame): Promise<number> {
  const shownAt = await frame.waitForFunction(
    () => document.querySelector('[data-call-id]') && performance.timeOrigin + performance.now(),
    undefined,
    { timeout: WAIT },
  );
  const registeredAt = await page.evaluate(() => (window as any).__zaf.registeredAt as number);
  return Number(await shownAt.jsonValue()) - registeredAt;
}

async function screenshot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.locator('#sidebar').screenshot({ path });
  return path;
}

describe.skipIf(missing)('sidebar app in Chromium against the real Worker', () => {
  beforeAll(async () => {
    // Built only when stale, like npm start, so suites sharing dist never rebuild it under each other.
    if (!ensureAppBuilt()) throw new Error('the sidebar app did not build (see above)');

    bridge = await startBridge();
    harness = await startHarness({
      appDist: join(ROOT, 'zendesk-app', 'dist'),
      zendesk: bridge.zendesk,
    });
    pageFor = harness.install(installation());
    browser = await launchChromium();

    const line = await bridge.admin('/v1/admin/lines', {
      slug: 'ai-agent',
      name: 'AI voice agent',
      sip_targets: ['sip:mongoose@mongoose.sip.twilio.com'],
      default_country: 'US',
      acl: [{ cidr: '198.51.100.0/24', label: 'VoiceAI carrier' }],
    });
    expect(line.status).toBe(201);

    clock = Date.now(); // the seeded calls' times, from one clock read
    // Two days earlier Ada called about ticket 1002 (Billing): her history on 1001 shows it.
    await decide('app-ada-0@198.51.100.7', '+14155550100', PENDING_TICKET_ID, 2 * 86_400);
    await events([
      {
        call_id: 'app-ada-0@198.51.100.7',
        kind: 'answered',
        at: ago(2 * 86_400 - 5),
        sip_code: 200,
      },
      {
        call_id: 'app-ada-0@198.51.100.7',
        kind: 'ended',
        at: ago(2 * 86_400 - 100),
        ended_by: 'callee',
      },
    ]);
    // Ticket 1001: Ada called (matched, answered, 65 s); later a shared number hung up ringing.
    const ada = await decide('app-ada-1@198.51.100.7', '+14155550100', OPEN_TICKET_ID, 300);
    expect(ada.call).toMatchObject({ match: 'matched', ticket_link: 'passed' });
    await events([
      { call_id: 'app-ada-1@198.51.100.7', kind: 'answered', at: ago(296), sip_code: 200 },
      { call_id: 'app-ada-1@198.51.100.7', kind: 'ended', at: ago(231), ended_by: 'caller' },
    ]);
    const shared = await decide('app-rivera-2@198.51.100.7', '+14155550199', OPEN_TICKET_ID, 60);
    expect(shared.call.match).toBe('ambiguous');
    await events([
      {
        call_id: 'app-rivera-2@198.51.100.7',
        kind: 'cancelled',
        at: ago(50),
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

  it('shows the calls on the ticket, newest first, with caller, match, line, status and cost', async () => {
    const { page, frame } = await open({ ticket: OPEN_TICKET_ID, locale: 'en-US' });
    // The figure is a benchmark (npm run bench reads this line), not an assertion.
    const ms = await timeToDetails(page, frame);
    console.log(`app.registered → call details shown: ${ms.toFixed(0)} ms`);

    const cards = frame.locator('article[data-call-id]');
    await expect.poll(() => cards.count(), { timeout: WAIT }).toBe(2);
    expect(await cards.nth(0).getAttribute('data-call-id')).toBe('app-rivera-2@198.51.100.7');

    const ada = frame.locator('article[data-call-id="app-ada-1@198.51.100.7"]');
    await expect
      .poll(() => ada.locator('[data-part="caller"]').innerText(), { timeout: WAIT })
      .toContain('Ada Lovelace');
    const caller = await ada.locator('[data-part="caller"]').innerText();
    expect(await ada.getByRole('link', { name: 'Ada Lovelace' }).getAttribute('href')).toBe(
      'https://harness.zendesk.com/agent/users/20001',
    );
    expect(caller).toContain('+1 415 555 0100');
    expect(caller).toContain('(+14155550100)');
    expect(await ada.locator('[data-part="line"]').innerText()).toBe('ai-agent');
    expect(await ada.locator('[data-part="carrier"]').innerText()).toContain('198.51.100.0/24');
    expect(await ada.locator('[data-part="ticket-link"]').innerText()).toBe(
      'Passed by the AI agent',
    );
    expect(await ada.locator('[data-part="final-status"]').innerText()).toContain('200 · Answered');
    expect(await ada.locator('[data-part="cost"]').innerText()).toBe('$0.02');
    expect(await ada.locator('[data-part="duration"]').innerText()).toMatch(/1 min.*5 sec/);

    const rivera = cards.nth(0);
    expect(await rivera.locator('[data-part="final-status"]').innerText()).toContain(
      '487 · Caller hung up before answer',
    );
    expect(await rivera.locator('[data-part="candidates"]').innerText()).toMatch(
      /Sam Rivera[\s\S]*Alex Rivera|Alex Rivera[\s\S]*Sam Rivera/,
    );

    // The secret never reached the page; the proxy signed a JWT for the Worker instead.
    const zaf = await page.evaluate(() => (window as any).__zaf);
    expect(JSON.stringify(zaf)).not.toContain(bridge.secrets.APP_JWT_SECRET);
    const toWorker = harness.proxied.find((r) =>
      r.url.endsWith(`/v1/tickets/${OPEN_TICKET_ID}/calls`),
    );
    expect(toWorker).toMatchObject({
      status: 200,
      jwtClaims: { aud: 'sip-bridge-api', sub: String(GRACE_HOPPER_AGENT_ID) },
    });
    expect(toWorker?.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    // The proxy filled in the agent's own OAuth token; the page never saw it.
    expect(toWorker?.agentToken).toBe(`Bearer ${DEMO_OAUTH_TOKENS.graceHopper}`);
    expect(JSON.stringify(zaf)).not.toContain(DEMO_OAUTH_TOKENS.graceHopper);
    // It asked Zendesk to fit the iframe to its content.
    expect(zaf.invokes.some((i: any) => i.name === 'resize' && i.args[0].width === '100%')).toBe(
      true,
    );

    console.log(`screenshot: ${await screenshot(page, 'sidebar-en')}`);
    await page.close();
  }, 60_000);

  it('has no axe-core violations', async () => {
    const { page, frame } = await open({ ticket: OPEN_TICKET_ID, locale: 'en-US' });
    await frame.waitForSelector('[data-call-id]', { timeout: WAIT });
    // With every "Previous calls" open and loaded: Ada's list and the shared number's empty one.
    for (const summary of await frame.locator('[data-part="history"] > summary').all()) {
      await summary.click();
    }
    await frame.locator('[data-part="history-call"]').first().waitFor({ timeout: WAIT });
    await frame.locator('[data-part="history"] [data-state="empty"]').waitFor({ timeout: WAIT });
    expect(await axeViolations(frame)).toEqual([]);
    await page.close();
  }, 60_000);

  it("shows a repeat caller's previous calls, the ticket a link that opens it, by keyboard", async () => {
    const { page, frame, chunkRequests } = await open({ ticket: OPEN_TICKET_ID, locale: 'en-US' });
    const ada = frame.locator('article[data-call-id="app-ada-1@198.51.100.7"]');
    const summary = ada.locator('[data-part="history"] > summary');
    await summary.waitFor({ timeout: WAIT });
    expect(await summary.innerText()).toBe('Previous calls');
    // Collapsed: nothing asked until the agent opens it.
    const asked = () => harness.proxied.filter((r) => r.url.endsWith('/history')).slice(before);
    const before = harness.proxied.filter((r) => r.url.endsWith('/history')).length;
    await frame.locator('main[data-phase="ready"]').waitFor({ timeout: WAIT });
    expect(asked()).toHaveLength(0);
    // Nor the list's code: a chunk of its own, asked for alongside the history.
    expect(chunkRequests('PreviousCallsList')).toBe(0);
    await summary.focus();
    await page.keyboard.press('Enter');
    const rows = ada.locator('[data-part="history-call"]');
    await rows.first().waitFor({ timeout: WAIT });
    expect(chunkRequests('PreviousCallsList')).toBe(1);
    expect(await rows.count()).toBe(1);
    const row = await rows.first().innerText();
    expect(row).toContain('Answered');
    expect(row).toContain('AI voice agent');
    expect(row).toMatch(/1 min.*35 sec/);
    const when = await rows.first().locator('time').getAttribute('datetime');
    expect(Date.now() - Date.parse(when ?? '')).toBeGreaterThan(2 * 86_400_000 - 60_000);
    expect(asked()).toMatchObject([
      {
        status: 200,
        url: `${bridge.url}/v1/tickets/${OPEN_TICKET_ID}/calls/app-ada-1%40198.51.100.7/history`,
        agentToken: `Bearer ${DEMO_OAUTH_TOKENS.graceHopper}`,
      },
    ]);

    const link = rows.first().getByRole('link', { name: `Ticket #${PENDING_TICKET_ID}` });
    expect(await link.getAttribute('href')).toBe(
      `https://harness.zendesk.com/agent/tickets/${PENDING_TICKET_ID}`,
    );
    await link.focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.evaluate(() => (window as any).__zaf.invokes), { timeout: WAIT })
      .toContainEqual({ name: 'routeTo', args: ['ticket', PENDING_TICKET_ID] });
    // The shared number has no other call.
    const rivera = frame.locator('article[data-call-id="app-rivera-2@198.51.100.7"]');
    await rivera.locator('[data-part="history"] > summary').click();
    await expect
      .poll(() => rivera.locator('[data-part="history"]').innerText(), { timeout: WAIT })
      .toContain('No other calls from this number.');
    console.log(`screenshot: ${await screenshot(page, 'sidebar-history-en')}`);
    await page.close();
  }, 60_000);

  it("shows a restricted agent the caller's other calls, without the tickets they may not see", async () => {
    const url = harness.install(restrictedAgent())({ ticket: PENDING_TICKET_ID, locale: 'en' });
    const { page, frame } = await open({}, url);
    const card = frame.locator('article[data-call-id="app-ada-0@198.51.100.7"]');
    await card.locator('[data-part="history"] > summary').click({ timeout: WAIT });
    const rows = card.locator('[data-part="history-call"]');
    await rows.first().waitFor({ timeout: WAIT });
    // Ada's call on 1001 (Support) is listed, with no ticket: Hedy may see only Billing's.
    expect(await rows.count()).toBe(1);
    expect(await rows.first().locator('a').count()).toBe(0);
    const text = await card.locator('[data-part="history"]').innerText();
    expect(text).not.toContain(String(OPEN_TICKET_ID));
    expect(text).not.toContain('Ticket #');
    const answer = harness.proxied.filter((r) => r.url.endsWith('/history')).at(-1);
    expect(answer).toMatchObject({
      status: 200,
      agentToken: `Bearer ${DEMO_OAUTH_TOKENS.hedyLamarr}`,
    });
    await page.close();
  }, 60_000);

  it('loads the handoff transcript only when the agent opens it, keeping focus on its button', async () => {
    const callId = 'app-handoff-4@198.51.100.7';
    const ticketId = await handedOffCall(callId, '+442079460958');
    const { page, frame, chunkRequests } = await open({ ticket: ticketId, locale: 'en' });
    const held = await holdChunk(page, 'Transcript');
    const handoff = frame.locator(`article[data-call-id="${callId}"] [data-part="handoff"]`);
    await handoff.waitFor({ timeout: WAIT });
    expect(await handoff.locator('h3').innerText()).toBe(
      'Handed off by Acme Voice AI (production)',
    );
    expect(await handoff.locator('[data-part="handoff-summary"]').innerText()).toContain(
      'Router X2 reboots',
    );
    await frame.locator('main[data-phase="ready"]').waitFor({ timeout: WAIT });
    expect(chunkRequests('Transcript')).toBe(0);

    const button = handoff.getByRole('button', { name: 'Transcript (3)' });
    await button.focus();
    await page.keyboard.press('Enter');
    const region = handoff.locator('[data-part="handoff-transcript"]');
    expect(await button.getAttribute('aria-controls')).toBe(await region.getAttribute('id'));
    // While the chunk is on its way: a polite status in the region, focus still on the button.
    const status = region.getByRole('status', { name: 'Loading the transcript…' });
    await status.waitFor({ timeout: WAIT });
    expect(await status.getAttribute('aria-live')).toBe('polite');
    await expect.poll(() => chunkRequests('Transcript'), { timeout: WAIT }).toBe(1);
    const focused = () => frame.evaluate(() => document.activeElement?.textContent ?? null);
    expect(await focused()).toBe('Transcript (3)');
    expect(await axeViolations(frame)).toEqual([]);

    held.release();
    const turns = region.locator('li');
    await turns.nth(2).waitFor({ timeout: WAIT });
    expect(await turns.allInnerTexts()).toEqual([
      expect.stringMatching(/^AI agent · .+\nHello, how can I help\?$/),
      expect.stringMatching(/^Caller · .+\nMy router keeps rebooting\.$/),
      'System\nTransferring to a person.',
    ]);
    expect(await region.getByRole('status').count()).toBe(0);
    expect(await focused()).toBe('Transcript (3)');
    expect(await axeViolations(frame)).toEqual([]);
    console.log(`screenshot: ${await screenshot(page, 'sidebar-handoff-en')}`);

    // Closed and opened again: shown at once, the chunk not asked for again.
    await page.keyboard.press('Enter');
    expect(await region.isHidden()).toBe(true);
    await page.keyboard.press('Enter');
    await turns.nth(2).waitFor({ timeout: WAIT });
    expect(chunkRequests('Transcript')).toBe(1);
    await held.stop();
    await page.close();
  }, 60_000);

  it('says so, with Retry, where the transcript cannot be fetched, and keeps the call details', async () => {
    const callId = 'app-handoff-5@198.51.100.7';
    const ticketId = await handedOffCall(callId, '+442079460959');
    const { page, frame } = await open({ ticket: ticketId, locale: 'fr' });
    const failing = await holdChunk(page, 'Transcript', { fail: true });
    const card = frame.locator(`article[data-call-id="${callId}"]`);
    await card.getByRole('button', { name: 'Transcription (3)' }).click({ timeout: WAIT });
    const alert = card.locator('[data-part="handoff-transcript"]').getByRole('alert');
    await alert.waitFor({ timeout: WAIT });
    expect(await alert.innerText()).toContain(
      "Cette partie de l'application n'a pas pu être chargée.",
    );
    expect(await card.locator('[data-part="line"]').innerText()).toBe('ai-agent');
    expect(await frame.locator('main').getAttribute('data-phase')).toBe('ready');

    await failing.stop();
    await alert.getByRole('button', { name: 'Réessayer' }).click();
    const turns = card.locator('[data-part="handoff-transcript"] li');
    await turns.nth(2).waitFor({ timeout: WAIT });
    expect(await turns.nth(1).innerText()).toContain('Appelant');
    await page.close();
  }, 60_000);

  for (const [locale, expected] of [
    ['fr-FR', "Transmis par l'agent IA"],
    ['ru', 'Передана ИИ-агентом'],
    ['ko', 'AI 상담원이 전달함'],
  ] as const) {
    it(`follows the agent's locale (${locale})`, async () => {
      const { page, frame } = await open({ ticket: OPEN_TICKET_ID, locale });
      const link = frame.locator(
        'article[data-call-id="app-ada-1@198.51.100.7"] [data-part="ticket-link"]',
      );
      await expect.poll(() => link.innerText(), { timeout: WAIT }).toBe(expected);
      expect(await frame.evaluate(() => document.documentElement.lang)).toBe(locale.slice(0, 2));
      await frame.waitForTimeout(300);
      console.log(`screenshot: ${await screenshot(page, `sidebar-${locale.slice(0, 2)}`)}`);
      await page.close();
    }, 60_000);
  }

  it("shows a restricted agent no calls, numbers or candidates of another group's ticket", async () => {
    const url = harness.install(restrictedAgent())({ ticket: OPEN_TICKET_ID, locale: 'en' });
    const { page, frame } = await open({}, url);
    const error = frame.locator('[data-state="error"]');
    await error.waitFor({ timeout: WAIT });
    expect(await error.getAttribute('data-error-kind')).toBe('not_permitted');
    expect(await error.innerText()).toContain("You cannot see this ticket's calls");
    const text = await frame.locator('main').innerText();
    for (const leak of ['Rivera', 'Ada Lovelace', '415', 'ai-agent'])
      expect(text).not.toContain(leak);
    expect(await frame.locator('article[data-call-id]').count()).toBe(0);
    await screenshot(page, 'sidebar-not-permitted-en');
    await page.close();
  }, 60_000);

  it("shows the restricted agent their own group's ticket", async () => {
    const url = harness.install(restrictedAgent())({ ticket: PENDING_TICKET_ID, locale: 'en' });
    const { page, frame } = await open({}, url);
    await frame.locator('main[data-phase="ready"]').waitFor({ timeout: WAIT });
    expect(await frame.locator('[data-state="error"]').count()).toBe(0);
    await page.close();
  }, 60_000);

  it('does not let the restricted agent set the caller, even through the ZAF proxy by hand', async () => {
    const url = harness.install(restrictedAgent())({ ticket: OPEN_TICKET_ID, locale: 'en' });
    const { page } = await open({}, url);
    // What a curious agent can send from their own browser: the app's request, with the proxy's
    // JWT and their own token filled in by Zendesk.
    // (the same options zendesk-app/src/app/lib/bridgeRequest.ts builds).
    const options = {
      url: `${bridge.url}/v1/tickets/${OPEN_TICKET_ID}/calls/${encodeURIComponent('app-rivera-2@198.51.100.7')}/caller`,
      type: 'PUT',
      secure: true,
      headers: {
        Authorization: 'Bearer {{jwt.token}}',
        'X-Zendesk-Agent-Token': 'Bearer {{setting.token}}',
      },
      jwt: {
        algorithm: 'HS256',
        secret_key: '{{setting.shared_secret}}',
        expiry: 300,
        claims: { aud: 'sip-bridge-api', sub: String(HEDY_LAMARR_RESTRICTED_ID) },
      },
      contentType: 'application/json',
      data: JSON.stringify({ user_id: SAM_RIVERA_ID }),
    };
    const answer = await page.evaluate(async (opts) => {
      const run = document.querySelector('meta[name="harness-run"]')?.getAttribute('content');
      const res = await fetch(`/__zaf/request${location.search}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Harness-Run': run ?? '' },
        body: JSON.stringify(opts),
      });
      return (await res.json()) as { status: number; responseText: string };
    }, options);
    expect(answer.status).toBe(404);
    expect(answer.responseText).not.toContain('Rivera');
    // The call is still ambiguous for a permitted agent.
    const view = await open({ ticket: OPEN_TICKET_ID, locale: 'en' });
    const card = view.frame.locator('article[data-call-id="app-rivera-2@198.51.100.7"]');
    await card.waitFor({ timeout: WAIT });
    expect(await card.locator('[data-part="caller"]').getAttribute('data-match')).toBe('ambiguous');
    await view.page.close();
    await page.close();
  }, 60_000);

  it('asks the agent to sign in again when Zendesk holds no token for them', async () => {
    const url = harness.install({ ...installation(), agentToken: null })({
      ticket: OPEN_TICKET_ID,
    });
    const { page, frame } = await open({}, url);
    const error = frame.locator('[data-state="error"]');
    await error.waitFor({ timeout: WAIT });
    expect(await error.getAttribute('data-error-kind')).toBe('sign_in');
    expect(await error.innerText()).toContain('Sign in to Zendesk again');
    expect(await frame.locator('article[data-call-id]').count()).toBe(0);
    await page.close();
  }, 60_000);

  it('sets a chosen candidate as requester and records the choice on the call', async () => {
    const { page, frame } = await open({ ticket: OPEN_TICKET_ID, locale: 'en' });
    const card = frame.locator('article[data-call-id="app-rivera-2@198.51.100.7"]');
    const button = card.getByRole('button', { name: 'Set as requester: Alex Rivera' });
    await button.waitFor({ timeout: WAIT });
    await button.focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => card.locator('[data-part="caller"]').getAttribute('data-match'), {
        timeout: WAIT,
      })
      .toBe('matched');
    expect(await card.locator('[data-part="caller"]').innerText()).toContain('Alex Rivera');
    const zaf = await page.evaluate(() => (window as any).__zaf);
    expect(zaf.sets).toEqual([{ path: 'ticket.requester', value: { id: ALEX_RIVERA_ID } }]);
    const put = harness.proxied.filter((r) => r.method === 'PUT').at(-1);
    expect(put).toMatchObject({ status: 200 });
    expect(put?.url).toContain('/calls/app-rivera-2%40198.51.100.7/caller');
    expect(SAM_RIVERA_ID).not.toBe(ALEX_RIVERA_ID);
    await page.close();
  }, 60_000);

  it('re-polls a call in progress every 5 s and stops once it has ended', async () => {
    const callId = 'app-live-3@198.51.100.7';
    await decide(callId, '+33612345678', PENDING_TICKET_ID, 20);
    await events([{ call_id: callId, kind: 'answered', at: ago(15), sip_code: 200 }]);
    const { page, frame } = await open({ ticket: PENDING_TICKET_ID, locale: 'en' });
    const card = frame.locator(`article[data-call-id="${callId}"]`);
    await card.waitFor({ timeout: WAIT });
    expect(await card.getAttribute('data-status')).toBe('answered');
    expect(await card.locator('[data-part="live"]').count()).toBe(1);

    await events([
      { call_id: callId, kind: 'ended', at: new Date().toISOString(), ended_by: 'callee' },
    ]);
    await expect
      .poll(() => card.getAttribute('data-status'), { timeout: 12_000, interval: 500 })
      .toBe('completed');
    const countPolls = () =>
      harness.proxied.filter((r) => r.url.endsWith(`/v1/tickets/${PENDING_TICKET_ID}/calls`))
        .length;
    const afterEnd = countPolls();
    await page.waitForTimeout(6000);
    expect(countPolls()).toBe(afterEnd);
    await page.close();
  }, 60_000);

  it('says to check the shared secret when the Worker answers 401', async () => {
    const url = harness.install(installation({ shared_secret: 'not-the-bridge-secret-at-all' }))({
      ticket: OPEN_TICKET_ID,
    });
    const { page, frame } = await open({}, url);
    const error = frame.locator('[data-state="error"]');
    await error.waitFor({ timeout: WAIT });
    expect(await error.getAttribute('data-error-kind')).toBe('unauthorized');
    expect(await error.innerText()).toContain('APP_JWT_SECRET');
    await frame.getByRole('button', { name: 'Retry' }).click();
    await error.waitFor({ timeout: WAIT });
    await screenshot(page, 'sidebar-error-en');
    await page.close();
  }, 60_000);

  it('says to check the API URL when the Worker cannot be reached', async () => {
    const url = harness.install(installation({ api_url: 'http://127.0.0.1:9' }))({
      ticket: OPEN_TICKET_ID,
    });
    const { page, frame } = await open({}, url);
    const error = frame.locator('[data-state="error"]');
    await error.waitFor({ timeout: WAIT });
    expect(await error.getAttribute('data-error-kind')).toBe('unreachable');
    expect(await error.innerText()).toContain('API URL');
    await page.close();
  }, 60_000);
});
