// Small HTTP servers standing in for Kamailio's JSON-RPC and the edge agent in the CLI's unit
// tests (node:http on a free loopback port).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeServer {
  url: string;
  /** Requests seen: method, path, Authorization header, body. */
  requests: { method: string; path: string; authorization?: string; body: string }[];
  close(): Promise<void>;
}

type Handler = (
  req: { method: string; path: string; authorization?: string; body: string },
  res: ServerResponse,
) => void;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function startHttp(handle: Handler): Promise<FakeServer> {
  const requests: FakeServer['requests'] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const seen = {
        method: req.method ?? '',
        path: req.url ?? '',
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        body,
      };
      requests.push(seen);
      handle(seen, res);
    });
  });
  const url = await listen(server);
  return {
    url,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const sendJson = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

/** A JSON-RPC error answer, as Kamailio sends it (the code is also the HTTP status). */
export class RpcFault {
  constructor(
    readonly code: number,
    readonly message: string,
  ) {}
}

export type RpcMethods = Record<string, (params: unknown[]) => unknown>;

/**
 * Kamailio's jsonrpcs as the typed client sees it: each method answers what its function
 * returns (a RpcFault for an error). Unknown methods answer 500 Method Not Found.
 */
export async function startFakeKamailio(
  methods: RpcMethods,
): Promise<FakeServer & { calls: string[] }> {
  const calls: string[] = [];
  const server = await startHttp((req, res) => {
    if (req.method !== 'POST' || !req.path.startsWith('/RPC')) {
      res.writeHead(404).end('Not Found');
      return;
    }
    const { id, method, params } = JSON.parse(req.body) as {
      id: number;
      method: string;
      params: unknown[];
    };
    calls.push(method);
    const fn = methods[method];
    const result = fn ? fn(params) : new RpcFault(500, 'Method Not Found');
    if (result instanceof RpcFault) {
      return sendJson(res, result.code, {
        jsonrpc: '2.0',
        error: { code: result.code, message: result.message },
        id,
      });
    }
    sendJson(res, 200, { jsonrpc: '2.0', result, id });
  });
  return { ...server, url: `${server.url}/RPC`, calls };
}

/** The edge agent: `routes['GET /health']` answers [status, body]. */
export async function startFakeAgent(
  routes: Record<string, (req: { authorization?: string }) => [number, unknown]>,
): Promise<FakeServer> {
  return startHttp((req, res) => {
    const route = routes[`${req.method} ${req.path}`];
    if (!route) return sendJson(res, 404, { error: 'not_found', message: 'No such endpoint.' });
    const [status, body] = route(req);
    sendJson(res, status, body);
  });
}

/** A loopback URL where nothing listens (connections are refused). */
export async function closedPortUrl(path = ''): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `${url}${path}`;
}

/** A server that accepts connections and never answers (a stuck process). */
export async function startSilentServer(): Promise<FakeServer> {
  return startHttp(() => {});
}

/** One dialog of `dlg.list` as Kamailio 5.6.3 sends it. */
export function rawDialog(overrides: {
  callId: string;
  state?: number;
  startTs?: number;
  from?: string;
  call?: string | null;
  hEntry?: number;
  hId?: number;
}) {
  const answered = (overrides.state ?? 4) >= 3;
  const leg = (tag: string | null) => ({
    tag,
    contact: tag ? 'sip:x@127.0.0.1:5060' : null,
    cseq: tag ? '1' : null,
    route_set: null,
    socket: tag ? 'udp:127.0.0.1:5060' : null,
  });
  return {
    h_entry: overrides.hEntry ?? 1,
    h_id: overrides.hId ?? 1,
    'call-id': overrides.callId,
    from_uri: overrides.from ?? 'sip:+14155550100@127.0.0.1:5070',
    to_uri: 'sip:zendesk@127.0.0.1:5060',
    state: overrides.state ?? 4,
    start_ts: overrides.startTs ?? 0,
    timeout: 0,
    lifetime: 14400,
    duration: 0,
    caller: leg('caller-tag'),
    callee: leg(answered ? 'callee-tag' : null),
    variables: overrides.call === null ? [] : [{ call: overrides.call ?? '{"line":"demo"}' }],
  };
}
