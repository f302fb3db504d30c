// Test harness: the Zendesk stand-in served in-process, and signed requests to the worker.
import { env, exports } from 'cloudflare:workers';
import { sign } from 'hono/jwt';
import { vi } from 'vitest';
import {
  createZendeskStandin,
  type StandinOptions,
  type ZendeskStandin,
} from '@sip-bridge/zendesk-standin/app';
import { DEMO_OAUTH_TOKENS } from '@sip-bridge/zendesk-standin/seed';
import { clearAgentAccessCache } from '../src/auth/agent-access';
import { AGENT_TOKEN_HEADER, APP_JWT_AUDIENCE } from '@sip-bridge/contract/app-auth';
import { signEdgeRequest } from '@sip-bridge/contract/edge-signature';
import { clearMatchMemory } from '../src/calls/match-cache';
import { clearTicketCheckMemory } from '../src/calls/ticket-checks';
import { forgetBudgetRefusals } from '../src/zendesk/budget';
import { clearTicketFieldCache } from '../src/handoffs/custom-fields';
import { invalidateLineCache } from '../src/lines/line-cache';
import type { DecisionRequest } from '@sip-bridge/contract/edge';

export const BASE = 'http://bridge.test';
let zendeskDown = false;
/** What a hung Zendesk was asked and what the caller gave up on, or null while it answers. */
let zendeskHung: { asked: number; givenUp: number } | null = null;
/** Requests Zendesk carries out but whose answer never reaches the worker (see loseZendeskAnswers). */
let lostAnswers: LostAnswers | null = null;

interface LostAnswers {
  method: string;
  path: RegExp;
  /** Left to lose; each one lost counts down. */
  count: number;
  /** What the worker gets instead: no answer at all (until it gives up), or this 5xx. */
  answer: 'none' | 500 | 502 | 503;
}

/**
 * Routes the worker's requests for ZENDESK_BASE_URL to a fresh stand-in (the worker shares this
 * isolate, so the global fetch is what it calls). Aborts are honoured like a real network.
 * `options` reach the stand-in (e.g. its clock, `now`).
 */
export function installStandin(options: StandinOptions = {}): ZendeskStandin {
  const standin = createZendeskStandin({
    ...options,
    email: env.ZENDESK_EMAIL,
    apiToken: env.ZENDESK_API_TOKEN,
  });
  const zendeskOrigin = new URL(env.ZENDESK_BASE_URL).origin;
  const realFetch = globalThis.fetch;
  zendeskDown = false;
  zendeskHung = null;
  lostAnswers = null;
  clearMatchMemory();
  clearTicketCheckMemory();
  forgetBudgetRefusals(env.DB);
  clearTicketFieldCache();
  clearAgentAccessCache();
  invalidateLineCache();
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const req = new Request(input as RequestInfo, init);
    if (new URL(req.url).origin !== zendeskOrigin) return realFetch(input as RequestInfo, init);
    if (zendeskDown) throw new TypeError('fetch failed: connect ECONNREFUSED');
    if (zendeskHung) {
      const hung = zendeskHung;
      hung.asked += 1;
      return new Promise<Response>((_, reject) => {
        req.signal.addEventListener('abort', () => {
          hung.givenUp += 1;
          reject(req.signal.reason);
        });
      });
    }
    const lost = lostAnswers;
    if (
      lost &&
      lost.count > 0 &&
      req.method === lost.method &&
      lost.path.test(new URL(req.url).pathname)
    ) {
      lost.count -= 1;
      // Zendesk does the work; what it answers is lost on the way back.
      await standin.fetch(req);
      if (lost.answer !== 'none') return new Response('Bad Gateway', { status: lost.answer });
      return new Promise<Response>((_, reject) => {
        req.signal.addEventListener('abort', () => reject(req.signal.reason));
      });
    }
    return new Promise<Response>((resolve, reject) => {
      req.signal.addEventListener('abort', () => reject(req.signal.reason));
      standin.fetch(req).then(resolve, reject);
    });
  });
  return standin;
}

/**
 * Lets Zendesk carry out the next `count` requests of this method on paths matching `path` (a
 * ticket is made, say) while their answer is lost (until the next installStandin()): the worker
 * gets `answer` instead, a 5xx or, with 'none', nothing until it gives up (a timeout).
 */
export function loseZendeskAnswers(
  method: string,
  path: RegExp,
  answer: LostAnswers['answer'],
  count = 1,
) {
  lostAnswers = { method, path, answer, count };
}

/** Makes Zendesk unreachable (connection refused) until the next installStandin(). */
export function takeZendeskDown() {
  zendeskDown = true;
}

/** Makes Zendesk reachable again after takeZendeskDown(), with its state as it was. */
export function bringZendeskBack() {
  zendeskDown = false;
}

/**
 * Makes Zendesk accept every request and never answer (until the next installStandin()): only the
 * caller's own deadline ends them. Counts the requests, and those the caller gave up (aborted).
 */
export function hangZendesk(): { asked: number; givenUp: number } {
  zendeskHung = { asked: 0, givenUp: 0 };
  return zendeskHung;
}

/** Number of Zendesk API requests the stand-in has seen. */
export const zendeskRequests = (standin: ZendeskStandin) => standin.requests.length;

/** A request to the worker signed the way the edge agent signs it. */
export async function edgeFetch(
  path: string,
  body?: unknown,
  opts: {
    method?: string;
    secret?: string;
    timestamp?: number;
    nonce?: string;
    /** Sign for this origin instead of BASE (the request still goes to BASE). */
    signedFor?: string;
    headers?: Record<string, string>;
  } = {},
) {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const method = opts.method ?? (body === undefined ? 'GET' : 'POST');
  const signed = await signEdgeRequest(opts.secret ?? env.EDGE_SECRET, {
    method,
    url: (opts.signedFor ?? BASE) + path,
    body: text,
    ...(opts.timestamp !== undefined ? { timestamp: opts.timestamp } : {}),
    ...(opts.nonce !== undefined ? { nonce: opts.nonce } : {}),
  });
  return exports.default.fetch(
    new Request(BASE + path, {
      method,
      headers: { ...signed, 'Content-Type': 'application/json', ...opts.headers },
      body: method === 'GET' ? undefined : text,
    }),
  );
}

export function adminFetch(
  path: string,
  init: { method?: string; body?: unknown; token?: string } = {},
) {
  return exports.default.fetch(
    new Request(BASE + path, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        Authorization: `Bearer ${init.token ?? env.ADMIN_TOKEN}`,
        'Content-Type': 'application/json',
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    }),
  );
}

/** A JWT like the one Zendesk's proxy signs for the sidebar app. */
export async function appToken(claims: Record<string, unknown> = {}, secret = env.APP_JWT_SECRET) {
  const now = Math.floor(Date.now() / 1000);
  return sign(
    { aud: APP_JWT_AUDIENCE, sub: '20009', iat: now, exp: now + 300, ...claims },
    secret,
    'HS256',
  );
}

/** The headers Zendesk's proxy sends for the sidebar: the app JWT and the agent's OAuth token. */
export async function appHeaders(
  opts: { jwt?: string; agentToken?: string | null } = {},
): Promise<Record<string, string>> {
  const agentToken =
    opts.agentToken === undefined ? DEMO_OAUTH_TOKENS.graceHopper : opts.agentToken;
  return {
    Authorization: `Bearer ${opts.jwt ?? (await appToken())}`,
    ...(agentToken === null ? {} : { [AGENT_TOKEN_HEADER]: `Bearer ${agentToken}` }),
  };
}

/** A sidebar request as an agent (default: Grace Hopper, unrestricted). */
export async function appFetch(
  path: string,
  token?: string,
  init: { agentToken?: string | null; method?: string; body?: unknown } = {},
) {
  const headers = await appHeaders({
    ...(token ? { jwt: token } : {}),
    agentToken: init.agentToken,
  });
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  return exports.default.fetch(
    new Request(BASE + path, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    }),
  );
}

/** Creates a line through the admin API (defaults: US, drop bad tickets, no ticket creation). */
export async function createTestLine(overrides: Record<string, unknown> = {}) {
  const res = await adminFetch('/v1/admin/lines', {
    body: {
      slug: 'ai-agent',
      name: 'AI agent hand-off',
      sip_targets: ['sip:mongoose@mongoose.sip.twilio.com'],
      default_country: 'US',
      acl: [{ cidr: '192.0.2.0/24', label: 'Voice AI platform' }],
      ...overrides,
    },
  });
  if (res.status !== 201) throw new Error(`line not created: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { line: { slug: string } }).line;
}

/** Creates an AI vendor's API key for a line through the admin API; answers the key and its secret. */
export async function createTestKey(slug = 'ai-agent', body: Record<string, unknown> = {}) {
  const res = await adminFetch(`/v1/admin/lines/${slug}/api-keys`, {
    body: { label: 'Acme Voice AI', ...body },
  });
  if (res.status !== 201) throw new Error(`key not created: ${res.status} ${await res.text()}`);
  return (await res.json()) as { key: Record<string, any>; secret: string };
}

/** POST /v1/handoffs with a line's API key (and an Idempotency-Key when given). */
export async function handoff(
  body: unknown,
  opts: { key: string; idempotencyKey?: string; headers?: Record<string, string> },
) {
  const res = await exports.default.fetch(
    new Request(`${BASE}/v1/handoffs`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${opts.key}`,
        'Content-Type': 'application/json',
        ...(opts.idempotencyKey ? { 'Idempotency-Key': opts.idempotencyKey } : {}),
        ...opts.headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Record<string, any>,
  };
}

let seq = 0;
/** An INVITE's facts as the edge would send them, with a fresh Call-ID. */
export function invite(
  overrides: Partial<DecisionRequest> & { from?: string } = {},
): DecisionRequest {
  const { from, ...rest } = overrides;
  return {
    call_id: `test-${Date.now()}-${++seq}@edge.test`,
    line: 'ai-agent',
    source: { ip: '192.0.2.10', port: 5060, transport: 'udp' },
    acl_entry: '192.0.2.0/24',
    sip: {
      from: from ?? '"Ada" <sip:+14155550100@carrier.example;user=phone>;tag=1',
      to: '<sip:mongoose@mongoose.sip.twilio.com>',
      request_uri: 'sip:mongoose@mongoose.sip.twilio.com',
      user_agent: 'VoiceBot/2.1',
    },
    codecs: ['PCMU', 'PCMA', 'telephone-event'],
    ...rest,
  };
}

export async function decide(req: DecisionRequest) {
  const res = await edgeFetch('/v1/edge/decisions', req);
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

export async function callRow(callId: string) {
  return env.DB.prepare('SELECT * FROM calls WHERE call_id = ?')
    .bind(callId)
    .first<Record<string, any>>();
}
