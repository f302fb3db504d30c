// The admin console as Zendesk opens it in the nav bar, for the browser suites: an installation
// whose location is nav_bar, for an admin (the stand-in's admin, with their own OAuth token) or
// for an agent; opening it, axe-core over it and its screenshots.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Frame, Page } from 'playwright-core';
import { API_USER_ID, DEMO_OAUTH_TOKENS } from '@sip-bridge/zendesk-standin/seed';
import type { Installation } from '../../scripts/lib/harness-page/server';
import { agentInstallation, openSidebar, WAIT } from './sidebar-page';

const ROOT = new URL('../..', import.meta.url).pathname;
const SHOTS = join(ROOT, 'test-results', 'app');

type Worker = { url: string; appJwtSecret: string };

/** The console opened by the stand-in's admin, SIP Bridge (role admin, their own OAuth token). */
export function adminConsole(worker: Worker): Installation {
  return {
    ...agentInstallation(worker),
    location: 'nav_bar',
    currentUser: { id: API_USER_ID, name: 'SIP Bridge', role: 'admin' },
    agentToken: DEMO_OAUTH_TOKENS.apiUser,
    requester: null,
  };
}

/** The console opened by Grace Hopper, an agent; `role` is what ZAF tells the app she is. */
export function agentConsole(worker: Worker, role = 'agent'): Installation {
  const grace = agentInstallation(worker);
  return {
    ...grace,
    location: 'nav_bar',
    currentUser: { ...grace.currentUser, role },
    requester: null,
  };
}

/**
 * Opens the console for an installation, in a locale; waits for its first screen. `height`: the
 * page's, for screenshots of a tall page.
 */
export async function openConsole(context: BrowserContext, url: string, height = 1400) {
  const opened = await openSidebar(context, url);
  // Zendesk gives a nav_bar app the main pane, not a sidebar's 320 px.
  await opened.page.setViewportSize({ width: 1100, height });
  await opened.frame.waitForSelector('main.console-page', { timeout: WAIT });
  return opened;
}

/** axe-core's violations in the app's frame, as it stands. */
export async function axeViolations(frame: Frame) {
  const axeSource = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  if (!(await frame.evaluate(() => 'axe' in window)))
    await frame.addScriptTag({ content: axeSource });
  type Violation = { id: string; nodes: { target: string[] }[] };
  type Axe = { run(context: Document): Promise<{ violations: Violation[] }> };
  return frame.evaluate(async () => {
    const axe = (window as unknown as { axe: Axe }).axe;
    const r = await axe.run(document);
    return r.violations.map((v) => ({
      id: v.id,
      nodes: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
}

/** A screenshot of the app as the harness shows it, in test-results/app/<name>.png. */
export async function screenshot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.locator('#sidebar').screenshot({ path });
  return path;
}
