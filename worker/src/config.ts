// What the Worker's settings (wrangler vars and secrets, see env.ts) configure: the Zendesk client
// with its shared request budget, the decision and handoff budgets, and how long call data is kept.
import { DEFAULT_DECISION_BUDGET_MS } from './calls/decide';
import type { Env } from './env';
import { DEFAULT_HANDOFF_BUDGET_MS } from './handoffs/create-handoff';
import { createD1Budget, type Budget } from './zendesk/budget';
import { zendeskBaseUrlProblem } from './zendesk/base-url';
import { createZendeskClient, type ZendeskClient } from './zendesk/client';

/** Default share of the plan's limit (Team plans allow 200/min) the bridge may spend. */
const DEFAULT_ZENDESK_REQUESTS_PER_MINUTE = 150;

let warnedBaseUrl = false;

/** Time one attempt of a background request (call notes, the phone index) may take. */
export const BACKGROUND_TIMEOUT_MS = 10_000;

/**
 * The longest the call path waits before retrying a Zendesk read: enough for a short backoff
 * after a 5xx or a timeout, never a 429's Retry-After (a second or more), which fails the step.
 */
export const CALL_PATH_MAX_RETRY_WAIT_MS = 250;

/**
 * The Zendesk client for this account, sharing one request budget across isolates through D1.
 * `timeoutMs` per attempt (default 2500, for the call path; BACKGROUND_TIMEOUT_MS for notes);
 * `callPath` (a decision) never sleeps out a Retry-After: it fails the step at once.
 */
export function zendeskFromEnv(
  env: Env,
  tuning: { timeoutMs?: number; callPath?: boolean } = {},
): ZendeskClient {
  return buildZendesk(env, (budget) => ({
    budget,
    ...(tuning.timeoutMs ? { timeoutMs: tuning.timeoutMs } : {}),
    ...(tuning.callPath ? { maxRetryWaitMs: CALL_PATH_MAX_RETRY_WAIT_MS } : {}),
  }));
}

/**
 * The client for the phone index sync (the cron): it spends from the same shared budget, but a
 * 429 from the export (whose own limit is 10 requests a minute) pauses only the sync, never the
 * calls, and it is not retried within the run: the next run resumes from the cursor.
 */
export function phoneIndexZendeskFromEnv(env: Env): ZendeskClient {
  return buildZendesk(env, (shared) => ({
    budget: { ...shared, blockUntil: async () => {} },
    maxReadRetries: 0,
    // A page of hundreds of users takes longer than the call path's 2.5 s.
    timeoutMs: BACKGROUND_TIMEOUT_MS,
  }));
}

function buildZendesk(
  env: Env,
  tune: (shared: Budget) => {
    budget: Budget;
    maxReadRetries?: number;
    timeoutMs?: number;
    maxRetryWaitMs?: number;
  },
): ZendeskClient {
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
    ...tune(createD1Budget(env.DB, { perMinute })),
  });
}

/**
 * Waits before the polls of a note job just sent (NOTE_POLL_DELAY_MS, default and at most 1000, from
 * 0): three polls, each waiting twice as long (7 s in all by default, twice per flush, inside
 * the 30 s waitUntil allows); a job still running is followed by the cron.
 */
export function notePollDelaysMs(env: Env): number[] {
  const raw = env.NOTE_POLL_DELAY_MS;
  const configured = raw === undefined || raw === '' ? NaN : Number(raw);
  const base = configured >= 0 && configured <= 1000 ? configured : 1000;
  return [base, base * 2, base * 4];
}

/** DECISION_BUDGET_MS when set from 100 to 10000 ms, else the default. */
export function decisionBudgetMs(env: Env): number {
  const configured = Number(env.DECISION_BUDGET_MS);
  return configured >= 100 && configured <= 10_000 ? configured : DEFAULT_DECISION_BUDGET_MS;
}

/** The values HANDOFF_BUDGET_MS may take, in milliseconds. */
export const HANDOFF_BUDGET_RANGE_MS = { min: 1000, max: 10_000 } as const;

let warnedHandoffBudget = false;

/**
 * HANDOFF_BUDGET_MS: how long POST /v1/handoffs may spend on Zendesk before answering 504, a
 * whole number of milliseconds from 1000 to 10000 (unset or empty: 4000). The AI agent holds a
 * caller meanwhile, and its own timeout must be longer. Any other value is not used: the default
 * is, with an error (once per isolate) naming the variable.
 */
export function handoffBudgetMs(env: Env): number {
  const raw: unknown = env.HANDOFF_BUDGET_MS;
  if (raw === undefined || raw === null || raw === '') return DEFAULT_HANDOFF_BUDGET_MS;
  // wrangler passes a var written as a JSON number through as a number.
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  const ms = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (ms >= HANDOFF_BUDGET_RANGE_MS.min && ms <= HANDOFF_BUDGET_RANGE_MS.max) return ms;
  if (!warnedHandoffBudget) {
    warnedHandoffBudget = true;
    console.error(
      `HANDOFF_BUDGET_MS must be a whole number of milliseconds from ${HANDOFF_BUDGET_RANGE_MS.min} to ${HANDOFF_BUDGET_RANGE_MS.max}; using ${DEFAULT_HANDOFF_BUDGET_MS} until it is fixed`,
    );
  }
  return DEFAULT_HANDOFF_BUDGET_MS;
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
