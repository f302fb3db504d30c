// The admin console as Zendesk opens it in the nav bar, for the browser suites: an installation
// whose location is nav_bar, for an admin (the stand-in's admin, with their own OAuth token) or
// for an agent.
import { API_USER_ID, DEMO_OAUTH_TOKENS } from '@sip-bridge/zendesk-standin/seed';
import type { Installation } from '../../scripts/lib/harness-page/server';
import { agentInstallation } from './sidebar-page';

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
