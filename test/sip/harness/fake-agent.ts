import { kamailioCredentialsMatch } from '@sip-bridge/edge/agent/http-io';
import { createServer, type IncomingMessage, type Server } from 'node:http';

/** What the fake agent answers to POST /v1/decide. */
export type AgentMode =
  | { kind: 'relay'; headers: string; callerUser?: string }
  | { kind: 'reject'; code: number; reason: string }
  /** Answers (relay, no headers) only after delayMs: longer than Kamailio's 1 s timeout = a dead agent. */
  | { kind: 'slow'; delayMs: number }
  | { kind: 'garbage' }
  /** Not listening at all: connection refused. */
  | { kind: 'down' };

/** The call facts Kamailio sends (docs/edge-protocol.md), as the tests read them. */
export interface CallFacts {
  call_id: string;
  line: string;
  source: { ip: string; port: number; transport: string };
  acl_entry: string | null;
  sip: {
    from: string;
    to: string;
    request_uri: string;
    p_asserted_identity: string | null;
    user_agent: string | null;
    context?: { name: string; value: string }[];
    sanitized?: string[];
  };
  ticket_id: string | null;
  codecs: string[];
}

export interface LifecycleEvent {
  call_id: string;
  kind: 'answered' | 'ended' | 'failed' | 'cancelled';
  /** When Kamailio saw it happen (ISO 8601, UTC, milliseconds). */
  at?: string;
  sip_code?: number;
  reason?: string;
  ended_by?: 'caller' | 'callee' | 'proxy';
  /** Which of the line's timers ended the call (no_ringback_timeout, no_answer_timeout). */
  cause?: string;
  call?: CallFacts;
}

export interface Recorded<T> {
  at: number;
  headers: IncomingMessage['headers'];
  /** Parsed JSON as received (not validated: the tests assert on it). */
  body: T;
}

/**
 * A stand-in for the edge agent (docs/edge-protocol.md): /v1/decide answers as scripted,
 * /v1/events records and answers 202. Every request is checked for the bearer token.
 */
export class FakeAgent {
  readonly decisions: Recorded<CallFacts>[] = [];
  readonly events: Recorded<LifecycleEvent>[] = [];
  readonly unauthorized: Recorded<unknown>[] = [];
  /** The most /v1/events requests this agent had in flight at once. */
  maxEventsInFlight = 0;
  /** How long /v1/events takes to answer (a slow disk under the spool). */
  eventDelayMs = 0;
  private eventsInFlight = 0;
  private mode: AgentMode = { kind: 'relay', headers: '' };
  private server: Server | undefined;
  private readonly pending = new Set<NodeJS.Timeout>();

  constructor(
    readonly port: number,
    readonly token: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async setMode(mode: AgentMode): Promise<void> {
    this.mode = mode;
    if (mode.kind === 'down') await this.close();
    else if (!this.server) await this.listen();
  }

  async listen(): Promise<void> {
    const server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      req.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(raw);
        } catch {
          body = { unparsed: raw };
        }
        const record = { at: Date.now(), headers: req.headers, body: body as never };
        if (!kamailioCredentialsMatch(req.headers.authorization, this.token)) {
          this.unauthorized.push(record);
          res.writeHead(401).end('{"error":"unauthorized"}');
          return;
        }
        if (req.method === 'POST' && req.url === '/v1/events') {
          this.maxEventsInFlight = Math.max(this.maxEventsInFlight, ++this.eventsInFlight);
          const timer = setTimeout(() => {
            this.pending.delete(timer);
            this.eventsInFlight--;
            this.events.push(record);
            res.writeHead(202, { 'content-type': 'application/json' }).end('{"spooled":true}');
          }, this.eventDelayMs);
          this.pending.add(timer);
          return;
        }
        if (req.method !== 'POST' || req.url !== '/v1/decide') {
          res.writeHead(404).end();
          return;
        }
        this.decisions.push(record);
        this.answerDecision(res);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  private answerDecision(res: import('node:http').ServerResponse): void {
    const json = (value: unknown) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    const mode = this.mode;
    if (mode.kind === 'relay') {
      json({
        action: 'relay',
        code: 0,
        reason: '',
        headers: mode.headers,
        source: 'worker',
        ...(mode.callerUser !== undefined ? { caller_user: mode.callerUser } : {}),
      });
    } else if (mode.kind === 'reject') {
      json({
        action: 'reject',
        code: mode.code,
        reason: mode.reason,
        headers: '',
        source: 'worker',
      });
    } else if (mode.kind === 'slow') {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        json({ action: 'relay', code: 0, reason: '', headers: '', source: 'worker' });
      }, mode.delayMs);
      this.pending.add(timer);
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end('this is not JSON');
    }
  }

  /**
   * Events for one Call-ID in the order they happened (Kamailio's `at`: parallel event workers may
   * deliver them in another order), waiting (bounded) until `count` of them arrived.
   */
  async eventsFor(callId: string, count: number, timeoutMs = 5000): Promise<LifecycleEvent[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events
        .filter((e) => e.body?.call_id === callId)
        .map((e) => e.body)
        .sort((a, b) => Date.parse(a.at ?? '') - Date.parse(b.at ?? '') || 0);
      if (found.length >= count || Date.now() > deadline) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async close(): Promise<void> {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
    this.eventsInFlight = 0;
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export async function startFakeAgent(port: number, token: string): Promise<FakeAgent> {
  const agent = new FakeAgent(port, token);
  await agent.listen();
  return agent;
}
