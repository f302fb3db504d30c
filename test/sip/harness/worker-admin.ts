/**
 * The Worker's admin API as a test calls it: bearer ADMIN_TOKEN, JSON in and out, 10 s at most.
 * `origin` is read on every call (a restarted Worker may come back elsewhere).
 * @example const admin = workerAdmin(() => worker.url, secrets.ADMIN_TOKEN); await admin('GET', '/v1/admin/lines');
 */
export function workerAdmin(origin: () => string, adminToken: string) {
  return async <T = unknown>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${origin()}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${adminToken}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
}
