// The console's routing rules and webhook end to end: built bundle, the harness playing Zendesk's
// side of ZAF, the real Worker (wrangler dev + local D1) and the Zendesk stand-in, in Debian's
// Chromium. An admin adds a rule by keyboard and saves it, a bad time shows its error in place,
// and the webhook's URL changes without a signing secret ever reaching the browser.
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAppBuilt } from '../../scripts/lib/local-app.mjs';
import { startHarness, type Harness } from '../../scripts/lib/harness-page/server';
import { startBridge, type Bridge } from './bridge';
import { chromiumMissing, launchChromium } from './chromium';
import { adminConsole, axeViolations, openConsole, screenshot } from './console-page';
import { WAIT } from './sidebar-page';

const ROOT = new URL('../..', import.meta.url).pathname;
const missing = chromiumMissing();
// Loopback only (no delivery leaves the machine; no call is made here anyway).
const FIRST_HOOK = 'http://127.0.0.1:9/first';
const NEW_HOOK = 'http://127.0.0.1:9/second';

let bridge: Bridge;
let harness: Harness;
let browser: { context: BrowserContext; close(): Promise<void> };
let secret: string;

const worker = () => ({ url: bridge.url, appJwtSecret: bridge.secrets.APP_JWT_SECRET });

/** The admin API, the scripts' way in. */
async function admin(path: string, method = 'GET', body?: unknown) {
  const res = await fetch(`${bridge.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${bridge.secrets.ADMIN_TOKEN}`,
      'Content-Type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe.skipIf(missing)(
  'console routing rules and webhook in Chromium against the real Worker',
  () => {
    beforeAll(async () => {
      if (!ensureAppBuilt()) throw new Error('the app did not build (see above)');
      bridge = await startBridge({ ZENDESK_ALLOW_LOCAL: '1' });
      harness = await startHarness({
        appDist: join(ROOT, 'zendesk-app', 'dist'),
        zendesk: bridge.zendesk,
      });
      browser = await launchChromium();
      const line = await admin('/v1/admin/lines', 'POST', {
        slug: 'ai-agent',
        name: 'AI voice agent',
        sip_targets: ['sip:mongoose@mongoose.sip.twilio.com'],
        default_country: 'US',
        acl: [{ cidr: '198.51.100.0/24', label: 'VoiceAI carrier' }],
        webhook: { url: FIRST_HOOK },
      });
      expect(line.status).toBe(201);
      // Made by the admin token, and answered to it alone.
      secret = line.body.webhook_secret as string;
      expect(secret).toMatch(/^whsec_/);
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      await harness?.close();
      await bridge?.stop();
    }, 30_000);

    it('adds a rule with a tag and a target and saves it; a bad time shows its error in place', async () => {
      const url = harness.install(adminConsole(worker()))({ locale: 'en-US' });
      const { page, frame } = await openConsole(browser.context, url);
      await frame.getByRole('button', { name: 'Edit AI voice agent' }).click();
      const rules = frame.getByRole('region', { name: 'Routing rules' });
      await rules.getByText(/^No rules/).waitFor({ timeout: WAIT });
      await rules.getByLabel(/^Rules’ time zone/).fill('Europe/Paris');

      // By keyboard: Add a rule takes focus and Enter adds one.
      await rules.getByRole('button', { name: 'Add a rule' }).focus();
      await page.keyboard.press('Enter');
      const rule = rules.getByRole('listitem', { name: /^Rule 1:/ });
      await rule.getByLabel('Name', { exact: true }).fill('VIP');
      await rule.getByLabel(/^Id/).fill('vip');
      await rule.getByLabel(/^User tags/).fill('vip');
      await rule.getByLabel(/^SIP targets of this rule/).fill('sip:vip@vip-desk.sip.twilio.com');
      await rule.getByRole('button', { name: 'Add a time window' }).click();
      const from = rule.getByLabel('From (HH:MM)');
      await from.fill('25:00');

      const putsBefore = harness.proxied.filter((r) => r.method === 'PUT').length;
      await rules.getByRole('button', { name: 'Save rules' }).click();
      const error = rule.getByText('Enter a time from 00:00 to 23:59.');
      await error.waitFor({ timeout: WAIT });
      expect(await from.getAttribute('aria-invalid')).toBe('true');
      const described = (await from.getAttribute('aria-describedby')) ?? '';
      expect(described.split(' ')).toContain(await error.getAttribute('id'));
      expect(harness.proxied.filter((r) => r.method === 'PUT').length).toBe(putsBefore);
      await page.mouse.move(0, 0);
      expect(await axeViolations(frame)).toEqual([]);
      console.log(`screenshot: ${await screenshot(page, 'console-rules-bad-time-en')}`);

      await from.fill('08:30');
      await rules.getByRole('button', { name: 'Save rules' }).click();
      await rules.getByText(/^Routing rules saved/).waitFor({ timeout: WAIT });
      const put = harness.proxied.filter((r) => r.method === 'PUT').at(-1);
      expect(put?.url).toMatch(/\/v1\/console\/lines\/ai-agent\/routing-rules$/);
      expect(put?.status).toBe(200);
      const stored = await admin('/v1/admin/lines/ai-agent/routing-rules');
      expect(stored.body).toEqual({
        routing_rules: {
          time_zone: 'Europe/Paris',
          rules: [
            {
              id: 'vip',
              name: 'VIP',
              when: {
                user_tags: ['vip'],
                time: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:30', to: '17:00' }],
              },
              sip_targets: ['sip:vip@vip-desk.sip.twilio.com'],
            },
          ],
        },
      });
      await page.mouse.move(0, 0);
      expect(await axeViolations(frame)).toEqual([]);
      console.log(`screenshot: ${await screenshot(page, 'console-rules-saved-en')}`);
      await page.close();
    }, 90_000);

    it('sets the webhook URL without the browser ever seeing a secret', async () => {
      const url = harness.install(adminConsole(worker()))({ locale: 'en-US' });
      const { page, frame } = await openConsole(browser.context, url);
      // Every answer the page got through the proxy, as text.
      const answers: string[] = [];
      page.on('response', (res) => {
        if (res.url().includes('/__zaf/'))
          void res.text().then(
            (t) => answers.push(t),
            () => {},
          );
      });
      await frame.getByRole('button', { name: 'Edit AI voice agent' }).click();
      const hook = frame.getByRole('region', { name: 'Webhook' });
      const field = hook.getByLabel('Webhook URL');
      await field.waitFor({ timeout: WAIT });
      expect(await field.inputValue()).toBe(FIRST_HOOK);
      await field.fill(NEW_HOOK);
      await hook.getByRole('button', { name: 'Save webhook' }).click();
      await hook.getByText(/^Webhook saved/).waitFor({ timeout: WAIT });
      await hook.getByText(/webhook\/rotate-secret/).waitFor({ timeout: WAIT });
      await page.mouse.move(0, 0);
      expect(await axeViolations(frame)).toEqual([]);
      console.log(`screenshot: ${await screenshot(page, 'console-webhook-en')}`);

      const line = await admin('/v1/admin/lines/ai-agent');
      expect(line.body.line.webhook).toMatchObject({ url: NEW_HOOK });
      expect(answers.length).toBeGreaterThan(0);
      const seen = [...answers, await frame.content(), await page.content()].join('\n');
      expect(seen).not.toContain(secret);
      expect(seen).not.toMatch(/whsec_|webhook_secret/);
      expect(seen).not.toContain(bridge.secrets.ADMIN_TOKEN);
      await page.close();
    }, 60_000);
  },
);
