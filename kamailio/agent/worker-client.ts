import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { EDGE_SIGNATURE_VERSION } from '@sip-bridge/contract/edge-signing-input';
import { signEdgeRequestNode } from './sign';
import { socketErrorCode } from './socket-error';

interface WorkerClientOptions {
  /** The Worker's base URL, e.g. http://127.0.0.1:8787 (no trailing path). */
  baseUrl: string;
  /** EDGE_SECRET, shared with the Worker. */
  secret: string;
}

/** What came back: the status and the parsed JSON body (undefined when it was not JSON). */
interface WorkerResponse {
  status: number;
  body: unknown;
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** One HTTP exchange over the client's keep-alive pool. */
function exchange(
  url: URL,
  method: 'GET' | 'POST',
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
  agents: { http: HttpAgent; https: HttpsAgent },
): Promise<{ status: number; text: string; headers: IncomingHttpHeaders }> {
  const secure = url.protocol === 'https:';
  const send = secure ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method,
        headers: body ? { ...headers, 'Content-Length': Buffer.byteLength(body) } : headers,
        agent: secure ? agents.https : agents.http,
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body || undefined);
  });
}

/**
 * Sends signed JSON requests to the Worker's edge API over keep-alive connections (node:http;
 * fetch cost about twice the CPU per request). Network errors and timeouts reject; any HTTP
 * status resolves, so callers decide what counts as a failure. Redirects are never followed
 * (node:http does not), so a signed request and its call facts go only to WORKER_URL.
 * @example
 * const worker = createWorkerClient({ baseUrl: 'http://127.0.0.1:8787', secret });
 * const { status, body } = await worker.post('/v1/edge/decisions', facts, AbortSignal.timeout(800));
 */
export function createWorkerClient(options: WorkerClientOptions) {
  const base = options.baseUrl.replace(/\/+$/, '');
  const agents = {
    http: new HttpAgent({ keepAlive: true, scheduling: 'lifo' }),
    https: new HttpsAgent({ keepAlive: true, scheduling: 'lifo' }),
  };
  return {
    async post(path: string, payload: unknown, signal: AbortSignal): Promise<WorkerResponse> {
      const body = JSON.stringify(payload);
      const url = new URL(`${base}${path}`);
      const signed = signEdgeRequestNode(options.secret, { method: 'POST', url, body });
      const headers = { ...signed, 'Content-Type': 'application/json' };
      const res = await exchange(url, 'POST', headers, body, signal, agents);
      return { status: res.status, body: parseJson(res.text) };
    },
    /** A signed GET (empty body); the answer's headers too, for ETag polling. */
    async get(
      path: string,
      headers: Record<string, string>,
      signal: AbortSignal,
    ): Promise<WorkerResponse & { headers: Headers }> {
      const url = new URL(`${base}${path}`);
      const signed = signEdgeRequestNode(options.secret, { method: 'GET', url, body: '' });
      const res = await exchange(url, 'GET', { ...headers, ...signed }, '', signal, agents);
      const answered = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined)
          answered.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      return { status: res.status, body: parseJson(res.text), headers: answered };
    },
    /** Closes idle keep-alive connections (the agent is stopping). */
    close(): void {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

export type WorkerClient = ReturnType<typeof createWorkerClient>;

/** A short, secret-free description of why a Worker request failed, for logs and /health. */
export function describeWorkerFailure(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timeout';
    return `network: ${socketErrorCode(err) ?? err.message}`;
  }
  return 'network: unknown error';
}

/**
 * The failure text for an HTTP status the agent did not expect; the body's `error` code refines it.
 * @example describeWorkerStatus(res.status, res.body)
 */
export function describeWorkerStatus(status: number, body?: unknown): string {
  if (status === 401) {
    const { error, message } = (body ?? {}) as { error?: unknown; message?: unknown };
    if (error === 'signature_version') {
      // The Worker and this agent sign different schemes: no secret or clock fix helps.
      const said = typeof message === 'string' ? message.slice(0, 200) : 'no message';
      return `HTTP 401 from the Worker: edge signature version refused (this agent signs v${EDGE_SIGNATURE_VERSION}); upgrade the edge agent or the Worker so both use the same scheme. Worker said: ${said}`;
    }
    // A wrong secret, a clock more than 60 s off, or a Worker too old for signature v2.
    return `HTTP 401 from the Worker: check EDGE_SECRET (and this host clock; the Worker must accept edge signature v${EDGE_SIGNATURE_VERSION})`;
  }
  if (status >= 300 && status < 400) {
    return `HTTP ${status} from the Worker: a redirect, not followed; set WORKER_URL to the final origin`;
  }
  return `HTTP ${status}`;
}
