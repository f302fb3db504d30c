// The webhook signature, Stripe's scheme: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`,
// with one v1 per secret in use (two while a rotation overlaps).
import { webhookSigningInput } from '@sip-bridge/contract/webhooks';

const SECRET_PREFIX = 'whsec_';

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

/** A new signing secret: `whsec_` and 32 random bytes in base64url. */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

async function hmacHex(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(text));
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The X-SIPBridge-Signature value for this body, signed with each secret (the whole secret
 * string, `whsec_` included, is the HMAC key).
 * @example await webhookSignature(['whsec_…'], 1767225600, '{"id":"evt_…"}') // 't=1767225600,v1=5f…'
 */
export async function webhookSignature(
  secrets: readonly string[],
  timestampSeconds: number,
  rawBody: string,
): Promise<string> {
  const input = webhookSigningInput(timestampSeconds, rawBody);
  const macs = await Promise.all(secrets.map((s) => hmacHex(s, input)));
  return [`t=${timestampSeconds}`, ...macs.map((m) => `v1=${m}`)].join(',');
}
