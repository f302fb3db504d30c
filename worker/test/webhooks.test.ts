// Call webhooks end to end: a decision and the edge's events reach a loopback receiver, signed,
// after the answer; failures are retried by the cron with backoff, then go to the failover URL.
import {
  createScheduledController,
  createExecutionContext,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebhookEventSchema } from '@sip-bridge/contract/webhooks';
import worker from '../src/index';
import { purgeExpiredCallData } from '../src/calls/retention';
import { webhookTiming } from '../src/webhooks/deliver';
import { CLOSED_TICKET_ID } from '@sip-bridge/zendesk-standin/seed';
import { installStandin, invite } from './harness';
import {
  adminRequest,
  edgeRequest,
  FAILOVER_URL,
  installReceiver,
  LOCAL,
  PRIMARY_URL,
  runWorker,
  signedWith,
  type Receiver,
} from './webhook-receiver';

/** The deliveries' clock, moved by the tests (never real elapsed time). */
let clock = Date.parse('2026-12-02T10:00:00.000Z');
let receiver: Receiver;

beforeEach(async () => {
  installStandin();
  receiver = installReceiver();
  clock = Date.parse('2026-12-02T10:00:00.000Z');
  vi.spyOn(webhookTiming, 'now').mockImplementation(() => clock);
  await env.DB.exec(
    'DELETE FROM webhook_deliveries; DELETE FROM webhook_outbox; DELETE FROM calls; DELETE FROM call_events; DELETE FROM lines',
  );
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Creates the test line with a webhook; answers the signing secret shown once. */
async function lineWithWebhook(
  webhook: Record<string, unknown>,
  line: Record<string, unknown> = {},
) {
  const { res } = await runWorker(
    adminRequest('/v1/admin/lines', {
      body: {
        slug: 'ai-agent',
        name: 'AI agent hand-off',
        sip_targets: ['sip:mongoose@mongoose.sip.twilio.com'],
        default_country: 'US',
        // Withheld callers need nothing from Zendesk: the decision is made at once.
        webhook,
        ...line,
      },
    }),
  );
  expect(res.status).toBe(201);
  return ((await res.json()) as { webhook_secret: string }).webhook_secret;
}

/** Decides an INVITE through the edge API and waits for what it left for after the answer. */
async function decideAndSettle(req = invite({ from: '<sip:anonymous@anonymous.invalid>;tag=1' })) {
  const { res, done } = await runWorker(await edgeRequest('/v1/edge/decisions', req));
  expect(res.status).toBe(200);
  await done;
  return { req, decision: (await res.json()) as { action: string } };
}

async function sendEvents(events: Record<string, unknown>[]) {
  const { res, done } = await runWorker(await edgeRequest('/v1/edge/events', { events }));
  expect(res.status).toBe(200);
  await done;
}

/** Runs the Worker's cron with the clock at `ms`, to its end. */
async function cronAt(ms: number) {
  clock = ms;
  const ctx = createExecutionContext();
  await worker.scheduled(
    createScheduledController({ scheduledTime: ms, cron: '*/5 * * * *' }),
    { ...env, ...LOCAL },
    ctx,
  );
  await waitOnExecutionContext(ctx);
}

async function deliveryLog() {
  const { res } = await runWorker(adminRequest('/v1/admin/lines/ai-agent/webhook-deliveries'));
  expect(res.status).toBe(200);
  return ((await res.json()) as { deliveries: Record<string, unknown>[] }).deliveries;
}

const events = (r: Receiver) => r.received.map((x) => WebhookEventSchema.parse(JSON.parse(x.body)));

describe('call webhooks', () => {
  it('sends call.received with the ticket a decision created, and never logs the secret', async () => {
    const logged = [
      vi.spyOn(console, 'log'),
      vi.spyOn(console, 'error'),
      vi.spyOn(console, 'warn'),
    ];
    const secret = await lineWithWebhook(
      { url: PRIMARY_URL, events: ['call.received'] },
      { create_ticket: true },
    );
    const { req, decision } = await decideAndSettle(invite());
    expect(decision).toMatchObject({ action: 'relay', call: { ticket_link: 'created' } });
    const ticketId = (decision as unknown as { call: { ticket_id: number } }).call.ticket_id;
    expect(events(receiver)).toMatchObject([
      {
        type: 'call.received',
        call: {
          call_id: req.call_id,
          caller: { e164: '+14155550100', withheld: false },
          status: 'ringing',
          ticket_id: ticketId,
        },
      },
    ]);
    // Nothing of the SIP request but the call's facts: no URIs, no user agent.
    expect(receiver.received[0]!.body).not.toMatch(/sip:|VoiceBot|192\.0\.2/);
    const output = logged.flatMap((spy) => spy.mock.calls.flat().map(String)).join('\n');
    expect(output).not.toContain(secret);
  });

  it('sends call.received for a call known only from its events (the decision never came)', async () => {
    await lineWithWebhook({ url: PRIMARY_URL });
    const req = invite({ from: '<sip:anonymous@anonymous.invalid>' });
    await sendEvents([
      { call_id: req.call_id, kind: 'answered', at: '2026-12-02T10:00:05.000Z', call: req },
      { call_id: req.call_id, kind: 'ended', at: '2026-12-02T10:00:35.000Z', call: req },
    ]);
    expect(events(receiver).map((e) => e.type)).toEqual([
      'call.received',
      'call.answered',
      'call.ended',
    ]);
    expect(events(receiver)[2]!.call).toMatchObject({ status: 'completed', duration_s: 30 });
  });

  it('pages the delivery log, newest first', async () => {
    await lineWithWebhook({ url: PRIMARY_URL, events: ['call.received'] });
    for (let i = 0; i < 3; i++) await decideAndSettle();
    const first = await runWorker(
      adminRequest('/v1/admin/lines/ai-agent/webhook-deliveries?limit=2'),
    );
    const page1 = (await first.res.json()) as {
      deliveries: { event_id: string }[];
      next_before: number;
    };
    expect(page1.deliveries).toHaveLength(2);
    const second = await runWorker(
      adminRequest(
        `/v1/admin/lines/ai-agent/webhook-deliveries?limit=2&before=${page1.next_before}`,
      ),
    );
    const page2 = (await second.res.json()) as {
      deliveries: { event_id: string }[];
      next_before: null;
    };
    expect(page2.next_before).toBeNull();
    const ids = [...page1.deliveries, ...page2.deliveries].map((d) => d.event_id);
    const sent = receiver.received.map((r) => r.headers.get('X-SIPBridge-Event-Id')).reverse();
    expect(ids).toEqual(sent);
  });

  it('sends call.received, call.answered and call.ended, each signed with the line secret', async () => {
    const secret = await lineWithWebhook({ url: PRIMARY_URL });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const { req, decision } = await decideAndSettle();
    expect(decision.action).toBe('relay');
    await sendEvents([
      { call_id: req.call_id, kind: 'answered', at: '2026-12-02T10:00:05.000Z', sip_code: 200 },
      { call_id: req.call_id, kind: 'ended', at: '2026-12-02T10:01:10.000Z', ended_by: 'caller' },
    ]);
    const got = events(receiver);
    expect(got.map((e) => e.type)).toEqual(['call.received', 'call.answered', 'call.ended']);
    expect(new Set(got.map((e) => e.id)).size).toBe(3);
    for (const [i, r] of receiver.received.entries()) {
      expect(await signedWith(r.headers.get('X-SIPBridge-Signature'), r.body, secret)).toBe(true);
      expect(await signedWith(r.headers.get('X-SIPBridge-Signature'), r.body, 'whsec_other')).toBe(
        false,
      );
      expect(r.headers.get('X-SIPBridge-Event-Id')).toBe(got[i]!.id);
      // The signature's time is the deliveries' clock.
      expect(r.headers.get('X-SIPBridge-Signature')).toMatch(`t=${Math.floor(clock / 1000)},v1=`);
    }
    const ended = got[2]!;
    expect(ended).toMatchObject({
      line: 'ai-agent',
      call: {
        call_id: req.call_id,
        caller: { e164: null, withheld: true },
        status: 'completed',
        ticket_id: null,
        answered_at: '2026-12-02T10:00:05.000Z',
        ended_at: '2026-12-02T10:01:10.000Z',
        duration_s: 65,
        final: { code: 200, reason: 'BYE from caller', cause: null },
        reject: null,
      },
    });
    // Sent again by the edge, the events queue nothing new.
    await sendEvents([
      { call_id: req.call_id, kind: 'ended', at: '2026-12-02T10:01:10.000Z', ended_by: 'caller' },
    ]);
    expect(receiver.received).toHaveLength(3);
    expect((await deliveryLog()).map((d) => d.outcome)).toEqual([
      'delivered',
      'delivered',
      'delivered',
    ]);
  });

  it("says in call.ended which of the line's timers ended the call", async () => {
    await lineWithWebhook({ url: PRIMARY_URL, events: ['call.ended'] });
    const { req } = await decideAndSettle();
    await sendEvents([
      {
        call_id: req.call_id,
        kind: 'failed',
        at: '2026-12-02T10:05:00.000Z',
        sip_code: 408,
        reason: 'No Answer Timeout',
        cause: 'no_answer_timeout',
      },
    ]);
    expect(events(receiver)).toMatchObject([
      {
        type: 'call.ended',
        call: {
          status: 'failed',
          final: { code: 408, reason: 'No Answer Timeout', cause: 'no_answer_timeout' },
        },
      },
    ]);
  });

  it('sends call.rejected with the SIP answer, and only the event types the line asked for', async () => {
    await lineWithWebhook({ url: PRIMARY_URL, events: ['call.rejected'] }, { enabled: false });
    const { decision } = await decideAndSettle();
    expect(decision.action).toBe('reject');
    expect(events(receiver)).toMatchObject([
      {
        type: 'call.rejected',
        call: { status: 'rejected', reject: { code: 403, reason: 'Line Disabled' } },
      },
    ]);
    // No webhook event for types the line did not ask for.
    await runWorker(
      adminRequest('/v1/admin/lines/ai-agent', { method: 'PATCH', body: { enabled: true } }),
    );
    await decideAndSettle();
    expect(receiver.received).toHaveLength(1);
  });

  it('sends call.rejected for a passed ticket Zendesk says is closed, on a line that rejects those', async () => {
    await lineWithWebhook({ url: PRIMARY_URL }, { invalid_ticket: 'reject' });
    const { decision } = await decideAndSettle(invite({ ticket_id: String(CLOSED_TICKET_ID) }));
    expect(decision).toMatchObject({ action: 'reject', code: 410 });
    expect(events(receiver)).toMatchObject([
      {
        type: 'call.rejected',
        call: { status: 'rejected', reject: { code: 410, reason: 'Ticket Closed' } },
      },
    ]);
  });

  it('keeps to the primary after two failures when the line has no failover URL', async () => {
    await lineWithWebhook({ url: PRIMARY_URL, events: ['call.received'] });
    receiver.behave('/primary', 503);
    const t0 = clock;
    await decideAndSettle();
    await cronAt(t0 + 10_000);
    await cronAt(t0 + 40_000);
    expect(receiver.received.map((r) => r.path)).toEqual(['/primary', '/primary', '/primary']);
    expect((await deliveryLog()).map((d) => [d.target, d.attempt])).toEqual([
      ['primary', 3],
      ['primary', 2],
      ['primary', 1],
    ]);
  });

  it('gives up an event whose line no longer has a webhook, unsent', async () => {
    await lineWithWebhook({ url: PRIMARY_URL, events: ['call.received'] });
    receiver.behave('/primary', 500);
    const t0 = clock;
    await decideAndSettle();
    await runWorker(
      adminRequest('/v1/admin/lines/ai-agent', { method: 'PATCH', body: { webhook: null } }),
    );
    await cronAt(t0 + 10_000);
    expect(receiver.received).toHaveLength(1);
    expect(await env.DB.prepare('SELECT state FROM webhook_outbox').first()).toEqual({
      state: 'failed',
    });
  });

  it('retries a primary that fails with backoff, then the failover URL gets the event', async () => {
    await lineWithWebhook({
      url: PRIMARY_URL,
      failover_url: FAILOVER_URL,
      events: ['call.received'],
    });
    receiver.behave('/primary', 500);
    const t0 = clock;
    await decideAndSettle();
    expect(receiver.received.map((r) => r.path)).toEqual(['/primary']);
    // Before its backoff (10 s) the event is not sent again.
    await cronAt(t0 + 5_000);
    expect(receiver.received).toHaveLength(1);
    await cronAt(t0 + 10_000);
    expect(receiver.received.map((r) => r.path)).toEqual(['/primary', '/primary']);
    // Two failed deliveries to the primary: the third attempt, 30 s later, goes to the failover.
    await cronAt(t0 + 10_000 + 29_000);
    expect(receiver.received).toHaveLength(2);
    await cronAt(t0 + 10_000 + 30_000);
    expect(receiver.received.map((r) => r.path)).toEqual(['/primary', '/primary', '/failover']);
    const ids = new Set(receiver.received.map((r) => r.headers.get('X-SIPBridge-Event-Id')));
    expect(ids.size).toBe(1);
    // Nothing is due any more.
    await cronAt(t0 + 86_400_000);
    expect(receiver.received).toHaveLength(3);

    const log = await deliveryLog();
    expect(log).toMatchObject([
      {
        target: 'failover',
        url: FAILOVER_URL,
        attempt: 3,
        status_code: 200,
        error: null,
        outcome: 'delivered',
        next_attempt_at: null,
      },
      {
        target: 'primary',
        url: PRIMARY_URL,
        attempt: 2,
        status_code: 500,
        error: 'http_status',
        outcome: 'retry',
        next_attempt_at: new Date(t0 + 40_000).toISOString(),
      },
      {
        target: 'primary',
        attempt: 1,
        status_code: 500,
        outcome: 'retry',
        next_attempt_at: new Date(t0 + 10_000).toISOString(),
      },
    ]);
    expect(new Set(log.map((d) => d.event_id))).toEqual(ids);
  });

  it('answers the decision while the receiver hangs; the attempt times out and is retried', async () => {
    await lineWithWebhook({ url: PRIMARY_URL, events: ['call.received'] });
    receiver.behave('/primary', 'hang');
    // The attempt's timer, fired by the test instead of 5 s passing.
    const timer = new AbortController();
    vi.spyOn(webhookTiming, 'attemptSignal').mockImplementation(() => timer.signal);
    const t0 = clock;
    const { res, done } = await runWorker(
      await edgeRequest(
        '/v1/edge/decisions',
        invite({ from: '<sip:anonymous@anonymous.invalid>' }),
      ),
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { action: string }).action).toBe('relay');
    // The answer came while the receiver still holds the delivery.
    for (let i = 0; i < 100 && receiver.hanging === 0; i++)
      await new Promise((r) => setTimeout(r, 5));
    expect(receiver.hanging).toBe(1);
    timer.abort(new DOMException('The operation timed out.', 'TimeoutError'));
    await done;
    expect(receiver.hanging).toBe(0);
    expect(await deliveryLog()).toMatchObject([
      { attempt: 1, status_code: null, error: 'timeout', outcome: 'retry' },
    ]);
    receiver.behave('/primary', 200);
    vi.mocked(webhookTiming.attemptSignal).mockImplementation(() => new AbortController().signal);
    await cronAt(t0 + 10_000);
    expect((await deliveryLog()).map((d) => [d.attempt, d.outcome])).toEqual([
      [2, 'delivered'],
      [1, 'retry'],
    ]);
  });

  it('sends an event again, with the same id and body, when the answer to a delivery was lost', async () => {
    await lineWithWebhook({ url: PRIMARY_URL, events: ['call.received'] });
    receiver.behave('/primary', 'lose_answer');
    const t0 = clock;
    await decideAndSettle();
    receiver.behave('/primary', 204);
    await cronAt(t0 + 10_000);
    const [first, second] = receiver.received;
    expect(receiver.received).toHaveLength(2);
    expect(second!.headers.get('X-SIPBridge-Event-Id')).toBe(
      first!.headers.get('X-SIPBridge-Event-Id'),
    );
    expect(second!.body).toBe(first!.body);
    expect((await deliveryLog()).map((d) => [d.error, d.outcome])).toEqual([
      [null, 'delivered'],
      ['network', 'retry'],
    ]);
  });

  it('signs with both secrets for a day after a rotation, then with the new one only', async () => {
    const old = await lineWithWebhook({ url: PRIMARY_URL, events: ['call.received'] });
    const { res } = await runWorker(
      adminRequest('/v1/admin/lines/ai-agent/webhook/rotate-secret', { method: 'POST' }),
    );
    expect(res.status).toBe(200);
    const { webhook_secret: fresh } = (await res.json()) as { webhook_secret: string };
    expect(fresh).not.toBe(old);
    await decideAndSettle();
    const r = receiver.received[0]!;
    const header = r.headers.get('X-SIPBridge-Signature');
    expect(header?.split(',').filter((p) => p.startsWith('v1='))).toHaveLength(2);
    expect(await signedWith(header, r.body, fresh)).toBe(true);
    expect(await signedWith(header, r.body, old)).toBe(true);
  });

  it('never sends to a loopback receiver without the local-runs flag', async () => {
    await lineWithWebhook({ url: PRIMARY_URL, events: ['call.received'] });
    const req = invite({ from: '<sip:anonymous@anonymous.invalid>' });
    const { res, done } = await runWorker(await edgeRequest('/v1/edge/decisions', req), {});
    expect(res.status).toBe(200);
    await done;
    expect(receiver.received).toHaveLength(0);
    expect(await deliveryLog()).toMatchObject([{ error: 'url_refused', outcome: 'retry' }]);
  });

  it('drains a backlog larger than one pass in one cron run', async () => {
    await lineWithWebhook({ url: PRIMARY_URL, events: ['call.received'] });
    // Queued by a Worker without the local-runs flag: each first attempt is refused, unsent.
    for (let i = 0; i < 13; i++) {
      const req = invite({ from: '<sip:anonymous@anonymous.invalid>' });
      const { res, done } = await runWorker(await edgeRequest('/v1/edge/decisions', req), {});
      expect(res.status).toBe(200);
      await done;
    }
    expect(receiver.received).toHaveLength(0);
    await cronAt(clock + 10_000);
    expect(new Set(receiver.received.map((r) => r.headers.get('X-SIPBridge-Event-Id'))).size).toBe(
      13,
    );
  });

  it('purges webhook events (they carry the caller) and their attempts with the call data', async () => {
    await lineWithWebhook({ url: PRIMARY_URL, events: ['call.received'] });
    await decideAndSettle(invite());
    const count = async () =>
      env.DB.prepare(
        'SELECT (SELECT COUNT(*) FROM webhook_outbox) AS events, (SELECT COUNT(*) FROM webhook_deliveries) AS attempts',
      ).first();
    const day = 86_400_000;
    const latest = Math.max(Date.now(), clock);
    await purgeExpiredCallData(env.DB, { nowMs: latest + 89 * day, retentionDays: 90 });
    expect(await count()).toEqual({ events: 1, attempts: 1 });
    await purgeExpiredCallData(env.DB, { nowMs: latest + 91 * day, retentionDays: 90 });
    expect(await count()).toEqual({ events: 0, attempts: 0 });
  });
});
