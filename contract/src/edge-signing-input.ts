/**
 * The edge signature's signed string (scheme v2), shared by the Worker (WebCrypto) and the edge
 * agent (node:crypto): pure string work, no crypto, so both sides build the very same bytes.
 */

/** The scheme this code signs and verifies; the header value is `v2=<hex>`. */
export const EDGE_SIGNATURE_VERSION = 2;

/** The first line of every v2 signed string, so its bytes can never stand for another scheme's. */
const SCHEME_LINE = 'sipbridge-edge-v2';

/** Each field's canonical form: none can hold a line feed, so the lines split in one way only. */
const FIELD_FORMATS = {
  timestamp: /^\d{1,12}$/,
  nonce: /^[A-Za-z0-9_-]{16,64}$/,
  method: /^[A-Z]{1,16}$/,
  // URL.host: lower-case name or [IPv6], with the port only when it is not the scheme's default.
  host: /^(?:[a-z0-9._-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/,
  // URL.pathname + URL.search: percent-encoded, so printable ASCII without space.
  pathWithQuery: /^\/[\x21-\x7e]*$/,
  bodySha256: /^[0-9a-f]{64}$/,
} as const;

export type EdgeSigningFields = { [K in keyof typeof FIELD_FORMATS]: string };

/** A field that has no canonical form, named so the caller knows what to fix. */
export class EdgeSigningInputError extends Error {
  constructor(readonly field: keyof EdgeSigningFields) {
    super(`edge signature: ${field} is not in its canonical form`);
    this.name = 'EdgeSigningInputError';
  }
}

/**
 * The exact string that is signed. v1 joined raw fields with '.', which a path or body could also
 * contain ("/a.b" + "c" and "/a" + "b.c" signed alike) and left out the host. v2 puts one field
 * per line after a scheme line; every field is checked against a format without a line feed and
 * the body enters as its SHA-256 hex, so two different requests never share a signed string, and
 * the string stays printable (and free of call facts) for debugging.
 * @example
 * edgeSigningInput({ timestamp: '1795000000', nonce, method: 'POST', host: 'bridge.example.com',
 *   pathWithQuery: '/v1/edge/events', bodySha256 });
 * // 'sipbridge-edge-v2\n1795000000\n<nonce>\nPOST\nbridge.example.com\n/v1/edge/events\n<hex>'
 */
export function edgeSigningInput(fields: EdgeSigningFields): string {
  const canonical = { ...fields, method: fields.method.toUpperCase() };
  const order = ['timestamp', 'nonce', 'method', 'host', 'pathWithQuery', 'bodySha256'] as const;
  for (const field of order) {
    if (!FIELD_FORMATS[field].test(canonical[field])) throw new EdgeSigningInputError(field);
  }
  return [SCHEME_LINE, ...order.map((field) => canonical[field])].join('\n');
}

/** The signature header's scheme version, or null when it has no `v<N>=` prefix at all. */
export function signatureVersion(header: string): number | null {
  const match = /^v(\d{1,3})=/.exec(header);
  return match ? Number(match[1]) : null;
}

/** The MAC hex of a `v2=<hex>` header, or null when the header is not exactly that. */
export function signatureHex(header: string): string | null {
  return /^v2=([0-9a-f]{64})$/.exec(header)?.[1] ?? null;
}
