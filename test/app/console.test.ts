// The admin console (nav_bar) end to end: built bundle, the harness playing Zendesk's side of ZAF,
// the real Worker (wrangler dev + local D1) and the Zendesk stand-in, in Debian's Chromium.
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAppBuilt } from '../../scripts/lib/local-app.mjs';
import { startHarness, type Harness } from '../../scripts/lib/harness-page/server';
import { startBridge, type Bridge } from './bridge';
import { chromiumMissing, launchChromium } from './chromium';
import {
  adminConsole,
  agentConsole,
  axeViolations,
  openConsole as openConsoleIn,
  screenshot,
} from './console-page';
import { startEdgeAgentSync } from './edge-agent';
import { WAIT } from './sidebar-page';

const ROOT = new URL('../..', import.meta.url).pathname;
const missing = chromiumMissing();

let bridge: Bridge;
let harness: Harness;
let browser: { context: BrowserContext; close(): Promise<void> };
let edge: ReturnType<typeof startEdgeAgentSync>;

const worker = () => ({ url: bridge.url, appJwtSecret: bridge.secrets.APP_JWT_SECRET });

/** Opens the console for an installation, in a locale; waits for its first screen. */
const openConsole = (url: string) => openConsoleIn(browser.context, url);

/** The lines as the admin API (the scripts' way in) lists them. */
async function linesInWorker(): Promise<
  { slug: string; enabled: boolean; acl: { cidr: string; label: string }[]; auth: unknown }[]
> {
  const res = await fetch(`${bridge.url}/v1/admin/lines`, {
    headers: { Authorization: `Bearer ${bridge.secrets.ADMIN_TOKEN}` },
  });
  return ((await res.json()) as { lines: never[] }).lines;
}

describe.skipIf(missing)('admin console (nav_bar) in Chromium against the real Worker', () => {
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
    // The edge agent's sync, which reports each config it applied back to the Worker.
    edge = startEdgeAgentSync(bridge.url, bridge.secrets.EDGE_SECRET);
  }, 180_000);

  afterAll(async () => {
    await edge?.stop();
    await browser?.close();
    await harness?.close();
    await bridge?.stop();
  }, 30_000);

  it('lets an admin create a line with an ACL entry; a bad CIDR shows its error in place', async () => {
    const url = harness.install(adminConsole(worker()))({ locale: 'en-US' });
    const { page, frame } = await openConsole(url);
    await frame.getByRole('table').getByText('AI voice agent').waitFor({ timeout: WAIT });

    // By keyboard: the New line button takes focus and Enter opens the form.
    const newLine = frame.getByRole('button', { name: 'New line' });
    await newLine.focus();
    await page.keyboard.press('Enter');
    await frame.getByLabel(/^Slug/).fill('paris-office');
    await frame.getByLabel(/^Name/).fill('Paris office');
    await frame.getByLabel(/^Zendesk SIP targets/).fill('sip:paris@acme.sip.twilio.com');
    await frame.getByLabel(/^Default country/).fill('FR');
    // Garden draws the checkbox over its input: the keyboard toggles it, as an admin would.
    const createTicket = frame.getByLabel('Create a ticket for callers without one');
    await createTicket.focus();
    await page.keyboard.press('Space');
    expect(await createTicket.isChecked()).toBe(true);
    await frame.getByRole('button', { name: 'Add a network' }).click();
    const network = frame.getByLabel('Network 1', { exact: true });
    await network.fill('203.0.113.9/24');
    const error = frame.getByText('Host bits are set: the network is 203.0.113.0/24.');
    await error.waitFor({ timeout: WAIT });
    expect(await network.getAttribute('aria-invalid')).toBe('true');
    const described = (await network.getAttribute('aria-describedby')) ?? '';
    expect(described.split(' ')).toContain(await error.getAttribute('id'));
    expect(await axeViolations(frame)).toEqual([]);
    console.log(`screenshot: ${await screenshot(page, 'console-bad-cidr-en')}`);

    // Saving while the entry is wrong sends nothing to the Worker.
    const sentBefore = harness.proxied.filter((r) => r.method === 'POST').length;
    await frame.getByRole('button', { name: 'Save line' }).click();
    expect(harness.proxied.filter((r) => r.method === 'POST').length).toBe(sentBefore);

    await network.fill('203.0.113.0/24');
    await error.waitFor({ state: 'detached', timeout: WAIT });
    await frame.getByLabel('Label for network 1').fill('Paris carrier');
    await frame.getByRole('button', { name: 'Save line' }).click();
    const saved = frame.getByRole('status').filter({ hasText: 'Saved Paris office.' });
    await saved.waitFor({ timeout: WAIT });
    // The agent applies the new line and reports it; the page asks again until it shows that.
    await saved.getByText(/^Applied at the edge at /).waitFor({ timeout: 30_000 });
    expect(edge.loaded()).toContain('paris-office 203.0.113.0/24');
    expect(edge.sync.pendingReport()).toBeNull();
    expect(await axeViolations(frame)).toEqual([]);
    console.log(`screenshot: ${await screenshot(page, 'console-applied-en')}`);
    await frame
      .getByRole('table')
      .getByText('203.0.113.0/24 (Paris carrier)')
      .waitFor({ timeout: WAIT });

    const paris = (await linesInWorker()).find((l) => l.slug === 'paris-office');
    expect(paris).toMatchObject({
      enabled: true,
      create_ticket: true,
      default_country: 'FR',
      acl: [{ cidr: '203.0.113.0/24', label: 'Paris carrier' }],
    });
    // Through the proxy: the JWT and the admin's own token, never seen by the page.
    const created = harness.proxied.find((r) => r.method === 'POST');
    expect(created).toMatchObject({ status: 201 });
    expect(created?.url).toMatch(/\/v1\/console\/lines$/);
    const zaf = await page.evaluate(() => (window as any).__zaf);
    expect(JSON.stringify(zaf)).not.toContain(bridge.secrets.APP_JWT_SECRET);
    expect(JSON.stringify(zaf)).not.toContain(bridge.secrets.ADMIN_TOKEN);
    await page.close();
  }, 90_000);

  it('disables a line and adds a network from its Edit form, and the Worker has both', async () => {
    const url = harness.install(adminConsole(worker()))({ locale: 'en-US' });
    const { page, frame } = await openConsole(url);
    await frame.getByRole('button', { name: 'Edit AI voice agent' }).click();
    await frame.getByRole('button', { name: 'Add a network' }).click();
    await frame.getByLabel('Network 2', { exact: true }).fill('192.0.2.0/24');
    await frame.getByLabel('Label for network 2').fill('Backup carrier');
    const enabled = frame.getByLabel('Line enabled');
    await enabled.focus();
    await page.keyboard.press('Space');
    expect(await enabled.isChecked()).toBe(false);
    // Carrier options: a concurrent-call limit and a token header with its secret.
    await frame.getByLabel(/^Concurrent calls/).fill('3');
    const tokenOn = frame.getByLabel('Require a token header');
    await tokenOn.focus();
    await page.keyboard.press('Space');
    await frame.getByLabel(/^Token header name/).fill('X-Line-Token');
    await frame.getByLabel(/^Token$/).fill('a-carrier-token-0123456789');
    expect(await axeViolations(frame)).toEqual([]);
    await frame.getByRole('button', { name: 'Save line' }).click();
    await frame.getByText('Saved AI voice agent.').waitFor({ timeout: WAIT });
    expect((await linesInWorker()).find((l) => l.slug === 'ai-agent')).toMatchObject({
      enabled: false,
      acl: [
        { cidr: '198.51.100.0/24', label: 'VoiceAI carrier' },
        { cidr: '192.0.2.0/24', label: 'Backup carrier' },
      ],
      routing: { max_concurrent_calls: 3 },
      auth: { ip: true, token: { header: 'X-Line-Token', secret_set: true } },
    });
    // Opened again, the secret is stored and not in the page.
    await frame.getByRole('button', { name: 'Edit AI voice agent' }).click();
    expect(await frame.getByLabel(/^Token$/).inputValue()).toBe('');
    expect(await frame.content()).not.toContain('a-carrier-token-0123456789');
    // The line's blocked callers: a number blocked at once, read in the line's country.
    const blocked = frame.getByRole('region', { name: 'Blocked callers' });
    await blocked.getByText('No number is blocked on this line.').waitFor({ timeout: WAIT });
    await blocked.getByLabel('Number to block').fill('(415) 555-0100');
    await blocked.getByRole('button', { name: 'Block', exact: true }).click();
    await blocked.getByText('+14155550100', { exact: true }).waitFor({ timeout: WAIT });
    // Axe looks at the page at rest: the Block button enabled again, the pointer elsewhere.
    await expect
      .poll(() => blocked.getByRole('button', { name: 'Block', exact: true }).isEnabled())
      .toBe(true);
    await page.mouse.move(0, 0);
    expect(await axeViolations(frame)).toEqual([]);
    const blocks = await fetch(`${bridge.url}/v1/admin/blocked-numbers`, {
      headers: { Authorization: `Bearer ${bridge.secrets.ADMIN_TOKEN}` },
    });
    expect(((await blocks.json()) as { blocked: unknown[] }).blocked).toEqual([
      expect.objectContaining({ e164: '+14155550100', line: 'ai-agent' }),
    ]);
    await page.close();
  }, 60_000);

  it('words the Worker’s refusal of a field in the admin’s language, under the field', async () => {
    const url = harness.install(adminConsole(worker()))({ locale: 'fr' });
    const { page, frame } = await openConsole(url);
    await frame.getByRole('button', { name: 'Nouvelle ligne' }).click();
    await frame.getByLabel(/^Identifiant/).fill('lyon');
    await frame.getByLabel(/^Nom/).fill('Lyon');
    await frame.getByLabel(/^Cibles SIP Zendesk/).fill('sip:lyon@acme.sip.twilio.com');
    // Only the Worker knows which country codes libphonenumber has.
    await frame.getByLabel(/^Pays par défaut/).fill('XX');
    await frame.getByRole('button', { name: 'Enregistrer la ligne' }).click();
    const error = frame.getByText('Saisissez un code pays ISO à deux lettres, p. ex. US ou FR.');
    await error.waitFor({ timeout: WAIT });
    const country = frame.getByLabel(/^Pays par défaut/);
    expect(await country.getAttribute('aria-invalid')).toBe('true');
    expect(((await country.getAttribute('aria-describedby')) ?? '').split(' ')).toContain(
      await error.getAttribute('id'),
    );
    expect(await frame.content()).not.toContain('libphonenumber');
    expect(await axeViolations(frame)).toEqual([]);
    console.log(`screenshot: ${await screenshot(page, 'console-refused-fr')}`);
    expect((await linesInWorker()).map((l) => l.slug)).not.toContain('lyon');
    await page.close();
  }, 60_000);

  it('shows an agent no console, and the Worker refuses the console API to them', async () => {
    const url = harness.install(agentConsole(worker()))({ locale: 'en-US' });
    const { page, frame } = await openConsole(url);
    await frame.getByText('For Zendesk admins only').waitFor({ timeout: WAIT });
    expect(await frame.getByRole('table').count()).toBe(0);
    expect(await frame.getByRole('button', { name: 'New line' }).count()).toBe(0);
    await page.close();

    // An agent whose browser claims to be an admin: the app asks, the Worker asks Zendesk, 403.
    const forged = harness.install(agentConsole(worker(), 'admin'))({ locale: 'en-US' });
    const view = await openConsole(forged);
    await view.frame.getByText(/Zendesk says you are not an admin/).waitFor({ timeout: WAIT });
    expect(await view.frame.getByRole('table').count()).toBe(0);
    const refused = harness.proxied.filter((r) => r.url.endsWith('/v1/console/lines')).at(-1);
    expect(refused?.status).toBe(403);
    // Even the create an agent could send through the proxy by hand writes nothing.
    const answer = await view.page.evaluate(async (workerUrl) => {
      const run = document.querySelector('meta[name="harness-run"]')?.getAttribute('content');
      const res = await fetch(`/__zaf/request${location.search}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Harness-Run': run ?? '' },
        body: JSON.stringify({
          url: `${workerUrl}/v1/console/lines`,
          type: 'POST',
          secure: true,
          headers: {
            Authorization: 'Bearer {{jwt.token}}',
            'X-Zendesk-Agent-Token': 'Bearer {{setting.token}}',
          },
          jwt: {
            algorithm: 'HS256',
            secret_key: '{{setting.shared_secret}}',
            expiry: 300,
            claims: { aud: 'sip-bridge-api', sub: '20009' },
          },
          contentType: 'application/json',
          data: JSON.stringify({
            slug: 'agent-made',
            name: 'Agent made',
            sip_targets: ['sip:x@acme.sip.twilio.com'],
            default_country: 'US',
          }),
        }),
      });
      return (await res.json()) as { status: number; responseText: string };
    }, bridge.url);
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.responseText).error).toBe('admin_required');
    expect((await linesInWorker()).map((l) => l.slug)).not.toContain('agent-made');
    await view.page.close();
  }, 60_000);

  it('speaks English, French, Korean and Russian, axe-core clean, with a screenshot of each', async () => {
    const headings = { 'en-US': 'Lines', fr: 'Lignes', ko: '회선', ru: 'Линии' };
    const buttons = { 'en-US': 'New line', fr: 'Nouvelle ligne', ko: '새 회선', ru: 'Новая линия' };
    const pageFor = harness.install(adminConsole(worker()));
    for (const [locale, heading] of Object.entries(headings)) {
      const { page, frame } = await openConsole(pageFor({ locale }));
      await frame.getByRole('heading', { name: heading }).waitFor({ timeout: WAIT });
      await frame.getByRole('table').waitFor({ timeout: WAIT });
      expect(await frame.evaluate(() => document.documentElement.lang)).toBe(locale.slice(0, 2));
      expect(await axeViolations(frame)).toEqual([]);
      console.log(`screenshot: ${await screenshot(page, `console-${locale.slice(0, 2)}`)}`);
      await frame.getByRole('button', { name: buttons[locale as keyof typeof buttons] }).click();
      await frame.locator('form.console-form').waitFor({ timeout: WAIT });
      expect(await axeViolations(frame)).toEqual([]);
      console.log(`screenshot: ${await screenshot(page, `console-form-${locale.slice(0, 2)}`)}`);
      await page.close();
    }
  }, 120_000);
});
