// The Zendesk REST stand-in: auth, faults, request log and routing. No Node APIs (runs in workerd).
import { Router, json } from 'itty-router';
import { FaultInjector, type Faults } from './faults';
import type { ApiContext, ApiRequest } from './handlers/context';
import { CONTROL_BASE, createControlRouter } from './handlers/control';
import { ExportRateLimit, registerIncrementalUserRoutes } from './handlers/incremental-users';
import { registerSearchRoutes } from './handlers/search';
import { registerTicketFieldRoutes } from './handlers/ticket-fields';
import { registerTicketRoutes } from './handlers/tickets';
import { registerTicketTagRoutes } from './handlers/ticket-tags';
import { registerTicketListRoutes } from './handlers/tickets-list';
import { registerTicketShowManyRoutes } from './handlers/tickets-show-many';
import { registerUpdateManyRoutes } from './handlers/update-many';
import { registerUserRoutes } from './handlers/users';
import { registerUsersManyRoutes } from './handlers/users-many';
import { registerJobRoutes } from './handlers/jobs';
import { resolveOptions, type ResolvedOptions, type StandinOptions } from './options';
import { invalidEndpoint, RATE_LIMIT, unauthorized, unprocessableJson } from './responses';
import { applyDemoSeed } from './seed';
import { StandinStore, type NewTicket, type NewUser } from './store';
import type { StoredTicket, StoredUser } from './store';

export type { Faults } from './faults';
export type { StandinOptions } from './options';

/** One `/api/v2` request as the stand-in saw it, so tests can count Zendesk calls. */
interface RequestLogEntry {
  method: string;
  /** Path as sent, `.json` suffix included. */
  path: string;
  query: Record<string, string>;
  /** Epoch ms (from the `now` option). */
  at: number;
  /** Status answered; set once the response is ready. */
  status?: number;
}

export interface ZendeskStandin {
  fetch(request: Request): Promise<Response>;
  /** Replaces all faults; throws a TypeError when they are invalid. */
  setFaults(faults: Faults): void;
  /** Faults still in force, counts already used up. */
  readonly faults: Faults;
  /** Back to the seed: state, faults, request log and rate window. */
  reset(): void;
  readonly requests: RequestLogEntry[];
  clearRequests(): void;
  readonly state: StandinStore;
  readonly options: ResolvedOptions;
  addUser(input: NewUser): StoredUser;
  addTicket(input: NewTicket): StoredTicket;
}

const RATE_WINDOW_MS = 60_000;

/** Counts requests in the last minute for `X-Rate-Limit-Remaining` (never enforced by itself). */
class RateWindow {
  private hits: number[] = [];

  hit(now: number): number {
    this.hits.push(now);
    while (this.hits.length > 0 && (this.hits[0] ?? now) <= now - RATE_WINDOW_MS) this.hits.shift();
    return Math.max(0, RATE_LIMIT - this.hits.length);
  }

  clear(): void {
    this.hits = [];
  }
}

function decodeBase64(text: string): string {
  return new TextDecoder().decode(Uint8Array.from(atob(text), (c) => c.charCodeAt(0)));
}

/**
 * Basic `{email}/token:{api_token}` as the API user, or `Bearer {access_token}` as the user the
 * OAuth token was granted to; anything else is not identified (401).
 */
function authenticate(header: string | null, options: ResolvedOptions, store: StandinStore) {
  const bearer = /^Bearer\s+([\w.~+/=-]{1,512})\s*$/i.exec(header ?? '');
  if (bearer?.[1]) return store.findUserByOAuthToken(bearer[1]);
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  let decoded: string;
  try {
    decoded = decodeBase64(match[1]);
  } catch {
    return undefined;
  }
  const separator = decoded.indexOf(':');
  const user = decoded.slice(0, separator).toLowerCase();
  const token = decoded.slice(separator + 1);
  if (separator < 0 || user !== `${options.email.toLowerCase()}/token`) return undefined;
  if (token !== options.apiToken) return undefined;
  return store.findUserByEmail(options.email);
}

/** Rails reads a body as JSON only when it says so; otherwise the parameters look missing. */
async function readJsonBody(request: Request): Promise<{ body: unknown } | Response> {
  if (request.method === 'GET' || request.method === 'HEAD') return { body: undefined };
  const text = await request.text();
  const isJson = /\bjson\b/i.test(request.headers.get('content-type') ?? '');
  if (!isJson || text.trim() === '') return { body: undefined };
  try {
    return { body: JSON.parse(text) as unknown };
  } catch (e) {
    return unprocessableJson((e as Error).message);
  }
}

function createApiRouter() {
  const router = Router<ApiRequest, [ApiContext]>({
    catch: (e: unknown) => {
      console.error('zendesk stand-in handler failed', e);
      return json({ error: 'InternalServerError', description: String(e) }, { status: 500 });
    },
  });
  // Before the ticket routes, which would read `show_many` as a ticket id.
  registerTicketShowManyRoutes(router);
  // Before the ticket routes too: `PUT /tickets/update_many` is not Update Ticket.
  registerUpdateManyRoutes(router);
  registerJobRoutes(router);
  // Before the user routes, which would read `create_or_update_many` as a user id.
  registerUsersManyRoutes(router);
  // Search first: `/api/v2/users/search` would otherwise be read as a user id.
  registerSearchRoutes(router);
  registerTicketTagRoutes(router);
  registerTicketListRoutes(router);
  registerTicketRoutes(router);
  registerTicketFieldRoutes(router);
  registerIncrementalUserRoutes(router);
  registerUserRoutes(router);
  return router;
}

/**
 * A fake of the Zendesk REST endpoints the bridge calls, for tests and `npm start`.
 *
 * @example
 * const zendesk = createZendeskStandin({ searchIndexDelayMs: 1000 });
 * zendesk.setFaults({ rateLimit: { count: 1, retryAfter: 2 } });
 * const res = await zendesk.fetch(new Request('http://z.test/api/v2/tickets/1001.json', { headers }));
 */
export function createZendeskStandin(options: StandinOptions = {}): ZendeskStandin {
  const resolved = resolveOptions(options);
  const store = new StandinStore(resolved.now);
  const faults = new FaultInjector(resolved.sleep);
  const requests: RequestLogEntry[] = [];
  const rateWindow = new RateWindow();
  const exportRateLimit = new ExportRateLimit();
  const api = createApiRouter();

  function load(): void {
    store.clear();
    if (resolved.seed) applyDemoSeed(store, { apiUserEmail: resolved.email });
    for (const [token, userId] of Object.entries(resolved.oauthTokens))
      store.addOAuthToken(token, Number(userId));
    if (!store.findUserByEmail(resolved.email)) {
      store.addUser({ name: 'API user', email: resolved.email, role: 'admin' });
    }
  }

  async function handleApi(request: Request, url: URL): Promise<Response> {
    const remaining = rateWindow.hit(resolved.now());
    const fault = await faults.apply(url.pathname);
    if (fault) return fault;
    const response = await authenticatedApi(request, url);
    response.headers.set('X-Rate-Limit', String(RATE_LIMIT));
    response.headers.set('X-Rate-Limit-Remaining', String(remaining));
    return response;
  }

  async function authenticatedApi(request: Request, url: URL): Promise<Response> {
    const actor = authenticate(request.headers.get('authorization'), resolved, store);
    if (!actor) return unauthorized();
    const parsed = await readJsonBody(request);
    if (parsed instanceof Response) return parsed;
    const routed = new URL(url);
    routed.pathname = url.pathname.replace(/\.json$/, '');
    const apiRequest: ApiRequest = {
      method: request.method,
      url: routed.href,
      params: {},
      query: {},
    };
    const context: ApiContext = {
      store,
      options: resolved,
      actor,
      origin: url.origin,
      body: parsed.body,
      searchParams: url.searchParams,
      exportRateLimit,
    };
    return ((await api.fetch(apiRequest, context)) as Response | undefined) ?? invalidEndpoint();
  }

  const standin: ZendeskStandin = {
    async fetch(request) {
      const url = new URL(request.url);
      if (url.pathname === CONTROL_BASE || url.pathname.startsWith(`${CONTROL_BASE}/`)) {
        return (await control.fetch(request)) as Response;
      }
      if (url.pathname !== '/api/v2' && !url.pathname.startsWith('/api/v2/')) {
        return invalidEndpoint();
      }
      const entry: RequestLogEntry = {
        method: request.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        at: resolved.now(),
      };
      requests.push(entry);
      const response = await handleApi(request, url);
      entry.status = response.status;
      return response;
    },
    setFaults: (next) => faults.set(next),
    get faults() {
      return faults.current;
    },
    reset() {
      faults.clear();
      requests.length = 0;
      rateWindow.clear();
      exportRateLimit.clear();
      load();
    },
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    state: store,
    options: resolved,
    addUser: (input) => store.addUser(input),
    addTicket: (input) => store.addTicket(input),
  };
  const control = createControlRouter(standin);
  load();
  return standin;
}
