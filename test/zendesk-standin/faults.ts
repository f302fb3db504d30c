// Injected failures: latency, 429s and 5xx, optionally limited to paths matching a regex.
import { rateLimited, serverError, isRecord } from './responses';

export interface Faults {
  /** Delay before every affected request is answered. */
  latencyMs?: number;
  /** Answer the next `count` affected requests with 429 and `Retry-After: retryAfter`. */
  rateLimit?: { count: number; retryAfter: number };
  /** Answer the next `count` affected requests with a 5xx (default 500). */
  serverError?: { count: number; status?: 500 | 502 | 503 };
  /** Regex source; when set, faults apply only to request paths it matches. */
  failPaths?: string;
}

const SERVER_ERROR_STATUSES = [500, 502, 503] as const;

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Checks a Faults object from an untrusted source (the HTTP control endpoint or a test).
 * Returns the error text a person can act on, or null when the object is valid.
 */
export function faultsProblem(input: unknown): string | null {
  if (!isRecord(input)) return 'faults must be a JSON object';
  const known = ['latencyMs', 'rateLimit', 'serverError', 'failPaths'];
  const unknown = Object.keys(input).filter((k) => !known.includes(k));
  if (unknown.length > 0) return `unknown fault keys: ${unknown.join(', ')} (known: ${known})`;
  const { latencyMs, rateLimit, serverError: server, failPaths } = input;
  if (latencyMs !== undefined && !isCount(latencyMs)) {
    return 'latencyMs must be a non-negative integer';
  }
  if (rateLimit !== undefined) {
    if (!isRecord(rateLimit) || !isCount(rateLimit.count) || !isCount(rateLimit.retryAfter)) {
      return 'rateLimit must be {count, retryAfter} with non-negative integers';
    }
  }
  if (server !== undefined) {
    if (!isRecord(server) || !isCount(server.count)) {
      return 'serverError must be {count, status?} with a non-negative integer count';
    }
    const status = server.status;
    if (status !== undefined && !SERVER_ERROR_STATUSES.includes(status as 500)) {
      return 'serverError.status must be 500, 502 or 503';
    }
  }
  if (failPaths !== undefined) {
    if (typeof failPaths !== 'string') return 'failPaths must be a regex source string';
    try {
      new RegExp(failPaths);
    } catch (e) {
      return `failPaths is not a valid regex: ${(e as Error).message}`;
    }
  }
  return null;
}

/** Holds the current faults and decides, per request, whether to fail it. */
export class FaultInjector {
  private faults: Faults = {};
  private pathPattern: RegExp | null = null;

  constructor(private readonly sleep: (ms: number) => Promise<void>) {}

  /** Replaces all faults; throws a TypeError when the object is invalid. */
  set(faults: Faults): void {
    const problem = faultsProblem(faults);
    if (problem) throw new TypeError(problem);
    this.faults = structuredClone(faults);
    this.pathPattern = faults.failPaths === undefined ? null : new RegExp(faults.failPaths);
  }

  clear(): void {
    this.faults = {};
    this.pathPattern = null;
  }

  /** A copy of the faults still in force (counts already decremented). */
  get current(): Faults {
    return structuredClone(this.faults);
  }

  /**
   * Waits out the latency, then returns the fault response for this request, or null to go on.
   * 429s are used up before 5xx when both are set.
   */
  async apply(path: string): Promise<Response | null> {
    if (this.pathPattern && !this.pathPattern.test(path)) return null;
    const { latencyMs, rateLimit, serverError: server } = this.faults;
    if (latencyMs) await this.sleep(latencyMs);
    if (rateLimit && rateLimit.count > 0) {
      rateLimit.count -= 1;
      return rateLimited(rateLimit.retryAfter);
    }
    if (server && server.count > 0) {
      server.count -= 1;
      return serverError(server.status ?? 500);
    }
    return null;
  }
}
