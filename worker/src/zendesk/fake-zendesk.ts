import { expect } from 'vitest';
import { unlimitedBudget } from './budget';
import { createZendeskClient, type ZendeskClientOptions } from './client';
import { ZendeskError } from './errors';

// Test support: a scripted Zendesk, its answers in Zendesk's documented shapes, and a fake clock.

/** What the scripted Zendesk does with one request. */
export type Step =
  | Response
  /** Never answers; rejects only when the request's signal aborts. */
  | 'hang'
  /** Fails like a dropped connection. */
  | { networkError: string };

interface SeenRequest {
  method: string;
  url: string;
  headers: Headers;
  body: unknown;
  signal: AbortSignal | undefined;
}

/**
 * A `fetch` that plays Zendesk answers in order and records what it was sent, for tests.
 *
 * @example
 * const zd = scriptedFetch([zendeskJson(503, {}), zendeskJson(200, { ticket })]);
 * const client = createZendeskClient({ ...options, fetch: zd.fetch });
 */
function scriptedFetch(steps: Step[]) {
  const seen: SeenRequest[] = [];
  const queue = [...steps];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const text = init?.body === undefined || init.body === null ? undefined : String(init.body);
    seen.push({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: text === undefined ? undefined : JSON.parse(text),
      signal: init?.signal ?? undefined,
    });
    const step = queue.shift();
    if (step === undefined) throw new Error(`unscripted request ${request.method} ${request.url}`);
    if (step === 'hang') {
      return new Promise<Response>((_, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    }
    if (step instanceof Response) return step;
    throw new TypeError(step.networkError);
  };
  return { fetch, seen, remaining: () => queue.length };
}

/** A JSON answer as Zendesk sends it. */
export function zendeskJson(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
  });
}

/** Zendesk's 429: plain text, Retry-After in seconds (or any value given). */
export function zendeskRateLimited(retryAfter: string) {
  return new Response('Number of allowed API requests per minute exceeded', {
    status: 429,
    headers: {
      'Content-Type': 'text/plain',
      'Retry-After': retryAfter,
      'X-Rate-Limit': '700',
      'X-Rate-Limit-Remaining': '0',
    },
  });
}

// Fixtures in the shapes of Zendesk's documentation examples.
const EMAIL = 'bridge@example.com';
export const TOKEN = 'sEcReTtOkEn0123456789abcdefXYZ';
export const CREDENTIAL = btoa(`${EMAIL}/token:${TOKEN}`);
export const T0 = Date.UTC(2026, 0, 1, 12, 0, 10);

export const ticket = {
  id: 35436,
  url: 'https://acme.zendesk.com/api/v2/tickets/35436.json',
  subject: 'Help',
  status: 'open',
  requester_id: 20978392,
  submitter_id: 76872,
  assignee_id: null,
  tags: ['enterprise'],
  via: { channel: 'web', source: { from: {}, to: {}, rel: null } },
  created_at: '2009-07-20T22:55:29Z',
};
export const user = {
  id: 35436,
  name: 'Johnny',
  email: 'johnny@example.com',
  phone: '+15551234567',
  role: 'end-user',
  verified: true,
  active: true,
};
export const notFound = () =>
  zendeskJson(404, { error: 'RecordNotFound', description: 'Not found' });
export const unavailable = () => zendeskJson(503, { error: 'Service Unavailable' });

/** A fake clock whose sleep advances time instantly, shared by client and budget. */
export function fakeTime(start = T0) {
  let at = start;
  const sleeps: number[] = [];
  return {
    now: () => at,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      at += ms;
    },
    sleeps,
  };
}

/** A client wired to a scripted Zendesk, an unlimited budget and a fake clock (all overridable). */
export function scriptedClient(steps: Step[], options: Partial<ZendeskClientOptions> = {}) {
  const zd = scriptedFetch(steps);
  const time = fakeTime();
  const client = createZendeskClient({
    baseUrl: 'https://acme.zendesk.com/',
    email: EMAIL,
    apiToken: TOKEN,
    budget: unlimitedBudget,
    fetch: zd.fetch,
    sleep: time.sleep,
    now: time.now,
    ...options,
  });
  return { client, zd, time };
}

/** The ZendeskError a promise rejects with; fails the test if it resolves or throws anything else. */
export async function rejection(promise: Promise<unknown>): Promise<ZendeskError> {
  const e = await promise.then(
    () => expect.fail('expected a ZendeskError'),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ZendeskError);
  return e as ZendeskError;
}
