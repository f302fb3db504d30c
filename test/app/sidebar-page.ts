// The sidebar as an agent opens it, for the browser suites: an installation of the app as Zendesk
// holds it for the signed-in agent (Grace Hopper, with her own OAuth token), and the harness page
// opened in Chromium with the app's iframe.
import type { BrowserContext } from 'playwright-core';
import { DEMO_OAUTH_TOKENS, GRACE_HOPPER_AGENT_ID } from '@sip-bridge/zendesk-standin/seed';
import type { Installation } from '../../scripts/lib/harness-page/server';

/** How long a browser test waits for the app to show something. */
export const WAIT = 15_000;

/**
 * The app installed against a Worker (its URL and APP_JWT_SECRET, a secure setting) and shown to
 * Grace Hopper, an unrestricted agent; `settings` replace the defaults.
 */
export function agentInstallation(
  worker: { url: string; appJwtSecret: string },
  settings: Partial<Installation['settings']> = {},
): Installation {
  return {
    settings: {
      api_url: worker.url,
      shared_secret: worker.appJwtSecret,
      ...settings,
    },
    secureSettings: ['shared_secret'],
    domainWhitelist: ['127.0.0.1'],
    currentUser: { id: GRACE_HOPPER_AGENT_ID, name: 'Grace Hopper', role: 'agent' },
    requester: { id: 20001, name: 'Ada Lovelace' },
    agentToken: DEMO_OAUTH_TOKENS.graceHopper,
  };
}

/** Opens a harness page URL (from `harness.install(…)(query)`) and finds the app's frame. */
export async function openSidebar(context: BrowserContext, url: string) {
  const page = await context.newPage();
  await page.goto(url);
  const frame = await (await page.waitForSelector('#app', { timeout: WAIT })).contentFrame();
  if (!frame) throw new Error('the app iframe has no frame');
  return { page, frame };
}
