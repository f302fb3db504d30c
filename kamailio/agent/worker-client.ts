import { signEdgeRequest } from '../../worker/src/auth/edge-signature';

export interface WorkerClientOptions {
  /** The Worker's base URL, e.g. http://127.0.0.1:8787 (no trailing path). */
  baseUrl: string;
  /** EDGE_SECRET, shared with the Worker. */
  secret: string;
}

/** What came back: the status and the parsed JSON body (undefined when it was not JSON). */
export interface WorkerResponse {
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

/**
 * Sends signed JSON requests to the Worker's edge API. Network errors and timeouts reject;
 * any HTTP status resolves, so callers decide what counts as a failure.
 * @example
 * const worker = createWorkerClient({ baseUrl: 'http://127.0.0.1:8787', secret });
 * const { status, body } = await worker.post('/v1/edge/decisions', facts, AbortSignal.timeout(800));
 */
export function createWorkerClient(options: WorkerClientOptions) {
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    async post(path: string, payload: unknown, signal: AbortSignal): Promise<WorkerResponse> {
      const body = JSON.stringify(payload);
      const signed = await signEdgeRequest(options.secret, {
        method: 'POST',
        pathWithQuery: path,
        body,
      });
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { ...signed, 'Content-Type': 'application/json' },
        body,
        signal,
      });
      return { status: res.status, body: parseJson(await res.text()) };
    },
    /** A signed GET (empty body); the answer's headers too, for ETag polling. */
    async get(
      path: string,
      headers: Record<string, string>,
      signal: AbortSignal,
    ): Promise<WorkerResponse & { headers: Headers }> {
      const signed = await signEdgeRequest(options.secret, {
        method: 'GET',
        pathWithQuery: path,
        body: '',
      });
      const res = await fetch(`${base}${path}`, {
        method: 'GET',
        headers: { ...headers, ...signed },
        signal,
      });
      return { status: res.status, body: parseJson(await res.text()), headers: res.headers };
    },
  };
}

export type WorkerClient = ReturnType<typeof createWorkerClient>;

/** A short, secret-free description of why a Worker request failed, for logs and /health. */
export function describeWorkerFailure(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timeout';
    const cause = (err as { cause?: { code?: string } }).cause;
    return cause?.code ? `network: ${cause.code}` : `network: ${err.message}`;
  }
  return 'network: unknown error';
}

/** The failure text for an HTTP status the agent did not expect. */
export function describeWorkerStatus(status: number): string {
  // A 401 means a wrong secret, or a clock more than 60 s off (signatures carry a timestamp).
  return status === 401
    ? 'HTTP 401 from the Worker: check EDGE_SECRET (and this host clock)'
    : `HTTP ${status}`;
}
