// Asking Zendesk as the signed-in agent (their OAuth access token), to learn who they are and what
// they may see. Separate from the bridge's own client: other credentials, no retries, no budget.
import { z } from 'zod';

/** Zendesk is asked at most this long per request before the bridge answers 503. */
const AGENT_REQUEST_TIMEOUT_MS = 3000;
const DEFAULT_RETRY_AFTER_S = 5;
const MAX_RETRY_AFTER_S = 120;

export type AgentAnswer<T> =
  | { kind: 'ok'; body: T }
  | { kind: 'unauthorized' }
  | { kind: 'forbidden' }
  | { kind: 'not_found' }
  | { kind: 'unavailable'; retryAfterS: number; reason: string };

export const MeSchema = z.object({
  user: z.object({
    id: z.number().int().positive().nullable(),
    role: z.string(),
  }),
});

export const TicketVisibleSchema = z.object({ ticket: z.object({ id: z.number().int() }) });

function retryAfter(header: string | null): number {
  const seconds = Number(header);
  if (!Number.isFinite(seconds) || seconds < 1) return DEFAULT_RETRY_AFTER_S;
  return Math.min(Math.ceil(seconds), MAX_RETRY_AFTER_S);
}

/**
 * `GET {baseUrl}{path}` with `Authorization: Bearer <agent token>`. Redirects are not followed (the
 * token must never travel to another host), and anything but a clear answer is 'unavailable'.
 *
 * @example
 * const me = await getAsAgent(env.ZENDESK_BASE_URL, token, '/api/v2/users/me.json', MeSchema);
 */
export async function getAsAgent<T>(
  baseUrl: string,
  token: string,
  path: string,
  schema: z.ZodType<T>,
  timeoutMs = AGENT_REQUEST_TIMEOUT_MS,
): Promise<AgentAnswer<T>> {
  let res: Response;
  try {
    res = await fetch(new URL(path, baseUrl), {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const timedOut = (err as Error)?.name === 'TimeoutError';
    return {
      kind: 'unavailable',
      retryAfterS: DEFAULT_RETRY_AFTER_S,
      reason: timedOut ? 'timeout' : 'unreachable',
    };
  }
  if (res.status === 401) return { kind: 'unauthorized' };
  if (res.status === 403) return { kind: 'forbidden' };
  if (res.status === 404) return { kind: 'not_found' };
  if (res.status === 429)
    return {
      kind: 'unavailable',
      retryAfterS: retryAfter(res.headers.get('Retry-After')),
      reason: 'rate limited',
    };
  if (res.status !== 200) {
    return {
      kind: 'unavailable',
      retryAfterS: DEFAULT_RETRY_AFTER_S,
      reason: `status ${res.status}`,
    };
  }
  const parsed = schema.safeParse(await res.json().catch(() => undefined));
  if (!parsed.success) {
    return { kind: 'unavailable', retryAfterS: DEFAULT_RETRY_AFTER_S, reason: 'unexpected body' };
  }
  return { kind: 'ok', body: parsed.data };
}
