/** Anything that went wrong calling Kamailio: catch this to handle every failure at once. */
export abstract class KamailioRpcFailure extends Error {
  /** The JSON-RPC method that was called, e.g. `permissions.addressReload`. */
  readonly method: string;

  constructor(method: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.method = method;
    this.name = new.target.name;
  }
}

/**
 * Kamailio answered with a JSON-RPC error: unknown method (`500 Method Not Found`), bad params,
 * a missing dialog (`404 Dialog not found`), a reload already running, and so on.
 */
export class KamailioRpcError extends KamailioRpcFailure {
  /** Kamailio's error code (it uses HTTP-like codes: 400, 404, 500). */
  readonly code: number;
  /** Kamailio's own error text, without the method prefix. */
  readonly kamailioMessage: string;

  constructor(method: string, code: number, kamailioMessage: string) {
    super(method, `${method}: Kamailio answered error ${code} "${kamailioMessage}"`);
    this.code = code;
    this.kamailioMessage = kamailioMessage;
  }
}

/** No complete answer within `timeoutMs`: Kamailio is busy, stuck, or the port is not Kamailio. */
export class KamailioRpcTimeoutError extends KamailioRpcFailure {
  readonly timeoutMs: number;

  constructor(method: string, url: string, timeoutMs: number) {
    super(method, `${method}: no answer from ${url} within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** The HTTP connection failed (refused, reset, unreachable): is Kamailio running on that port? */
export class KamailioRpcConnectionError extends KamailioRpcFailure {
  /** The socket error code when there is one, e.g. `ECONNREFUSED`, `ECONNRESET`. */
  readonly errorCode: string | undefined;

  constructor(method: string, url: string, errorCode: string | undefined, cause: unknown) {
    super(method, `${method}: cannot reach Kamailio at ${url} (${errorCode ?? String(cause)})`, {
      cause,
    });
    this.errorCode = errorCode;
  }
}

/**
 * Kamailio (or whatever listens there) answered something this client cannot trust: not HTTP 200,
 * not JSON-RPC 2.0, another request's id, an empty result where one is expected, or a result whose
 * shape differs from what Kamailio 5.6 sends.
 */
export class KamailioRpcResponseError extends KamailioRpcFailure {
  constructor(method: string, problem: string) {
    super(method, `${method}: unexpected answer: ${problem}`);
  }
}
