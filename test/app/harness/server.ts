// The harness page's server (Zendesk's side) and the app's static server, both on 127.0.0.1 and on
// different ports, so the app runs cross-origin in its iframe as it does in Zendesk.
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

export interface Installation {
  /** Every setting, secure ones included; only non-secure ones are given to the page. */
  settings: Record<string, string>;
  secureSettings: string[];
  domainWhitelist: string[];
  currentUser: { id: number; name: string; role: string };
  requester?: { id: number; name: string } | null;
}

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
}

/** A ticket in the page's picker, with its requester (what `ticket.requester` answers). */
export interface TicketChoice {
  id: number;
  subject: string;
  status: string;
  requester: { id: number; name: string } | null;
}

export interface ProxiedRequest {
  url: string;
  method: string;
  authorization: string | null;
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
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
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

const b64url = (input: string | Buffer) => Buffer.from(input).toString('base64url');

/** HS256 JWT as Zendesk's proxy signs it for `jwt: {algorithm, secret_key, expiry, claims}`. */
export function signJwt(secret: string, claims: Record<string, unknown>, expiryS: number): string {
  const iat = Math.floor(Date.now() / 1000);
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify({ ...claims, iat, exp: iat + expiryS }));
  const mac = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${mac}`;
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
  const fill = (text: string) =>
    text.replace(/\{\{setting\.(\w+)\}\}/g, (m, name: string) =>
      inst.secureSettings.includes(name) && !options.secure ? m : (inst.settings[name] ?? m),
    );
  let url = fill(options.url);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.headers ?? {})) headers[k] = fill(v);
  let jwtClaims: Record<string, unknown> | null = null;
  if (options.jwt) {
    if (options.jwt.algorithm !== 'HS256')
      return { status: 400, responseText: 'bad jwt algorithm', headers: {} };
    jwtClaims = options.jwt.claims ?? {};
    const token = signJwt(fill(options.jwt.secret_key), jwtClaims, options.jwt.expiry ?? 3600);
    url = url.replaceAll('{{jwt.token}}', token);
    for (const k of Object.keys(headers))
      headers[k] = headers[k]!.replaceAll('{{jwt.token}}', token);
  }
  if (url.startsWith('/api/v2/')) {
    url = zendesk.url + url;
    headers.Authorization = `Basic ${Buffer.from(`${zendesk.email}/token:${zendesk.apiToken}`).toString('base64')}`;
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
  const method = (options.type ?? 'GET').toUpperCase();
  const record: ProxiedRequest = {
    url,
    method,
    authorization: headers.Authorization ?? null,
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
  const appServer = createServer((req, res) => {
    void serveFile(options.appDist, new URL(req.url ?? '/', 'http://x').pathname, res);
  });
  const appOrigin = await listen(appServer, options.appPort);
  const appUrl = `${appOrigin}/assets/iframe.html`;

  const pageServer = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
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
            appUrl,
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
    if (url.pathname === '/__zaf/request' && req.method === 'POST' && inst) {
      return void readBody(req)
        .then((body) => proxy(JSON.parse(body) as ZafOptions, inst, options.zendesk, proxied))
        .then((out) => {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(out));
        });
    }
    void serveFile(pageRoot, url.pathname === '/' ? '/index.html' : url.pathname, res);
  });
  const harnessUrl = await listen(pageServer, options.port);

  let next = 1;
  return {
    harnessUrl,
    appUrl,
    proxied,
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
