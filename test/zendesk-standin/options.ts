// Options of the stand-in and their defaults.

export interface StandinOptions {
  /** Email of the API user; requests must authenticate as `{email}/token:{apiToken}`. */
  email?: string;
  apiToken?: string;
  /** Mimics the admin setting "Validate user phone numbers": non-E.164 phones get a 422. */
  validatePhoneNumbers?: boolean;
  /** How long after creation a new user stays invisible to search ("up to a few minutes"). */
  searchIndexDelayMs?: number;
  /** Load the demo seed (default true); otherwise start with only the API user. */
  seed?: boolean;
  /** Extra OAuth access tokens → user id, on top of the seed's `DEMO_OAUTH_TOKENS`. */
  oauthTokens?: Record<string, number>;
  /** Clock in epoch ms, for tests that move time by hand. */
  now?: () => number;
  /**
   * Polls of Show Job Status before a queued job runs: the first polls answer `queued`, then
   * `working`, and this one runs it and answers `completed` (default 2). Deterministic, no timers.
   */
  jobPollsToComplete?: number;
  /** Jobs queued or running at the same time before Update Many answers 429 (default 30). */
  maxActiveJobs?: number;
  /** Waits out the `latencyMs` fault; tests pass their own to see the wait without taking it. */
  sleep?: (ms: number) => Promise<void>;
}

export type ResolvedOptions = Required<StandinOptions>;

const DEFAULT_EMAIL = 'bridge@example.com';
const DEFAULT_API_TOKEN = 'standin-token';

export function resolveOptions(options: StandinOptions = {}): ResolvedOptions {
  return {
    email: options.email ?? DEFAULT_EMAIL,
    apiToken: options.apiToken ?? DEFAULT_API_TOKEN,
    validatePhoneNumbers: options.validatePhoneNumbers ?? false,
    searchIndexDelayMs: options.searchIndexDelayMs ?? 0,
    seed: options.seed ?? true,
    oauthTokens: { ...options.oauthTokens },
    now: options.now ?? (() => Date.now()),
    jobPollsToComplete: options.jobPollsToComplete ?? 2,
    maxActiveJobs: options.maxActiveJobs ?? 30,
    sleep: options.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
  };
}
