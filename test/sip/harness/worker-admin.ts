/** What wrangler dev answers (503) for a non-GET request that was in flight while it reloaded. */
const WRANGLER_RELOADED = 'Your worker restarted mid-request';

/**
 * The Worker's admin API as a test calls it: bearer ADMIN_TOKEN, JSON in and out, 10 s at most.
 * `origin` is read on every call (a restarted Worker may come back elsewhere). A request wrangler
 * dev dropped while reloading is sent once more (wrangler itself retries only GET and HEAD); any
 * other answer that is not JSON fails with its status and first line.
 * @example const admin = workerAdmin(() => worker.url, secrets.ADMIN_TOKEN); await admin('GET', '/v1/admin/lines');
 */
export function workerAdmin(origin: () => string, adminToken: string) {
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${origin()}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${adminToken}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, text: await res.text() };
  };
  return async <T = unknown>(method: string, path: string, body?: unknown) => {
    let res = await send(method, path, body);
    if (res.status === 503 && res.text.startsWith(WRANGLER_RELOADED)) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      res = await send(method, path, body);
    }
    let parsed: unknown;
    try {
      parsed = res.text ? JSON.parse(res.text) : null;
    } catch {
      throw new Error(
        `${method} ${path}: HTTP ${res.status} with a body that is not JSON: ${res.text.split('\n')[0]!.slice(0, 200)}`,
      );
    }
    return { status: res.status, body: parsed as T };
  };
}
