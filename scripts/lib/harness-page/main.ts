// The harness page on a fixed port for `npm start`: a Zendesk ticket page with the sidebar app,
// talking to the local Worker with the local APP_JWT_SECRET (signed here, as Zendesk's proxy does).
// Environment: HARNESS_PORT (5173), WORKER_URL, APP_JWT_SECRET, ZENDESK_URL, ZENDESK_EMAIL,
// ZENDESK_API_TOKEN, ZENDESK_AGENT_OAUTH_TOKEN (a real account only: the signed-in agent's OAuth
// access token; the stand-in's seeded one for Grace Hopper otherwise), ZENDESK_ADMIN_OAUTH_TOKEN
// (likewise, an admin's, for the admin console on installation 2), and APP_DIST
// (zendesk-app/dist). Build the app first.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  API_USER_ID,
  DEMO_OAUTH_TOKENS,
  GRACE_HOPPER_AGENT_ID,
  OPEN_TICKET_ID,
} from '@sip-bridge/zendesk-standin/seed';
import { startHarness, type TicketChoice } from './server';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

interface StandinState {
  users: { id: number; name: string }[];
  tickets: { id: number; subject: string; status: string; requester_id: number | null }[];
}

/** The stand-in's tickets, newest first, with their requesters (the stand-in only). */
async function standinTickets(url: string): Promise<TicketChoice[]> {
  const res = await fetch(`${url}/__standin/state`, { signal: AbortSignal.timeout(2000) });
  if (!res.ok) return [];
  const state = (await res.json()) as StandinState;
  const names = new Map(state.users.map((u) => [u.id, u.name]));
  return state.tickets
    .map((t) => ({
      id: t.id,
      subject: t.subject,
      status: t.status,
      requester:
        t.requester_id === null
          ? null
          : { id: t.requester_id, name: names.get(t.requester_id) ?? `user ${t.requester_id}` },
    }))
    .sort((a, b) => b.id - a.id);
}

async function main(): Promise<void> {
  const zendesk = {
    url: required('ZENDESK_URL'),
    email: required('ZENDESK_EMAIL'),
    apiToken: required('ZENDESK_API_TOKEN'),
  };
  const isStandin = new URL(zendesk.url).hostname === '127.0.0.1';
  const harness = await startHarness({
    appDist: process.env.APP_DIST ?? resolve(ROOT, 'zendesk-app', 'dist'),
    zendesk,
    port: Number(process.env.HARNESS_PORT ?? 5173),
    ...(isStandin ? { tickets: () => standinTickets(zendesk.url) } : {}),
  });
  // The first installation is number 1, the page's default: /?ticket=N is enough.
  harness.install({
    settings: { api_url: required('WORKER_URL'), shared_secret: required('APP_JWT_SECRET') },
    secureSettings: ['shared_secret'],
    domainWhitelist: ['127.0.0.1'],
    currentUser: { id: GRACE_HOPPER_AGENT_ID, name: 'Grace Hopper', role: 'agent' },
    requester: null,
    agentToken: isStandin
      ? DEMO_OAUTH_TOKENS.graceHopper
      : (process.env.ZENDESK_AGENT_OAUTH_TOKEN ?? null),
  });
  // The second installation: the admin console (nav_bar) as the stand-in's admin opens it.
  const consoleUrl = harness.install({
    settings: { api_url: required('WORKER_URL'), shared_secret: required('APP_JWT_SECRET') },
    secureSettings: ['shared_secret'],
    domainWhitelist: ['127.0.0.1'],
    currentUser: { id: API_USER_ID, name: 'SIP Bridge', role: 'admin' },
    requester: null,
    location: 'nav_bar',
    agentToken: isStandin
      ? DEMO_OAUTH_TOKENS.apiUser
      : (process.env.ZENDESK_ADMIN_OAUTH_TOKEN ?? null),
  })({});
  console.log(
    `harness page on ${harness.harnessUrl}/?ticket=${OPEN_TICKET_ID} (app ${harness.appUrl}); admin console on ${consoleUrl}`,
  );
  const stop = () => void harness.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error('harness page failed to start:', e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
