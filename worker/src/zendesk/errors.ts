/**
 * Why a Zendesk call failed, in terms a caller can act on:
 * - `timeout`: no answer within the attempt's time or the caller's deadline.
 * - `unreachable`: the request could not be sent or the connection broke.
 * - `rate_limited`: Zendesk answered 429; see `retryAfterSeconds`.
 * - `server`: Zendesk answered 5xx.
 * - `client`: Zendesk refused the request (4xx other than 401/403), or our own input was invalid.
 * - `auth`: 401/403; the email, API token or the agent's role is wrong.
 * - `budget_exhausted`: our shared per-minute budget is spent or a 429 block is in force; nothing was sent.
 * - `invalid_response`: the answer was not the JSON shape we rely on.
 * - `config`: the Worker's Zendesk settings are unusable (ZENDESK_BASE_URL); nothing was sent.
 */
export type ZendeskErrorKind =
  | 'timeout'
  | 'unreachable'
  | 'rate_limited'
  | 'server'
  | 'client'
  | 'auth'
  | 'budget_exhausted'
  | 'invalid_response'
  | 'config';

export interface ZendeskErrorDetails {
  /** Request path without the query string (queries can hold caller numbers). */
  path: string;
  method?: string;
  /** HTTP status, when Zendesk answered. */
  status?: number;
  /** Seconds Zendesk asked us to wait (429, or 503 with Retry-After). */
  retryAfterSeconds?: number;
}

/**
 * A failed Zendesk call. Messages never contain credentials.
 *
 * @example
 * try {
 *   await zendesk.showTicket(42);
 * } catch (e) {
 *   if (e instanceof ZendeskError && e.kind === 'rate_limited') retryLater(e.retryAfterSeconds);
 * }
 */
export class ZendeskError extends Error {
  override readonly name = 'ZendeskError';
  readonly kind: ZendeskErrorKind;
  readonly path: string;
  readonly method: string | undefined;
  readonly status: number | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(kind: ZendeskErrorKind, message: string, details: ZendeskErrorDetails) {
    super(message);
    this.kind = kind;
    this.path = details.path;
    this.method = details.method;
    this.status = details.status;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}
