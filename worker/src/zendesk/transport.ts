import type { z } from 'zod';
import type { Budget } from './budget';
import { ZendeskError, type ZendeskErrorDetails, type ZendeskErrorKind } from './errors';
import { zendeskErrorBodySchema } from './schemas';

export interface TransportOptions {
  /** e.g. https://acme.zendesk.com; a trailing slash is ignored. */
  baseUrl: string;
  email: string;
  apiToken: string;
  budget: Budget;
  /** When set, nothing is sent: every request fails with kind `config` and this reason. */
  refuseReason?: string | null;
  /** Injectable for tests. */
  fetch?: typeof fetch;
  /** Per attempt, default 2500. */
  timeoutMs?: number;
  /** Extra attempts for GETs after 429, 5xx, timeouts and network errors; default 2. */
  maxReadRetries?: number;
  /**
   * The longest wait before a retry (default: any wait the deadline allows). A retry that needs
   * longer, such as a 429's Retry-After, fails at once instead: the call path sets it so a
   * decision never sleeps for Zendesk.
   */
  maxRetryWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT';
  /** Path below the base URL, with its query string. */
  path: string;
  body?: unknown;
  /** Epoch ms; no attempt, wait or retry goes past it. */
  deadline?: number | undefined;
}

/** Answer to one attempt, body already read (inside the attempt's time limit). */
interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

export interface Transport {
  /** Sends until a 2xx answer and returns it validated by `schema`. */
  json<S extends z.ZodType>(spec: RequestSpec, schema: S): Promise<z.output<S>>;
  /** Sends until a 2xx answer and ignores its body. */
  send(spec: RequestSpec): Promise<void>;
  /** HTTP requests actually handed to fetch. */
  readonly requestsMade: number;
  /** True while a request would be refused without being sent (settings, spent budget, 429). */
  refusesRequests(): boolean;
}

const RETRYABLE: ReadonlySet<ZendeskErrorKind> = new Set([
  'timeout',
  'unreachable',
  'server',
  'rate_limited',
]);
// Zendesk limits are per minute, so a 429 without Retry-After waits out a whole window.
const DEFAULT_RETRY_AFTER_S = 60;
const BACKOFF_BASE_MS = 50;

/** Seconds from a Retry-After header (delta-seconds or HTTP-date), or undefined if unreadable. */
function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed));
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - nowMs) / 1000));
}

/** Zendesk's error envelope reduced to codes and field names (details can echo personal data). */
function summarizeErrorBody(text: string): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return '';
  }
  const body = zendeskErrorBodySchema.safeParse(json);
  if (!body.success) return '';
  const { error, description, details } = body.data;
  const parts = [
    typeof error === 'string' ? error : [error?.title, error?.message].filter(Boolean).join(': '),
    description,
    details && Object.keys(details).length > 0
      ? `fields: ${Object.keys(details).join(', ')}`
      : undefined,
  ].filter((p): p is string => typeof p === 'string' && p !== '');
  return parts.length > 0 ? ` (${parts.join('; ').slice(0, 300)})` : '';
}

function base64Utf8(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

/**
 * HTTP to Zendesk with the budget, per-attempt timeouts, deadlines and retry policy applied:
 * only GETs are retried, because a retried POST could create a second ticket.
 * Its retry loop is its own, not the edge's `retry()` (kamailio/agent/retry.ts): it runs inside
 * workerd, which the edge package is not built for, and its waits follow Retry-After, the request
 * budget and each call's deadline. Its clock and sleep are injected all the same (`now`, `sleep`).
 *
 * @example
 * const http = createTransport({ baseUrl, email, apiToken, budget });
 * const { ticket } = await http.json({ method: 'GET', path: '/api/v2/tickets/1.json' }, schema);
 */
export function createTransport(options: TransportOptions): Transport {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  // Fail at start-up rather than on the first call.
  new URL(baseUrl);
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 2500;
  const maxReadRetries = options.maxReadRetries ?? 2;
  const maxRetryWaitMs = options.maxRetryWaitMs ?? Infinity;
  const sleep = options.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const credential = base64Utf8(`${options.email}/token:${options.apiToken}`);
  const authorization = `Basic ${credential}`;
  let requestsMade = 0;

  // Belt and braces: no message may carry the token, even if some layer echoed it.
  const redact = (text: string) =>
    [options.apiToken, credential]
      .filter((secret) => secret.length > 0)
      .reduce((t, secret) => t.split(secret).join('[redacted]'), text);

  function fail(
    kind: ZendeskErrorKind,
    spec: RequestSpec,
    message: string,
    extra: Omit<ZendeskErrorDetails, 'path' | 'method'> = {},
  ): ZendeskError {
    const path = spec.path.split('?')[0] ?? spec.path;
    const text = redact(`Zendesk ${spec.method} ${path}: ${message}`);
    return new ZendeskError(kind, text, { ...extra, path, method: spec.method });
  }

  const unknownOutcome = (spec: RequestSpec) =>
    spec.method === 'GET' ? '' : '; not retried, the change may or may not have been applied';

  async function exchange(spec: RequestSpec, signal: AbortSignal): Promise<Answer> {
    const headers: Record<string, string> = {
      Authorization: authorization,
      Accept: 'application/json',
    };
    if (spec.body !== undefined) headers['Content-Type'] = 'application/json';
    requestsMade++;
    const res = await fetchImpl(baseUrl + spec.path, {
      method: spec.method,
      headers,
      body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
      signal,
      // A redirect would carry the Authorization header to wherever it points: never follow one.
      redirect: 'manual',
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  // Budget trouble (D1 down) is reported like a spent budget: the request is not sent either way.
  async function takeBudget(spec: RequestSpec): Promise<void> {
    let granted: boolean;
    try {
      granted = await options.budget.take();
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      throw fail('budget_exhausted', spec, `request budget unavailable (${reason}); not sent`);
    }
    if (!granted) {
      throw fail('budget_exhausted', spec, 'request budget spent or blocked after a 429; not sent');
    }
  }

  async function attempt(spec: RequestSpec): Promise<Answer> {
    const remaining = spec.deadline === undefined ? Infinity : spec.deadline - now();
    if (options.refuseReason) throw fail('config', spec, `${options.refuseReason}; not sent`);
    if (remaining <= 0) {
      throw fail('timeout', spec, 'the deadline passed before the request was sent');
    }
    await takeBudget(spec);
    const limitMs = Math.max(1, Math.min(timeoutMs, remaining));
    const timeout = () =>
      fail('timeout', spec, `no answer within ${limitMs} ms${unknownOutcome(spec)}`);
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Racing the timer too means a fetch that ignores its signal still cannot hang us.
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(timeout());
      }, limitMs);
    });
    try {
      return await Promise.race([exchange(spec, controller.signal), timedOut]);
    } catch (e) {
      if (e instanceof ZendeskError) throw e;
      if (controller.signal.aborted) throw timeout();
      // No `cause`: the original error is not redacted, and its text is already in the message.
      const reason = e instanceof Error ? e.message : String(e);
      throw fail('unreachable', spec, `request failed: ${reason}${unknownOutcome(spec)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  async function errorFor(spec: RequestSpec, answer: Answer): Promise<ZendeskError> {
    const { status } = answer;
    const retryAfter = parseRetryAfter(answer.headers.get('Retry-After'), now());
    if (status === 429) {
      const seconds = retryAfter ?? DEFAULT_RETRY_AFTER_S;
      try {
        await options.budget.blockUntil(now() + seconds * 1000);
      } catch {
        // A failed block must not hide the 429 itself from the caller.
      }
      return fail('rate_limited', spec, `rate limited (429), retry after ${seconds} s`, {
        status,
        retryAfterSeconds: seconds,
      });
    }
    if (status >= 300 && status < 400) {
      const hint = 'redirects are not followed, so credentials never leave ZENDESK_BASE_URL';
      return fail('client', spec, `answered with a redirect (${status}); ${hint}`, { status });
    }
    const summary = summarizeErrorBody(answer.text);
    if (status === 401 || status === 403) {
      const hint = 'check ZENDESK_EMAIL, ZENDESK_API_TOKEN and the agent role';
      return fail('auth', spec, `refused the credentials (${status})${summary}; ${hint}`, {
        status,
      });
    }
    if (status >= 500) {
      return fail('server', spec, `server error ${status}${summary}${unknownOutcome(spec)}`, {
        status,
        retryAfterSeconds: retryAfter,
      });
    }
    return fail('client', spec, `rejected the request (${status})${summary}`, { status });
  }

  function waitBeforeRetry(error: ZendeskError, retry: number): number {
    if (error.kind === 'rate_limited') return (error.retryAfterSeconds ?? 0) * 1000;
    // 50 ms, 150 ms, ... each jittered by ±50% so isolates do not retry in lockstep.
    const backoff = BACKOFF_BASE_MS * 3 ** retry * (0.5 + Math.random());
    return Math.max(backoff, (error.retryAfterSeconds ?? 0) * 1000);
  }

  async function sendWithRetries(spec: RequestSpec): Promise<Answer> {
    for (let retry = 0; ; retry++) {
      let error: ZendeskError;
      try {
        const answer = await attempt(spec);
        if (answer.status >= 200 && answer.status < 300) return answer;
        error = await errorFor(spec, answer);
      } catch (e) {
        if (!(e instanceof ZendeskError)) throw e;
        error = e;
      }
      const mayRetry = spec.method === 'GET' && retry < maxReadRetries && RETRYABLE.has(error.kind);
      if (!mayRetry) throw error;
      const waitMs = waitBeforeRetry(error, retry);
      if (waitMs > maxRetryWaitMs) throw error;
      if (spec.deadline !== undefined && now() + waitMs >= spec.deadline) throw error;
      await sleep(waitMs);
    }
  }

  return {
    async json(spec, schema) {
      const answer = await sendWithRetries(spec);
      let body: unknown;
      try {
        body = JSON.parse(answer.text);
      } catch {
        throw fail('invalid_response', spec, `answer ${answer.status} is not JSON`, {
          status: answer.status,
        });
      }
      const parsed = schema.safeParse(body);
      if (parsed.success) return parsed.data;
      const issues = parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ');
      throw fail('invalid_response', spec, `unexpected answer shape (${issues})`, {
        status: answer.status,
      });
    },
    async send(spec) {
      await sendWithRetries(spec);
    },
    get requestsMade() {
      return requestsMade;
    },
    refusesRequests() {
      return Boolean(options.refuseReason) || options.budget.refusing();
    },
  };
}
