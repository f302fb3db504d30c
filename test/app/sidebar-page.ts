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

/**
 * Opens a harness page URL (from `harness.install(…)(query)`) and finds the app's frame;
 * `chunkRequests(name)` counts the times the page asked for a lazy chunk.
 */
export async function openSidebar(context: BrowserContext, url: string) {
  const page = await context.newPage();
  // Every script the app's frame asks for (file names), from before the page loads.
  const scripts: string[] = [];
  page.on('request', (request) => {
    const name = /\/assets\/([^/?#]+\.js)(?:[?#]|$)/.exec(request.url())?.[1];
    if (name) scripts.push(name);
  });
  /** How many times a chunk (its name before the hash, `Transcript`) has been asked for. */
  const chunkRequests = (chunk: string) => scripts.filter((n) => n.startsWith(`${chunk}-`)).length;
  await page.goto(url);
  const frame = await (await page.waitForSelector('#app', { timeout: WAIT })).contentFrame();
  if (!frame) throw new Error('the app iframe has no frame');
  return { page, frame, chunkRequests };
}
