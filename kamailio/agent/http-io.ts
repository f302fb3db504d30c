import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { agentBasicPassword, KAMAILIO_USER } from './credential';

/** Sends a JSON body; `close` asks the client to drop the connection (after a refused body). */
export function sendJson(res: ServerResponse, status: number, body: unknown, close = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...(close ? { Connection: 'close' } : {}),
  });
  res.end(text);
}

/** The error body shape the Worker uses too: a stable code and a sentence a person can act on. */
export function sendError(
  res: ServerResponse,
  status: number,
  error: string,
  message: string,
  close = false,
): void {
  sendJson(res, status, { error, message }, close);
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Checks `Authorization: Bearer <token>` in constant time (digests have equal length whatever
 * was sent, so neither the content nor the length of the token leaks through timing).
 * @example bearerMatches(req.headers.authorization, process.env.EDGE_AGENT_TOKEN!)
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(presented), digest(token)) && presented.length > 0;
}

/**
 * Kamailio's credentials: `Bearer <token>`, or HTTP Basic `kamailio:<agentBasicPassword(token)>`
 * (what its kept-alive named connection sends). Both compared in constant time.
 */
export function kamailioCredentialsMatch(header: string | undefined, token: string): boolean {
  if (bearerMatches(header, token)) return true;
  const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '')?.[1];
  if (!basic) return false;
  const presented = Buffer.from(basic, 'base64').toString('utf8');
  const expected = `${KAMAILIO_USER}:${agentBasicPassword(token)}`;
  return timingSafeEqual(digest(presented), digest(expected));
}

type BodyResult =
  { ok: true; value: unknown } | { ok: false; status: 400 | 413; error: string; message: string };

/** Reads and parses a JSON body of at most `limit` bytes. */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const tooLarge = {
    ok: false,
    status: 413,
    error: 'payload_too_large',
    message: `Bodies are limited to ${limit} bytes.`,
  } as const;
  if (Number(req.headers['content-length'] ?? 0) > limit) return tooLarge;
  const chunks: Buffer[] = [];
  // Listeners, not `for await`: leaving an async iterator early destroys the socket before the
  // 413 can be sent. Excess bytes are read and dropped; the answer closes the connection.
  const complete = await new Promise<boolean>((resolve, reject) => {
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      chunks.length = 0;
      resolve(false);
    });
    req.on('end', () => resolve(size <= limit));
    req.on('error', reject);
  });
  if (!complete) return tooLarge;
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return {
      ok: false,
      status: 400,
      error: 'invalid_json',
      // JSON.parse's message quotes the body, which may hold a secret: say what, not where.
      message: 'The body is not valid JSON (expected one JSON value, encoded as UTF-8).',
    };
  }
}
