// Helpers shared by the stand-in's tests: authenticated calls and JSON bodies.
import type { ZendeskStandin } from './app';

export const ORIGIN = 'http://zendesk.test';
export const AUTH = `Basic ${btoa('bridge@example.com/token:standin-token')}`;

export interface CallInit {
  method?: string;
  body?: unknown;
  /** Authorization header; null sends none. Defaults to valid Basic credentials. */
  auth?: string | null;
  headers?: Record<string, string>;
}

export function call(
  standin: ZendeskStandin,
  path: string,
  init: CallInit = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  const auth = init.auth === undefined ? AUTH : init.auth;
  if (auth !== null) headers.set('Authorization', auth);
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    if (!headers.has('Content-Type')) headers.set('Content-Type', 'application/json');
  }
  const method = init.method ?? (body === undefined ? 'GET' : 'POST');
  return standin.fetch(new Request(`${ORIGIN}${path}`, { method, headers, body }));
}

/** The response's status, headers and parsed JSON body (tests read fields freely). */
export async function callJson(standin: ZendeskStandin, path: string, init: CallInit = {}) {
  const response = await call(standin, path, init);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const body = (await response.json()) as any;
  return { status: response.status, headers: response.headers, body };
}
