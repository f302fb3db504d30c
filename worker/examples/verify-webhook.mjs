// Verifies a SIP bridge webhook delivery in Node (docs/webhooks.md). Tested against real
// deliveries by worker/test/webhook-verify-example.test.ts.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Deliveries older or newer than this (seconds) are refused, so a captured one cannot be replayed later. */
export const TOLERANCE_SECONDS = 300;

/**
 * Whether `signatureHeader` (X-SIPBridge-Signature) signs `rawBody` (the exact bytes received,
 * before any JSON parsing) with `secret` (whsec_…), within the tolerance.
 * @param {string | undefined} signatureHeader
 * @param {Buffer | string} rawBody
 * @param {string} secret
 * @param {number} [nowSeconds]
 */
export function verifySipBridgeSignature(
  signatureHeader,
  rawBody,
  secret,
  nowSeconds = Math.floor(Date.now() / 1000),
) {
  let timestamp = NaN;
  const signatures = [];
  for (const part of (signatureHeader ?? '').split(',')) {
    const at = part.indexOf('=');
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === 't') timestamp = Number(value);
    // One v1 per secret in use: two for a day after the secret was rotated.
    if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > TOLERANCE_SECONDS) {
    return false;
  }
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
  return signatures.some((s) => s.length === expected.length && timingSafeEqual(s, expected));
}

// A receiver: verify, dedupe by event id (delivery is at least once), answer 2xx quickly.
//
//   import { createServer } from 'node:http';
//   const seen = new Set(); // use your database in production
//   createServer((req, res) => {
//     const chunks = [];
//     req.on('data', (c) => chunks.push(c)).on('end', () => {
//       const raw = Buffer.concat(chunks);
//       if (!verifySipBridgeSignature(req.headers['x-sipbridge-signature'], raw, process.env.SIPBRIDGE_WEBHOOK_SECRET)) {
//         res.writeHead(400).end();
//         return;
//       }
//       const event = JSON.parse(raw.toString('utf8'));
//       if (!seen.has(event.id)) {
//         seen.add(event.id);
//         queueForProcessing(event); // do the slow work after answering
//       }
//       res.writeHead(204).end();
//     });
//   }).listen(8443);
