import { AGENT_TOKEN_HEADER, APP_JWT_AUDIENCE } from '@sip-bridge/contract/app-auth';
import type { ZafClient, ZafRequestOptions, ZafResponse } from 'zendesk_app_framework_sdk';

/** Lifetime of each proxy-signed token, in seconds; the Worker refuses more than an hour. */
const JWT_EXPIRY_S = 300;

/**
 * Why a request to the bridge failed, as the agent needs to know it: the admin's settings
 * (`unauthorized`, `unreachable`, `not_configured`), the agent's own sign-in (`sign_in`), or
 * Zendesk not letting this agent see the ticket (`not_permitted`).
 */
export type BridgeFailureKind =
  'not_configured' | 'unauthorized' | 'sign_in' | 'not_permitted' | 'unreachable' | 'unexpected';

export class BridgeError extends Error {
  constructor(
    readonly kind: BridgeFailureKind,
    readonly status: number,
  ) {
    super(`bridge request failed: ${kind} (HTTP ${status})`);
    this.name = 'BridgeError';
  }
}

/** Sorts an HTTP status into what the admin has to fix: the secret, or the URL. */
export function classifyStatus(status: number): BridgeFailureKind {
  if (status === 401 || status === 403) return 'unauthorized';
  // 0: no answer at all; 404/405: the URL does not point at the bridge; 5xx: down or a bad host.
  if (status === 0 || status === 404 || status === 405 || status >= 500) return 'unreachable';
  return 'unexpected';
}

/** Like classifyStatus, but reads the Worker's error code for the agent's own sign-in and access. */
export function classifyFailure(status: number, errorCode: unknown): BridgeFailureKind {
  if (status === 401 && errorCode === 'sign_in_required') return 'sign_in';
  if (status === 404 && errorCode === 'ticket_not_found') return 'not_permitted';
  if (status === 403 && errorCode === 'agent_required') return 'not_permitted';
  return classifyStatus(status);
}

export interface BridgeRequest {
  apiUrl: string;
  path: string;
  method?: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** The agent's Zendesk user id, sent as the JWT's `sub` for the API's logs. */
  userId: number | string;
}

/**
 * The ZAF request options for one bridge call: Zendesk's proxy signs an HS256 JWT with the secure
 * `shared_secret` setting (proves the request came through this installation) and fills in the
 * signed-in agent's OAuth access token (`{{setting.token}}`, proves who the agent is); neither
 * reaches the browser.
 */
export function bridgeRequestOptions(req: BridgeRequest): ZafRequestOptions {
  const url = `${req.apiUrl.replace(/\/+$/, '')}${req.path}`;
  return {
    url,
    type: req.method ?? 'GET',
    secure: true,
    headers: {
      Authorization: 'Bearer {{jwt.token}}',
      [AGENT_TOKEN_HEADER]: 'Bearer {{setting.token}}',
    },
    jwt: {
      algorithm: 'HS256',
      secret_key: '{{setting.shared_secret}}',
      expiry: JWT_EXPIRY_S,
      claims: { aud: APP_JWT_AUDIENCE, sub: String(req.userId) },
    },
    ...(req.body === undefined
      ? {}
      : { contentType: 'application/json', data: JSON.stringify(req.body) }),
    httpCompleteResponse: true,
    autoRetry: false,
  };
}

function statusOf(value: unknown): number {
  const status = (value as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : 0;
}

function bodyOf(res: ZafResponse): unknown {
  if (res.responseJSON !== undefined) return res.responseJSON;
  try {
    return JSON.parse(res.responseText ?? '');
  } catch {
    return undefined;
  }
}

function errorCodeOf(res: ZafResponse | null | undefined): unknown {
  if (!res || typeof res !== 'object') return undefined;
  return (bodyOf(res) as { error?: unknown } | undefined)?.error;
}

/**
 * Calls the bridge through Zendesk's proxy and returns the JSON body of a 2xx answer.
 * @throws BridgeError with what to fix when the answer is not a 2xx (or there is none).
 * @example
 * const body = await bridgeRequest(client, { apiUrl, path: '/v1/tickets/1001/calls', userId: 7 });
 */
export async function bridgeRequest(client: ZafClient, req: BridgeRequest): Promise<unknown> {
  if (!/^https?:\/\/[^/]/.test(req.apiUrl)) throw new BridgeError('not_configured', 0);
  let res: ZafResponse;
  try {
    res = await client.request(bridgeRequestOptions(req));
  } catch (failure) {
    // With httpCompleteResponse the SDK rejects with the same {status, …} shape.
    const status = statusOf(failure);
    throw new BridgeError(classifyFailure(status, errorCodeOf(failure as ZafResponse)), status);
  }
  if (res.status < 200 || res.status > 299) {
    throw new BridgeError(classifyFailure(res.status, errorCodeOf(res)), res.status);
  }
  return bodyOf(res);
}
