// A webhook receiver on loopback, served in-process like the Zendesk stand-in (the Worker shares
// this isolate's fetch), and the Worker run with the local-runs flag that admits it.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { vi } from 'vitest';
import { signEdgeRequest } from '@sip-bridge/contract/edge-signature';
import worker from '../src/index';
import type { Env } from '../src/env';
import { BASE } from './harness';

export const RECEIVER = 'http://127.0.0.1:9911';
export const PRIMARY_URL = `${RECEIVER}/primary`;
export const FAILOVER_URL = `${RECEIVER}/failover`;

export interface Received {
  path: string;
  headers: Headers;
  body: string;
}

/** What the receiver does with a request: answer this status, hang, or drop the answer. */
export type Behaviour = number | 'hang' | 'lose_answer';

export interface Receiver {
  received: Received[];
  /** Requests still waiting on a hanging receiver. */
  hanging: number;
  /** Sets what each path answers from now on (default 200). */
  behave(path: string, behaviour: Behaviour): void;
}

/**
 * Serves RECEIVER's requests in-process; anything else goes where it went before (the stand-in).
 * Call after installStandin().
 */
export function installReceiver(): Receiver {
  const previous = vi.mocked(globalThis.fetch).getMockImplementation();
  const behaviours = new Map<string, Behaviour>();
  const receiver: Receiver = {
    received: [],
    hanging: 0,
    behave: (path, b) => void behaviours.set(path, b),
  };
  vi.mocked(globalThis.fetch).mockImplementation(async (input, init) => {
    const req = new Request(input as RequestInfo, init);
    const url = new URL(req.url);
    if (url.origin !== RECEIVER) return previous!(input as RequestInfo, init);
    const behaviour = behaviours.get(url.pathname) ?? 200;
    receiver.received.push({ path: url.pathname, headers: req.headers, body: await req.text() });
    if (behaviour === 'hang') {
      receiver.hanging += 1;
      return new Promise<Response>((_, reject) => {
        req.signal.addEventListener('abort', () => {
          receiver.hanging -= 1;
          reject(req.signal.reason);
        });
      });
    }
    // The receiver took it; its answer never came back (a reset connection).
    if (behaviour === 'lose_answer') throw new TypeError('fetch failed: connection reset');
    const body = behaviour === 204 ? null : behaviour < 300 ? 'ok' : 'no';
    return new Response(body, { status: behaviour });
  });
  return receiver;
}

/** The Worker's settings in local runs: loopback receivers allowed. */
export const LOCAL: Partial<Env> = { ZENDESK_ALLOW_LOCAL: '1' };

/**
 * Runs one request through the Worker with these settings; `done` settles once the work it
 * left for after the answer (waitUntil) has finished.
 */
export async function runWorker(request: Request, settings: Partial<Env> = LOCAL) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(request, { ...env, ...settings }, ctx);
  return { res, done: waitOnExecutionContext(ctx) };
}

/** A request signed the way the edge agent signs it. */
export async function edgeRequest(path: string, body: unknown): Promise<Request> {
  const text = JSON.stringify(body);
  const headers = await signEdgeRequest(env.EDGE_SECRET, {
    method: 'POST',
    url: BASE + path,
    body: text,
  });
  return new Request(BASE + path, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: text,
  });
}

/** An admin API request. */
export function adminRequest(path: string, init: { method?: string; body?: unknown } = {}) {
  return new Request(BASE + path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

/** Whether `header` carries a v1 signature of `body` with `secret`, checked with WebCrypto. */
export async function signedWith(header: string | null, body: string, secret: string) {
  const parts = (header ?? '').split(',').map((p) => p.split('='));
  const t = parts.find(([k]) => k === 't')?.[1];
  const v1s = parts.filter(([k]) => k === 'v1').map(([, v]) => v);
  if (!t) return false;
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  const hexToBytes = (hex: string) =>
    new Uint8Array((hex.match(/../g) ?? []).map((b) => parseInt(b, 16)));
  for (const v1 of v1s) {
    if (
      await crypto.subtle.verify(
        'HMAC',
        key,
        hexToBytes(v1 ?? ''),
        new TextEncoder().encode(`${t}.${body}`),
      )
    ) {
      return true;
    }
  }
  return false;
}
