import { z } from 'zod';
import {
  KamailioRpcConnectionError,
  KamailioRpcError,
  KamailioRpcResponseError,
  KamailioRpcTimeoutError,
} from './errors';

export interface TransportOptions {
  /** The jsonrpcs endpoint, e.g. `http://127.0.0.1:5080/RPC`. */
  url: string;
  /** Per call, connect to last byte of the answer. Default 3000 ms. */
  timeoutMs?: number;
  /** A fetch implementation (tests, proxies). Default: the global fetch. */
  fetch?: typeof fetch;
  /** The timers `timeoutMs` runs on (tests: a fake clock). Default: the global ones. */
  timers?: RpcTimers;
}

/** What the client needs of a clock: the edge agent's Timers (kamailio/agent/timers.ts) fit. */
export interface RpcTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const globalTimers: RpcTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * `value`: the method answers with data, so `{}`, `null` or no result is an error.
 * `ack`: the method answers `{}` or a status string on success (cfg.seti, dlg.end_dlg, ...).
 */
type Expect = 'value' | 'ack';

type RpcCall = <T>(
  method: string,
  params: readonly unknown[],
  schema: z.ZodType<T>,
  expect?: Expect,
) => Promise<T>;

const envelope = z.union([
  z.object({
    jsonrpc: z.literal('2.0'),
    id: z.union([z.number(), z.string(), z.null()]).optional(),
    error: z.object({ code: z.number(), message: z.string() }),
  }),
  z.object({
    jsonrpc: z.literal('2.0'),
    id: z.union([z.number(), z.string(), z.null()]).optional(),
    result: z.unknown(),
  }),
]);

export const DEFAULT_TIMEOUT_MS = 3000;

/** One JSON-RPC 2.0 request per call over HTTP POST (jsonrpcs does not support batches). */
export function createTransport(options: TransportOptions): RpcCall {
  const url = options.url;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch = options.fetch ?? globalThis.fetch;
  const timers = options.timers ?? globalTimers;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(`timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`);
  }
  let nextId = 1;

  return async (method, params, schema, expect = 'value') => {
    const id = nextId++;
    // Without "jsonrpc":"2.0" Kamailio answers an empty result instead of running the method.
    const body = JSON.stringify({ jsonrpc: '2.0', method, params, id });
    const { status, text } = await post(method, body);
    // Kamailio sends error answers with the error code as HTTP status (400, 404, 500).
    const answer = envelope.safeParse(parseJson(text));
    if (!answer.success) {
      const what = status === 200 ? 'not a JSON-RPC 2.0 answer' : `HTTP ${status}`;
      throw new KamailioRpcResponseError(method, `${what}: ${preview(text)}`);
    }
    if (answer.data.id !== id) {
      throw new KamailioRpcResponseError(
        method,
        `answer is for request id ${JSON.stringify(answer.data.id)}, expected ${id}`,
      );
    }
    if ('error' in answer.data) {
      throw new KamailioRpcError(method, answer.data.error.code, answer.data.error.message);
    }
    const result = answer.data.result;
    if (expect === 'value' && isEmpty(result)) {
      throw new KamailioRpcResponseError(method, `empty result ${preview(text)}`);
    }
    const typed = schema.safeParse(result);
    if (!typed.success) {
      const issue = typed.error.issues[0];
      const where = issue?.path.length ? issue.path.join('.') : 'result';
      throw new KamailioRpcResponseError(
        method,
        `${where}: ${issue?.message ?? 'invalid'} in ${preview(text)}`,
      );
    }
    return typed.data;
  };

  async function post(method: string, body: string): Promise<{ status: number; text: string }> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = timers.setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      const res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: controller.signal,
      });
      return { status: res.status, text: await res.text() };
    } catch (error) {
      if (timedOut) throw new KamailioRpcTimeoutError(method, url, timeoutMs);
      throw new KamailioRpcConnectionError(method, url, socketErrorCode(error), error);
    } finally {
      timers.clearTimeout(timer);
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isEmpty(result: unknown): boolean {
  if (result === undefined || result === null) return true;
  return typeof result === 'object' && !Array.isArray(result) && Object.keys(result).length === 0;
}

/** undici puts the socket error under `cause` (sometimes two levels deep). */
function socketErrorCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function preview(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
