// The Node verification example of docs/webhooks.md, run against real deliveries (workerd has
// node:crypto through nodejs_compat), so the documentation cannot drift from the signature.
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { verifySipBridgeSignature } from '../examples/verify-webhook.mjs';
import { webhookTiming } from '../src/webhooks/deliver';
import { installStandin, invite } from './harness';
import {
  adminRequest,
  edgeRequest,
  installReceiver,
  PRIMARY_URL,
  runWorker,
  type Receiver,
} from './webhook-receiver';

const NOW_MS = Date.parse('2026-12-02T10:00:00.000Z');
const NOW_S = NOW_MS / 1000;
let receiver: Receiver;

beforeEach(async () => {
  installStandin();
  receiver = installReceiver();
  vi.spyOn(webhookTiming, 'now').mockImplementation(() => NOW_MS);
  await env.DB.exec('DELETE FROM webhook_outbox; DELETE FROM calls; DELETE FROM lines');
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function delivery() {
  const created = await runWorker(
    adminRequest('/v1/admin/lines', {
      body: {
        slug: 'ai-agent',
        name: 'AI agent hand-off',
        sip_targets: ['sip:mongoose@mongoose.sip.twilio.com'],
        default_country: 'US',
        webhook: { url: PRIMARY_URL, events: ['call.received'] },
      },
    }),
  );
  const { webhook_secret: secret } = (await created.res.json()) as { webhook_secret: string };
  const decided = await runWorker(
    await edgeRequest('/v1/edge/decisions', invite({ from: '<sip:anonymous@anonymous.invalid>' })),
  );
  await decided.done;
  const r = receiver.received[0]!;
  return { secret, header: r.headers.get('X-SIPBridge-Signature'), body: r.body };
}

it('accepts a real delivery, with its raw body as a string or as bytes', async () => {
  const { secret, header, body } = await delivery();
  expect(verifySipBridgeSignature(header, body, secret, NOW_S)).toBe(true);
  expect(verifySipBridgeSignature(header, new TextEncoder().encode(body), secret, NOW_S)).toBe(
    true,
  );
});

it('refuses a changed body, another secret, a missing header, and a delivery past 5 minutes', async () => {
  const { secret, header, body } = await delivery();
  expect(verifySipBridgeSignature(header, body.replace('ringing', 'answered'), secret, NOW_S)).toBe(
    false,
  );
  expect(verifySipBridgeSignature(header, body, `${secret}x`, NOW_S)).toBe(false);
  expect(verifySipBridgeSignature(undefined, body, secret, NOW_S)).toBe(false);
  expect(verifySipBridgeSignature(header, body, secret, NOW_S + 300)).toBe(true);
  expect(verifySipBridgeSignature(header, body, secret, NOW_S + 301)).toBe(false);
  expect(verifySipBridgeSignature(header, body, secret, NOW_S - 301)).toBe(false);
});
