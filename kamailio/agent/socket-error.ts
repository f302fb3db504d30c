/**
 * The system error code of a failed request (`ECONNREFUSED`, `ENOTFOUND`...): undici puts the
 * socket's error under `cause`, sometimes two levels deep.
 * @example socketErrorCode(await fetch(url).catch((e) => e)) // 'ECONNREFUSED'
 */
export function socketErrorCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
