// What the Worker's settings (wrangler vars and secrets, see env.ts) configure: the Zendesk client
// with its shared request budget, the decision budget, and how long call data is kept.
import { DEFAULT_DECISION_BUDGET_MS } from './calls/decide';
import type { Env } from './env';
import { createD1Budget } from './zendesk/budget';
import { zendeskBaseUrlProblem } from './zendesk/base-url';
import { createZendeskClient, type ZendeskClient } from './zendesk/client';

/** Default share of the plan's limit (Team plans allow 200/min) the bridge may spend. */
const DEFAULT_ZENDESK_REQUESTS_PER_MINUTE = 150;

let warnedBaseUrl = false;

/**
 * The longest the call path waits before retrying a Zendesk read: enough for a short backoff
 * after a 5xx or a timeout, never a 429's Retry-After (a second or more), which fails the step.
 */
export const CALL_PATH_MAX_RETRY_WAIT_MS = 250;

/**
 * The Zendesk client for this account, sharing one request budget across isolates through D1.
 * `callPath` (a decision) never sleeps out a Retry-After: it fails the step at once.
 */
export function zendeskFromEnv(env: Env, opts: { callPath?: boolean } = {}): ZendeskClient {
  const perMinute = Number(env.ZENDESK_REQUESTS_PER_MINUTE) || DEFAULT_ZENDESK_REQUESTS_PER_MINUTE;
  const refuseReason = zendeskBaseUrlProblem(env.ZENDESK_BASE_URL, env.ZENDESK_ALLOW_LOCAL === '1');
  if (refuseReason && !warnedBaseUrl) {
    warnedBaseUrl = true;
    console.error(`${refuseReason}; no request is sent to Zendesk`);
  }
  return createZendeskClient({
    refuseReason,
    // The transport parses its base URL: a placeholder keeps a bad setting from throwing.
    baseUrl: refuseReason ? 'https://invalid.zendesk.com' : env.ZENDESK_BASE_URL,
    email: env.ZENDESK_EMAIL,
    apiToken: env.ZENDESK_API_TOKEN,
    budget: createD1Budget(env.DB, { perMinute }),
    ...(opts.callPath ? { maxRetryWaitMs: CALL_PATH_MAX_RETRY_WAIT_MS } : {}),
  });
}

/** DECISION_BUDGET_MS when set from 100 to 10000 ms, else the default. */
export function decisionBudgetMs(env: Env): number {
  const configured = Number(env.DECISION_BUDGET_MS);
  return configured >= 100 && configured <= 10_000 ? configured : DEFAULT_DECISION_BUDGET_MS;
}

/** Days call records are kept when RETENTION_DAYS is unset. */
export const DEFAULT_RETENTION_DAYS = 90;
const MAX_RETENTION_DAYS = 3650;

/**
 * RETENTION_DAYS as a whole number of days from 1 to 3650 (unset or empty: 90), or null when it
 * is anything else: the purge is then skipped, with an error naming the variable, rather than
 * run with a value the operator did not mean.
 */
export function retentionDays(env: Env): number | null {
  const raw: unknown = env.RETENTION_DAYS;
  if (raw === undefined || raw === null || raw === '') return DEFAULT_RETENTION_DAYS;
  // wrangler passes a var written as a JSON number through as a number.
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  const days = /^\d{1,4}$/.test(text) ? Number(text) : NaN;
  if (days >= 1 && days <= MAX_RETENTION_DAYS) return days;
  console.error(
    `RETENTION_DAYS must be a whole number of days from 1 to ${MAX_RETENTION_DAYS} (unset means ${DEFAULT_RETENTION_DAYS}); nothing is purged until it is fixed`,
  );
  return null;
}
