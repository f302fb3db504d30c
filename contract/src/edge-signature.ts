// The edge signature (scheme v2) made and checked with WebCrypto, which workerd, Node and browsers
// share: the Worker verifies with it, tests and benchmarks sign with it, and the edge agent signs
// the same bytes with node:crypto (kamailio/agent/sign.ts) through edgeSigningParts().
import {
  EDGE_SIGNATURE_VERSION,
  EdgeSigningInputError,
  edgeSigningInput,
  signatureHex,
  signatureVersion,
} from './edge-signing-input';

export { EDGE_SIGNATURE_VERSION, edgeSigningInput } from './edge-signing-input';

/** Headers the edge agent signs every request with. */
export const EDGE_HEADERS = {
  timestamp: 'X-Bridge-Timestamp',
  nonce: 'X-Bridge-Nonce',
  signature: 'X-Bridge-Signature',
} as const;

/** Requests older or newer than this many seconds are refused. */
export const SIGNATURE_WINDOW_S = 60;

const encoder = new TextEncoder();

function toHex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function sha256Hex(body: string): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', encoder.encode(body)));
}

/** Imported keys, per secret and usage: importKey on every request was a measurable cost. */
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  const id = `${usage}:${secret}`;
  let key = keys.get(id);
  if (!key) {
    key = crypto.subtle.importKey(
      'raw',
      encoder.encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      [usage],
    );
    // A rotated secret replaces the old one; two entries per secret at most are ever useful.
    if (keys.size >= 8) keys.clear();
    keys.set(id, key);
  }
  return key;
}

/** What is signed: the request as the agent addresses it (its URL gives the host and path). */
export interface EdgeRequest {
  method: string;
  url: string | URL;
  body: string;
  timestamp?: number;
  nonce?: string;
}

/**
 * Signs an edge request with scheme v2 (used by benchmarks and tests; the agent signs the same
 * bytes with node:crypto in kamailio/agent/sign.ts).
 * @example
 * const headers = await signEdgeRequest(secret, { method: 'POST', url: `${WORKER_URL}/v1/edge/decisions`, body });
 */
export async function signEdgeRequest(
  secret: string,
  req: EdgeRequest,
): Promise<Record<string, string>> {
  const { input, headers } = edgeSigningParts(req, await sha256Hex(req.body));
  const mac = await crypto.subtle.sign(
    'HMAC',
    await hmacKey(secret, 'sign'),
    encoder.encode(input),
  );
  return headers(toHex(mac));
}

/**
 * What both signers (this one and the agent's node:crypto one) share: the v2 signed string of a
 * request whose body hashes to `bodySha256`, and the headers that carry its HMAC.
 * @example const { input, headers } = edgeSigningParts(req, bodyHex); headers(hmacHex(input));
 */
export function edgeSigningParts(
  req: EdgeRequest,
  bodySha256: string,
): { input: string; headers: (macHex: string) => Record<string, string> } {
  const url = new URL(req.url);
  const timestamp = String(req.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = req.nonce ?? crypto.randomUUID().replaceAll('-', '');
  const input = edgeSigningInput({
    timestamp,
    nonce,
    method: req.method,
    host: url.host,
    pathWithQuery: url.pathname + url.search,
    bodySha256,
  });
  return {
    input,
    headers: (macHex) => ({
      [EDGE_HEADERS.timestamp]: timestamp,
      [EDGE_HEADERS.nonce]: nonce,
      [EDGE_HEADERS.signature]: `v${EDGE_SIGNATURE_VERSION}=${macHex}`,
    }),
  };
}

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Why a request's signature was refused; `version` names a scheme this Worker no longer takes. */
export type EdgeVerification =
  | { ok: true; timestamp: number; nonce: string }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'version'; version: number };

/** The outcome of verifyEdgeSignatureWithAny(): on success, also the index of the secret that verified. */
export type EdgeVerificationWithAny =
  | Exclude<EdgeVerification, { ok: true }>
  | { ok: true; timestamp: number; nonce: string; secretIndex: number };

/** An edge request as the verifier sees it. */
export interface ReceivedEdgeRequest {
  method: string;
  url: string | URL;
  headers: Headers;
  /** The body, or how to read it (only once the cheap checks have passed). */
  body: string | (() => Promise<string>);
  now?: number;
}

/**
 * Checks an edge request's v2 signature and time window (not its nonce: the Worker spends it).
 * The host is the request's own (new URL(request.url).host), so a signature made for another
 * Worker's address is refused. The MAC check is crypto.subtle.verify, in constant time.
 * @example
 * const v = await verifyEdgeSignature(secret, { method, url: c.req.url, headers: c.req.raw.headers, body });
 */
export async function verifyEdgeSignature(
  secret: string,
  req: ReceivedEdgeRequest,
): Promise<EdgeVerification> {
  const verified = await verifyEdgeSignatureWithAny([secret], req);
  return verified.ok
    ? { ok: true, timestamp: verified.timestamp, nonce: verified.nonce }
    : verified;
}

/**
 * verifyEdgeSignature() against several secrets (during a rotation: the current one, then the one
 * it replaces). The MAC is checked with every secret, so the time taken does not tell which one
 * matched; `secretIndex` says which did.
 * @example
 * const v = await verifyEdgeSignatureWithAny([current, previous], { method, url, headers, body });
 */
export async function verifyEdgeSignatureWithAny(
  secrets: readonly string[],
  req: ReceivedEdgeRequest,
): Promise<EdgeVerificationWithAny> {
  const header = req.headers.get(EDGE_HEADERS.signature) ?? '';
  const version = signatureVersion(header);
  if (version !== null && version !== EDGE_SIGNATURE_VERSION) {
    return { ok: false, reason: 'version', version };
  }
  const hex = signatureHex(header);
  const timestamp = req.headers.get(EDGE_HEADERS.timestamp) ?? '';
  const nonce = req.headers.get(EDGE_HEADERS.nonce) ?? '';
  const now = req.now ?? Math.floor(Date.now() / 1000);
  // Cheap checks first: an unsigned or stale request is refused before its body is read.
  if (!hex || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'invalid' };
  if (Math.abs(now - Number(timestamp)) > SIGNATURE_WINDOW_S)
    return { ok: false, reason: 'invalid' };
  const url = new URL(req.url);
  const body = typeof req.body === 'string' ? req.body : await req.body();
  let input: string;
  try {
    input = edgeSigningInput({
      timestamp,
      nonce,
      method: req.method,
      host: url.host,
      pathWithQuery: url.pathname + url.search,
      bodySha256: await sha256Hex(body),
    });
  } catch (err) {
    if (err instanceof EdgeSigningInputError) return { ok: false, reason: 'invalid' };
    throw err;
  }
  const mac = hexToBytes(hex);
  const data = encoder.encode(input);
  const valid = await Promise.all(
    secrets.map(async (secret) =>
      crypto.subtle.verify('HMAC', await hmacKey(secret, 'verify'), mac, data),
    ),
  );
  const secretIndex = valid.indexOf(true);
  return secretIndex >= 0
    ? { ok: true, timestamp: Number(timestamp), nonce, secretIndex }
    : { ok: false, reason: 'invalid' };
}

/** The 401 for a signature scheme this Worker does not take: says which, and what to do. */
export function signatureVersionMessage(version: number): string {
  return version < EDGE_SIGNATURE_VERSION
    ? `Edge signature v${version} is no longer accepted: upgrade the edge agent (it must sign v${EDGE_SIGNATURE_VERSION})`
    : `Edge signature v${version} is not known to this Worker, which accepts v${EDGE_SIGNATURE_VERSION}: upgrade the Worker`;
}
