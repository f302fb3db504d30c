// The harness page's server (Zendesk's side) and the app's static server, both on 127.0.0.1 and on
// different ports, so the app runs cross-origin in its iframe as it does in Zendesk.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { sign } from 'hono/jwt';

export interface Installation {
  /** Every setting, secure ones included; only non-secure ones are given to the page. */
  settings: Record<string, string>;
  secureSettings: string[];
  domainWhitelist: string[];
  currentUser: { id: number; name: string; role: string };
  requester?: { id: number; name: string } | null;
  /**
   * The signed-in agent's OAuth access token, as Zendesk holds it for the app's oauth parameter:
   * the proxy puts it where `{{setting.token}}` stands. Never given to the page. Null or unset:
   * the agent has not authorized the app (the placeholder becomes empty).
   */
  agentToken?: string | null;
  /** The manifest location the page opens the app in: the sidebar (default) or the admin console. */
  location?: 'ticket_sidebar' | 'nav_bar';
}

/** Each location's page in the built app, as manifest.json names it. */
const LOCATION_PAGES = { ticket_sidebar: 'iframe.html', nav_bar: 'console.html' } as const;

export interface HarnessOptions {
  /** The built app: the folder holding `assets/iframe.html`. */
  appDist: string;
  /** Where relative `/api/v2/...` requests go (the Zendesk stand-in), with its credentials. */
  zendesk: { url: string; email: string; apiToken: string };
  /** Fixed loopback ports for the page and the app (0 or unset: free ones, as the tests use). */
  port?: number;
  appPort?: number;
  /** Tickets the page offers in its ticket picker (shown only when given). */
  tickets?: () => Promise<TicketChoice[]>;
  /** The per-run token the page's own requests must carry (random when unset). */
  runToken?: string;
}

/** A ticket in the page's picker, with its requester (what `ticket.requester` answers). */
export interface TicketChoice {
  id: number;
  subject: string;
  status: string;
  requester: { id: number; name: string } | null;
}

interface ProxiedRequest {
  url: string;
  method: string;
  authorization: string | null;
  /** The `X-Zendesk-Agent-Token` header as sent (the agent's token filled in), or null. */
  agentToken: string | null;
  jwtClaims: Record<string, unknown> | null;
  status: number;
}

export interface Harness {
  harnessUrl: string;
  appUrl: string;
  /** Registers an installation and returns the harness page URL for a ticket and locale. */
  install(installation: Installation): (query: { ticket?: number; locale?: string }) => string;
  /** Every request the "proxy" performed, for assertions (the secret is never in it). */
  proxied: ProxiedRequest[];
  /** The token the page's own requests carry (in a meta tag of the page, sent as X-Harness-Run). */
  runToken: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

async function serveFile(root: string, urlPath: string, res: ServerResponse) {
  const path = normalize(join(root, decodeURIComponent(urlPath)));
  if (!path.startsWith(root)) return void res.writeHead(403).end();
  try {
    const body = await readFile(path);
    res.writeHead(200, { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404).end('not found');
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * HS256 JWT as Zendesk's proxy signs it for `jwt: {algorithm, secret_key, expiry, claims}`, with
 * the library the Worker verifies it with (hono/jwt, worker/src/auth/app-jwt.ts).
 */
async function signJwt(
  secret: string,
  claims: Record<string, unknown>,
  expiryS: number,
): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return sign({ ...claims, iat, exp: iat + expiryS }, secret, 'HS256');
}

interface ZafOptions {
  url: string;
  type?: string;
  headers?: Record<string, string>;
  data?: string;
  contentType?: string;
  secure?: boolean;
  jwt?: {
    algorithm: string;
    secret_key: string;
    expiry?: number;
    claims?: Record<string, unknown>;
  };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** What Zendesk's proxy does with a `client.request()`: placeholders, JWT, then the request. */
async function proxy(
  options: ZafOptions,
  inst: Installation,
  zendesk: HarnessOptions['zendesk'],
  proxied: ProxiedRequest[],
): Promise<{ status: number; responseText: string; headers: Record<string, string> }> {
  // Zendesk fills the oauth parameter with the signed-in user's own token, per user.
  const fill = (text: string) =>
    text.replace(/\{\{setting\.(\w+)\}\}/g, (m, name: string) =>
      name === 'token'
        ? (inst.agentToken ?? '')
        : inst.secureSettings.includes(name) && !options.secure
          ? m
          : (inst.settings[name] ?? m),
    );
  const method = (options.type ?? 'GET').toUpperCase();
  let url = fill(options.url);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.headers ?? {})) headers[k] = fill(v);
  let jwtClaims: Record<string, unknown> | null = null;
  if (options.jwt) {
    if (options.jwt.algorithm !== 'HS256')
      return { status: 400, responseText: 'bad jwt algorithm', headers: {} };
    jwtClaims = options.jwt.claims ?? {};
    const token = await signJwt(
      fill(options.jwt.secret_key),
      jwtClaims,
      options.jwt.expiry ?? 3600,
    );
    url = url.replaceAll('{{jwt.token}}', token);
    for (const k of Object.keys(headers))
      headers[k] = headers[k]!.replaceAll('{{jwt.token}}', token);
  }
  if (url.startsWith('/api/v2/')) {
    // Reads only: the page must never make the account's API credentials write to Zendesk.
    if (method !== 'GET')
      return { status: 403, responseText: 'harness: only GET goes to Zendesk', headers: {} };
    url = zendesk.url + url;
    // As the agent when they have a token (their own session in Zendesk), else the API user.
    headers.Authorization = inst.agentToken
      ? `Bearer ${inst.agentToken}`
      : `Basic ${Buffer.from(`${zendesk.email}/token:${zendesk.apiToken}`).toString('base64')}`;
  } else {
    const host = new URL(url).hostname;
    // Zendesk refuses secure requests to hosts outside the manifest's domainWhitelist.
    if (options.secure && !inst.domainWhitelist.includes(host)) {
      return { status: 403, responseText: `${host} is not in domainWhitelist`, headers: {} };
    }
    if (!LOOPBACK.has(host))
      return { status: 0, responseText: 'harness: loopback only', headers: {} };
  }
  if (options.data !== undefined)
    headers['Content-Type'] = options.contentType ?? 'application/json';
  const record: ProxiedRequest = {
    url,
    method,
    authorization: headers.Authorization ?? null,
    agentToken: headers['X-Zendesk-Agent-Token'] ?? null,
    jwtClaims,
    status: 0,
  };
  proxied.push(record);
  try {
    const res = await fetch(url, {
      method,
      headers,
      body: method === 'GET' ? undefined : options.data,
      signal: AbortSignal.timeout(10_000),
    });
    record.status = res.status;
    return {
      status: res.status,
      responseText: await res.text(),
      headers: Object.fromEntries(res.headers),
    };
  } catch {
    return { status: 0, responseText: '', headers: {} };
  }
}

const LOOPBACK_ADDRESS = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/**
 * Loopback peers naming this server's own host only: a web page cannot reach it through DNS
 * rebinding (its Host would be the attacker's name). Answers and returns false otherwise.
 */
function fromLoopbackToSelf(req: IncomingMessage, res: ServerResponse, origin: string) {
  const own = new URL(origin);
  const hosts = [own.host, `localhost:${own.port}`];
  if (!LOOPBACK_ADDRESS.test(req.socket.remoteAddress ?? '')) {
    res.writeHead(403, { 'Content-Type': 'text/plain' }).end('loopback only');
    return false;
  }
  if (!hosts.includes(req.headers.host ?? '')) {
    res
      .writeHead(421, { 'Content-Type': 'text/plain' })
      .end(`this server answers for ${own.host} only`);
    return false;
  }
  return true;
}

function sameToken(sent: string | string[] | undefined, expected: string): boolean {
  const a = Buffer.from(typeof sent === 'string' ? sent : '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function listen(server: Server, port = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}`);
    });
  });
}

/** Starts the harness page's server and the app's server on ephemeral loopback ports. */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const pageRoot = new URL('.', import.meta.url).pathname;
  const installations = new Map<string, Installation>();
  const proxied: ProxiedRequest[] = [];
  const runToken = options.runToken ?? randomBytes(32).toString('base64url');
  let appOrigin = '';
  let pageOrigin = '';
  const appServer = createServer((req, res) => {
    if (!fromLoopbackToSelf(req, res, appOrigin)) return;
    void serveFile(options.appDist, new URL(req.url ?? '/', 'http://x').pathname, res);
  });
  appOrigin = await listen(appServer, options.appPort);
  const appUrl = `${appOrigin}/assets/iframe.html`;

  const pageServer = createServer((req, res) => {
    if (!fromLoopbackToSelf(req, res, pageOrigin)) return;
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/' || url.pathname === '/index.html') {
      // The page carries this run's token; another site cannot read it (same-origin policy).
      return void readFile(join(pageRoot, 'index.html'), 'utf8').then((html) => {
        res.writeHead(200, { 'Content-Type': TYPES['.html']!, 'Cache-Control': 'no-store' });
        res.end(
          html.replace('</head>', `<meta name="harness-run" content="${runToken}">\n</head>`),
        );
      });
    }
    if (url.pathname.startsWith('/__zaf/') && !sameToken(req.headers['x-harness-run'], runToken)) {
      return void res.writeHead(403, { 'Content-Type': 'text/plain' }).end('missing run token');
    }
    const inst = installations.get(url.searchParams.get('installation') ?? '');
    const match = /^\/__zaf\/installations\/(\w+)$/.exec(url.pathname);
    if (match) {
      const found = installations.get(match[1]!);
      if (!found) return void res.writeHead(404).end();
      const settings = Object.fromEntries(
        Object.entries(found.settings).filter(([k]) => !found.secureSettings.includes(k)),
      );
      const tickets = options.tickets ? options.tickets().catch(() => []) : Promise.resolve(null);
      return void tickets.then((list) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            appUrl: `${appOrigin}/assets/${LOCATION_PAGES[found.location ?? 'ticket_sidebar']}`,
            location: found.location ?? 'ticket_sidebar',
            settings,
            currentUser: found.currentUser,
            requester: found.requester ?? null,
            tickets: list,
            metadata: {
              appId: 1,
              installationId: Number(match[1]),
              name: 'SIP call details',
              version: '0.1.0',
            },
          }),
        );
      });
    }
    const json = /^application\/json\b/.test(req.headers['content-type'] ?? '');
    if (url.pathname === '/__zaf/request' && req.method === 'POST' && inst && json) {
      return void readBody(req)
        .then((body) => proxy(JSON.parse(body) as ZafOptions, inst, options.zendesk, proxied))
        .then((out) => {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(out));
        });
    }
    if (url.pathname.startsWith('/__zaf/')) return void res.writeHead(404).end();
    void serveFile(pageRoot, url.pathname, res);
  });
  const harnessUrl = (pageOrigin = await listen(pageServer, options.port));

  let next = 1;
  return {
    harnessUrl,
    appUrl,
    proxied,
    runToken,
    install(installation) {
      const id = String(next++);
      installations.set(id, installation);
      return ({ ticket, locale }) => {
        const q = new URLSearchParams({ installation: id });
        if (ticket !== undefined) q.set('ticket', String(ticket));
        if (locale) q.set('locale', locale);
        return `${harnessUrl}/index.html?${q}`;
      };
    },
    async close() {
      for (const server of [appServer, pageServer]) {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
    },
  };
}
