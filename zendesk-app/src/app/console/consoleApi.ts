// The admin console's calls to the Worker (/v1/console/*: lines in worker/src/routes/console-lines.ts;
// usage and the call log use consoleRequest from usageApi.ts and callLogApi.ts),
// through Zendesk's proxy with the same two proofs as the sidebar; the Worker checks the admin role.
import type { ZafClient, ZafResponse } from 'zendesk_app_framework_sdk';
import type { LineEdgeStatus } from '@sip-bridge/contract/edge-applied';
import type { RoutingMode } from '@sip-bridge/contract/line-limits';
import type { LineMedia } from '@sip-bridge/contract/line-media';
import type { LineWebhook } from './webhookApi';
import { bridgeRequestOptions, classifyStatus } from '../lib/bridgeRequest';

export type { LineEdgeStatus };

/** An ACL entry as the Worker answers it. */
export interface AclEntry {
  id: number;
  cidr: string;
  label: string;
}

/** How the edge routes a line's calls (the Worker's LineRouting). */
export interface LineRouting {
  mode: RoutingMode;
  no_ringback_ms: number;
  no_answer_ms: number;
  max_concurrent_calls: number;
}

/** A line's caller auth as the Worker shows it: no password, HA1 or token, ever. */
export interface LineAuth {
  ip: boolean;
  digest?: { realm: string; users: { username: string }[] };
  token?: { header: string; secret_set: true };
  tech_prefix?: string;
  p_charge_info?: { numbers: string[] };
}

/** A line as `GET /v1/console/lines` answers it: the fields the console shows or edits. */
export interface Line {
  slug: string;
  name: string;
  sip_targets: string[];
  default_country: string;
  create_ticket: boolean;
  invalid_ticket: 'drop' | 'reject';
  enabled: boolean;
  acl: AclEntry[];
  max_cps: number;
  max_creations_per_minute: number;
  media: LineMedia;
  routing: LineRouting;
  auth: LineAuth;
  /** Where the line's call events go (never its signing secret), or null. */
  webhook?: LineWebhook | null;
  /** Whether the edge enforces the line as it stands (docs/edge-protocol.md, "Applied report"). */
  edge: LineEdgeStatus;
}

/**
 * One refused field, named as in the request body (`acl[0].cidr`), with the kind of problem
 * (`code`: `too_small`, `insecure_target`…) and a bound; the console words it from the kind,
 * never from the Worker's English `message`.
 */
export interface FieldIssue {
  path: string;
  message: string;
  code?: string;
  origin?: string;
  minimum?: number;
  maximum?: number;
}

/** Why a console request failed: the Worker's code (`admin_required`, `conflict`…) and its fields. */
export class ConsoleError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(`console request failed: ${code} (HTTP ${status})`);
    this.name = 'ConsoleError';
  }
}

function bodyOf(res: ZafResponse | undefined): Record<string, unknown> | undefined {
  if (!res || typeof res !== 'object') return undefined;
  let body = res.responseJSON;
  if (body === undefined) {
    try {
      body = JSON.parse(res.responseText ?? '');
    } catch {
      return undefined;
    }
  }
  return body && typeof body === 'object' ? (body as Record<string, unknown>) : undefined;
}

/** One issue of a refusal as the console reads it, or nothing when it is not one. */
function issueOf(value: unknown): FieldIssue[] {
  const i = value as Record<string, unknown> | null;
  if (typeof i?.path !== 'string' || typeof i.message !== 'string') return [];
  const text = (v: unknown) => (typeof v === 'string' && /^[a-z_]{1,40}$/.test(v) ? v : undefined);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const code = text(i.code);
  const origin = text(i.origin);
  const minimum = num(i.minimum);
  const maximum = num(i.maximum);
  return [
    {
      path: i.path,
      message: i.message,
      ...(code ? { code } : {}),
      ...(origin ? { origin } : {}),
      ...(minimum !== undefined ? { minimum } : {}),
      ...(maximum !== undefined ? { maximum } : {}),
    },
  ];
}

function failure(res: ZafResponse | undefined): ConsoleError {
  const status = typeof res?.status === 'number' ? res.status : 0;
  const body = bodyOf(res);
  const code = typeof body?.error === 'string' ? body.error : classifyStatus(status);
  const issues = Array.isArray(body?.issues) ? body.issues.flatMap(issueOf) : [];
  return new ConsoleError(status, code, issues);
}

export interface ConsoleTarget {
  client: ZafClient;
  apiUrl: string;
  userId: number | string;
}

/** One console call's 2xx answer, else a ConsoleError. */
async function consoleResponse(
  target: ConsoleTarget,
  path: string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' = 'GET',
  body?: unknown,
): Promise<ZafResponse> {
  if (!/^https?:\/\/[^/]/.test(target.apiUrl)) throw new ConsoleError(0, 'not_configured');
  let res: ZafResponse;
  try {
    res = await target.client.request(
      bridgeRequestOptions({ apiUrl: target.apiUrl, path, method, body, userId: target.userId }),
    );
  } catch (rejected) {
    throw failure(rejected as ZafResponse);
  }
  if (res.status < 200 || res.status > 299) throw failure(res);
  return res;
}

/** One console call; the JSON body of a 2xx answer, else a ConsoleError. */
export async function consoleRequest(
  target: ConsoleTarget,
  path: string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' = 'GET',
  body?: unknown,
): Promise<Record<string, unknown>> {
  return bodyOf(await consoleResponse(target, path, method, body)) ?? {};
}

/** A GET answered as text (the usage CSV), through the proxy like the rest: no token in a URL. */
export async function consoleText(target: ConsoleTarget, path: string): Promise<string> {
  return (await consoleResponse(target, path)).responseText ?? '';
}

/** Every line, as the Worker lists them. */
export async function listLines(target: ConsoleTarget): Promise<Line[]> {
  const body = await consoleRequest(target, '/v1/console/lines');
  return Array.isArray(body.lines) ? (body.lines as Line[]) : [];
}

/** Creates a line (with its ACL entries); the line as written. */
export async function createLine(target: ConsoleTarget, input: unknown): Promise<Line> {
  return (await consoleRequest(target, '/v1/console/lines', 'POST', input)).line as Line;
}

/** Changes some fields of a line; the line as written. */
export async function patchLine(
  target: ConsoleTarget,
  slug: string,
  input: unknown,
): Promise<Line> {
  const path = `/v1/console/lines/${encodeURIComponent(slug)}`;
  return (await consoleRequest(target, path, 'PATCH', input)).line as Line;
}

/** One line as it stands. */
export async function showLine(target: ConsoleTarget, slug: string): Promise<Line> {
  return (await consoleRequest(target, `/v1/console/lines/${encodeURIComponent(slug)}`))
    .line as Line;
}

/** Allows a network on an existing line; the line as written. */
export async function addAclEntry(
  target: ConsoleTarget,
  slug: string,
  entry: unknown,
): Promise<Line> {
  const path = `/v1/console/lines/${encodeURIComponent(slug)}/acl`;
  return (await consoleRequest(target, path, 'POST', entry)).line as Line;
}

/** Removes an ACL entry; one already gone counts as removed. */
export async function removeAclEntry(target: ConsoleTarget, slug: string, id: number) {
  const path = `/v1/console/lines/${encodeURIComponent(slug)}/acl/${id}`;
  try {
    await consoleRequest(target, path, 'DELETE');
  } catch (e) {
    if (!(e instanceof ConsoleError && e.status === 404)) throw e;
  }
}

/** A caller number blocked on a line (answered 603 Decline). */
export interface BlockedNumber {
  id: number;
  e164: string;
  line: string | null;
  reason: string;
}

const blockedPath = (slug: string) => `/v1/console/lines/${encodeURIComponent(slug)}/blocked`;

/** The numbers blocked on a line (blocks on every line are the admin API's). */
export async function listBlocked(target: ConsoleTarget, slug: string): Promise<BlockedNumber[]> {
  const body = await consoleRequest(target, blockedPath(slug));
  return Array.isArray(body.blocked) ? (body.blocked as BlockedNumber[]) : [];
}

/** Blocks a number on a line, read with the line's default country; the block as written. */
export async function addBlocked(
  target: ConsoleTarget,
  slug: string,
  entry: { number: string; reason: string },
): Promise<BlockedNumber> {
  return (await consoleRequest(target, blockedPath(slug), 'POST', entry)).blocked as BlockedNumber;
}

/** Unblocks; one already gone counts as removed. */
export async function removeBlocked(target: ConsoleTarget, slug: string, id: number) {
  try {
    await consoleRequest(target, `${blockedPath(slug)}/${id}`, 'DELETE');
  } catch (e) {
    if (!(e instanceof ConsoleError && e.status === 404)) throw e;
  }
}
