// A secret during a rotation: requests may be authenticated with the current value or, while
// `<NAME>_PREVIOUS` is set, with the value it replaces. Only the current value is ever issued.
import type { Env } from '../env';

/** The Worker's shared secrets that can be rotated without a gap. */
export type RotatingSecretName = 'EDGE_SECRET' | 'APP_JWT_SECRET' | 'ADMIN_TOKEN';

/** What a value of that secret must satisfy to be used at all (the same for current and previous). */
export interface SecretRule {
  name: RotatingSecretName;
  /** Whether the value is long enough; a shorter one is never accepted. */
  longEnough: (value: string) => boolean;
  /** The minimum, as the log line states it, e.g. "16 characters". */
  minimum: string;
}

/** Variables already reported as too short in this isolate: one log line each, not one per request. */
const reportedTooShort = new Set<string>();
/** When each previous value was last reported in use, so the info line comes at most once a minute. */
const reportedUse = new Map<string, number>();
const USE_REPORT_INTERVAL_MS = 60_000;

/**
 * The values a request may be checked against: `[current]`, or `[current, previous]` during a
 * rotation. The caller checks the current value itself (it refuses every request when that one is
 * missing or too short). An unset or empty previous value is ignored; one shorter than the rule's
 * minimum is ignored with one error log per isolate naming the variable, never its value.
 * @example const secrets = acceptedSecrets(c.env, EDGE_SECRET_RULE, c.env.EDGE_SECRET);
 */
export function acceptedSecrets(env: Env, rule: SecretRule, current: string): string[] {
  const name = `${rule.name}_PREVIOUS` as const;
  const previous = env[name];
  if (!previous || previous === current) return [current];
  if (!rule.longEnough(previous)) {
    if (!reportedTooShort.has(name)) {
      reportedTooShort.add(name);
      console.error(
        `${name} is ignored: it is shorter than ${rule.minimum}, the minimum for ${rule.name} (delete it, or set it to the value being replaced)`,
      );
    }
    return [current];
  }
  return [current, previous];
}

/**
 * Notes which of acceptedSecrets()' values authenticated a request. Using the previous one is
 * logged at info (the variable's name only, at most once a minute per isolate), so an operator can
 * tell when nothing uses it any more and delete it.
 */
export function noteSecretUsed(rule: SecretRule, index: number, nowMs = Date.now()): void {
  if (index !== 1) return;
  const name = `${rule.name}_PREVIOUS`;
  const last = reportedUse.get(name);
  if (last !== undefined && nowMs - last < USE_REPORT_INTERVAL_MS) return;
  reportedUse.set(name, nowMs);
  console.info(
    `a request was authenticated with ${name} (logged at most once a minute); delete it once this stops appearing`,
  );
}

/** Forgets what was logged, so the next occurrence logs again (tests). */
export function forgetSecretLogs(): void {
  reportedTooShort.clear();
  reportedUse.clear();
}
