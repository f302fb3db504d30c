import { z } from 'zod';
import { CliError, EXIT } from './exit-codes';
import { socketErrorCode } from '../agent/socket-error';

const AGENT_TIMEOUT_MS = 2000;
/** A forced sync may wait for Kamailio's reload delay (5 s) and the Worker: give it time. */
const SYNC_TIMEOUT_MS = 15_000;

/** The ACL sync part of the agent's answers (agent/edge-config-sync.ts AclSnapshot). */
const aclSnapshot = z.object({
  last_sync_at: z.string().nullable(),
  etag: z.string().nullable(),
  entries: z.number(),
  last_error: z.string().nullable(),
});
export type AclSnapshot = z.infer<typeof aclSnapshot>;

/**
 * GET /health (kamailio/agent/health.ts HealthReport). Parsed loosely: sections the CLI does not
 * show (added by newer agents) are ignored rather than refused.
 */
export const healthReport = z.object({
  status: z.enum(['ok', 'degraded']),
  spool: z.object({ depth: z.number(), oldest_at: z.string().nullable() }),
  worker: z.object({
    reachable: z.boolean(),
    last_ok_at: z.string().nullable(),
    last_error: z.string().nullable(),
    breaker: z.enum(['closed', 'open']),
  }),
  acl: aclSnapshot.optional(),
  /** Call reconciliation (EDGE_RECONCILE_INTERVAL_MS); read only for its last_error. */
  reconcile: z
    .object({ last_error: z.string().nullable().catch(null) })
    .optional()
    .catch(undefined),
  /** Commands from the Worker (EDGE_COMMANDS_INTERVAL_MS); read only for its last_error. */
  commands: z
    .object({ last_error: z.string().nullable().catch(null) })
    .optional()
    .catch(undefined),
});
export type AgentHealth = z.infer<typeof healthReport>;

interface AgentAnswer {
  status: number;
  body: unknown;
}

/** Why fetch failed, as the socket said it (ECONNREFUSED, ENOTFOUND, …). */
function networkReason(error: unknown): string {
  return socketErrorCode(error) ?? (error as Error).message;
}

async function request(
  base: string,
  path: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<AgentAnswer> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    text = await res.text();
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    throw new CliError(
      EXIT.unreachable,
      timedOut
        ? `the edge agent at ${base} did not answer ${path} within ${timeoutMs} ms; is it overloaded or stuck?`
        : `cannot reach the edge agent at ${base} (${networkReason(error)}); is sipbridge-agent running?`,
    );
  }
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = undefined;
  }
  return { status: res.status, body };
}

/** The agent's health report; unreachable → CliError 3, anything but a health report → 1. */
export async function fetchHealth(base: string, timeoutMs = AGENT_TIMEOUT_MS) {
  const res = await request(base, '/health', { method: 'GET' }, timeoutMs);
  const parsed = healthReport.safeParse(res.body);
  if (res.status !== 200 || !parsed.success) {
    throw new CliError(
      EXIT.failed,
      `${base}/health answered HTTP ${res.status} without a health report; is ${base} the edge agent?`,
    );
  }
  return parsed.data;
}

type SyncOutcome =
  | { synced: true; acl: AclSnapshot }
  | { synced: false; error: 'acl_sync_failed'; message: string; acl: AclSnapshot };

const syncAnswer = z.object({ synced: z.literal(true), acl: aclSnapshot });
const syncFailed = z.object({
  error: z.literal('acl_sync_failed'),
  message: z.string(),
  acl: aclSnapshot,
});
const errorAnswer = z.object({ error: z.string(), message: z.string().optional() });

/**
 * POST /v1/acl/sync: the agent fetches the Worker's edge config now, rewrites address.list and
 * reloads Kamailio. 200 and 502 are outcomes; 401 and 409 are configuration errors (exit 2).
 */
export async function forceAclSync(
  base: string,
  token: string,
  timeoutMs = SYNC_TIMEOUT_MS,
): Promise<SyncOutcome> {
  const res = await request(
    base,
    '/v1/acl/sync',
    { method: 'POST', headers: { Authorization: `Bearer ${token}` } },
    timeoutMs,
  );
  if (res.status === 200) {
    const ok = syncAnswer.safeParse(res.body);
    if (ok.success) return ok.data;
  }
  if (res.status === 502) {
    const failed = syncFailed.safeParse(res.body);
    if (failed.success) return { synced: false, ...failed.data };
  }
  if (res.status === 401) {
    throw new CliError(
      EXIT.usage,
      `the edge agent at ${base} refused EDGE_AGENT_TOKEN (401): use the token from the agent's environment`,
    );
  }
  const error = errorAnswer.safeParse(res.body);
  if (res.status === 409 && error.success && error.data.error === 'acl_sync_off') {
    throw new CliError(
      EXIT.usage,
      `ACL sync is off in the edge agent at ${base}: set EDGE_ACL_SYNC_DIR in its environment ` +
        '(/etc/sipbridge/agent.env) and restart it',
    );
  }
  if (res.status === 404) {
    throw new CliError(
      EXIT.failed,
      `${base} has no /v1/acl/sync (HTTP 404); is it the edge agent, and recent enough?`,
    );
  }
  const detail = error.success ? `: ${error.data.message ?? error.data.error}` : '';
  throw new CliError(EXIT.failed, `the edge agent at ${base} answered HTTP ${res.status}${detail}`);
}
