// A small stand-in for the Worker's edge API, for the agent's tests: it checks signatures with the
// Worker's own verifyEdgeSignature() (@sip-bridge/contract), applies events once per (Call-ID,
// kind), and can be made slow, failing or unreachable.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { signatureVersionMessage, verifyEdgeSignature } from '@sip-bridge/contract/edge-signature';

interface FakeReply {
  status: number;
  body?: unknown;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Answer only once this settles (the test decides when the Worker replies). */
  until?: Promise<unknown>;
}

export const RELAY_1001 = {
  action: 'relay',
  headers: [{ name: 'X-Zendesk-Ticket-Id', value: '1001' }],
  targets: ['sip:zendesk@127.0.0.1:5070'],
  call: {
    caller_e164: null,
    match: 'no_match',
    ticket_id: 1001,
    ticket_link: 'passed',
    degraded: [],
  },
};

/** The Worker's own check (signature v2, host, time window), on a Node request. */
function verify(req: IncomingMessage, body: string, secret: string) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value);
  }
  return verifyEdgeSignature(secret, {
    method: req.method ?? '',
    url: `http://${req.headers.host ?? ''}${req.url ?? ''}`,
    headers,
    body,
  });
}

/**
 * Starts the fake Worker on 127.0.0.1 (port 0 unless given).
 * @example
 * const worker = await startFakeWorker({ secret });
 * worker.decide = () => ({ status: 200, body: RELAY_1001, delayMs: 2000 });
 */
export async function startFakeWorker(options: { secret: string; port?: number }) {
  const state = {
    /** Answer for each POST /v1/edge/decisions. */
    decide: (_body: unknown): FakeReply => ({ status: 200, body: RELAY_1001 }),
    /** Overrides the events endpoint (status, delay); undefined applies events normally. */
    events: undefined as
      undefined | ((events: Array<Record<string, unknown>>) => FakeReply | undefined),
    decisions: [] as unknown[],
    /** Applied events by "call_id|kind", and how many deliveries of them arrived. */
    applied: new Map<string, number>(),
    eventRequests: 0,
    duplicates: 0,
    badSignatures: 0,
  };
  const sockets = new Set<Socket>();

  async function handle(req: IncomingMessage, res: ServerResponse) {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const reply = async (r: FakeReply) => {
      await r.until;
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(r.status, { 'Content-Type': 'application/json' });
        res.end(
          r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body),
        );
      }, r.delayMs ?? 0);
    };
    if (req.url === '/health' && req.method === 'GET') {
      // Like the Worker's: no authentication.
      return reply({ status: 200, body: { status: 'ok', database: 'ok' } });
    }
    const verified = await verify(req, body, options.secret);
    if (!verified.ok) {
      state.badSignatures += 1;
      return reply({
        status: 401,
        body:
          verified.reason === 'version'
            ? { error: 'signature_version', message: signatureVersionMessage(verified.version) }
            : { error: 'unauthorized', message: 'Missing or invalid credentials.' },
      });
    }
    if (req.url === '/v1/edge/decisions') {
      const parsed: unknown = JSON.parse(body);
      state.decisions.push(parsed);
      return reply(state.decide(parsed));
    }
    if (req.url === '/v1/edge/events') {
      state.eventRequests += 1;
      const events = (JSON.parse(body) as { events: Array<Record<string, unknown>> }).events;
      const override = state.events?.(events);
      if (override) return reply(override);
      const results = events.map((e) => {
        const key = `${String(e.call_id)}|${String(e.kind)}`;
        const seen = state.applied.get(key);
        state.applied.set(key, (seen ?? 0) + 1);
        if (seen) state.duplicates += 1;
        return { call_id: e.call_id, kind: e.kind, status: seen ? 'duplicate' : 'applied' };
      });
      return reply({ status: 200, body: { results } });
    }
    reply({ status: 404, body: { error: 'not_found', message: 'No such endpoint.' } });
  }

  let server: Server | undefined;
  let port = options.port ?? 0;

  async function listen() {
    server = createServer((req, res) => void handle(req, res));
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  }

  await listen();
  return {
    state,
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    /** Makes the Worker unreachable (connections refused) until start(). */
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    /** Comes back on the same port. */
    async start() {
      if (!server) await listen();
    },
  };
}

export type FakeWorker = Awaited<ReturnType<typeof startFakeWorker>>;
