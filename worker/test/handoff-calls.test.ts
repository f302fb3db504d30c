// The call that follows a handoff: its X-Zendesk-Ticket-Id is the handoff's ticket, so the
// decision knows the ticket without asking Zendesk, and the call record carries the handoff.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ZendeskStandin } from '@sip-bridge/zendesk-standin/app';
import { OPEN_TICKET_ID } from '@sip-bridge/zendesk-standin/seed';
import {
  adminFetch,
  appFetch,
  callRow,
  createTestKey,
  createTestLine,
  decide,
  handoff,
  installStandin,
  invite,
  zendeskRequests,
} from './harness';

let standin: ZendeskStandin;
let key: string;
beforeEach(async () => {
  standin = installStandin();
  await env.DB.exec(
    'DELETE FROM calls; DELETE FROM handoffs; DELETE FROM api_key_minutes; DELETE FROM lines; ' +
      'DELETE FROM caller_matches; DELETE FROM ticket_checks',
  );
  await createTestLine({ create_ticket: true });
  key = (await createTestKey('ai-agent', { label: 'Acme Voice AI (prod)' })).secret;
});

const transcript = [
  { role: 'agent', text: 'How can I help?', at: '2026-11-21T09:30:01.000Z' },
  { role: 'caller', text: 'I was charged twice.' },
];
const adaHandoff = {
  caller: { phone: '+14155550100' },
  summary: 'Charged twice in December; wants a refund.',
  intent: 'billing_dispute',
  language: 'en-US',
  transcript,
};

/** Hands off for Ada, then places her call with the handoff's ticket header. */
async function handOffThenCall(from = '"Ada" <sip:+14155550100@carrier.example>;tag=1') {
  const made = await handoff(adaHandoff, { key });
  expect(made.status).toBe(201);
  const before = zendeskRequests(standin);
  const req = invite({ from, ticket_id: String(made.body.ticket_id) });
  const decision = await decide(req);
  return { made: made.body, req, decision, asked: zendeskRequests(standin) - before };
}

describe('a call carrying a handoff ticket', () => {
  it('is relayed with the header without a single Zendesk request, and linked to the handoff', async () => {
    const { made, req, decision, asked } = await handOffThenCall();
    expect(asked).toBe(0);
    expect(decision.body).toMatchObject({
      action: 'relay',
      headers: [{ name: 'X-Zendesk-Ticket-Id', value: String(made.ticket_id) }],
      call: {
        caller_e164: '+14155550100',
        match: 'matched',
        ticket_id: made.ticket_id,
        ticket_link: 'passed',
        ticket_requester_mismatch: false,
        degraded: [],
      },
    });
    expect((await callRow(req.call_id))?.handoff_id).toBe(made.handoff_id);
  });

  it('carries the handoff on its call record, as the sidebar and the export see it', async () => {
    const { made, req } = await handOffThenCall();
    const expected = {
      id: made.handoff_id,
      key_label: 'Acme Voice AI (prod)',
      summary: adaHandoff.summary,
      intent: 'billing_dispute',
      language: 'en-US',
      transcript: [
        { role: 'agent', text: 'How can I help?', at: '2026-11-21T09:30:01.000Z' },
        { role: 'caller', text: 'I was charged twice.', at: null },
      ],
      created_at: made.created_at,
    };
    const res = await appFetch(`/v1/tickets/${made.ticket_id}/calls`);
    expect(res.status).toBe(200);
    const { calls } = (await res.json()) as { calls: { call_id: string; handoff: unknown }[] };
    expect(calls.find((c) => c.call_id === req.call_id)?.handoff).toEqual(expected);

    const exported = (await (await adminFetch('/v1/reports/calls/export?start_time=0')).json()) as {
      calls: { call_id: string; handoff: unknown }[];
    };
    expect(exported.calls.find((c) => c.call_id === req.call_id)?.handoff).toEqual(expected);
  });

  it('gives a retransmitted INVITE the same answer, still linked', async () => {
    const { req, decision, made } = await handOffThenCall();
    const again = await decide(req);
    expect(again.body).toEqual(decision.body);
    expect((await callRow(req.call_id))?.handoff_id).toBe(made.handoff_id);
  });

  it('from another number (the AI platform its own) is still linked and keeps its header on a drop line', async () => {
    await adminFetch('/v1/admin/lines/ai-agent', {
      method: 'PATCH',
      body: { requester_mismatch: 'drop' },
    });
    const { made, req, decision } = await handOffThenCall(
      '"Acme AI" <sip:+12025550199@voice.acme.example>;tag=7',
    );
    expect(decision.body.headers).toEqual([
      { name: 'X-Zendesk-Ticket-Id', value: String(made.ticket_id) },
    ]);
    expect(decision.body.call).toMatchObject({
      ticket_link: 'passed',
      ticket_requester_mismatch: null,
    });
    expect((await callRow(req.call_id))?.handoff_id).toBe(made.handoff_id);
  });

  it('links an updated ticket the same way', async () => {
    const made = await handoff({ ...adaHandoff, ticket_id: OPEN_TICKET_ID }, { key });
    expect(made.body.ticket).toBe('updated');
    const before = zendeskRequests(standin);
    const req = invite({ ticket_id: String(OPEN_TICKET_ID) });
    const decision = await decide(req);
    expect(zendeskRequests(standin)).toBe(before);
    expect(decision.body.call.ticket_link).toBe('passed');
    expect((await callRow(req.call_id))?.handoff_id).toBe(made.body.handoff_id);
  });
});

describe('a call not linked to a handoff', () => {
  it('on another line: the ticket is verified with Zendesk as any passed ticket', async () => {
    await createTestLine({ slug: 'carrier-b', name: 'Carrier B' });
    const made = await handoff(adaHandoff, { key });
    const before = zendeskRequests(standin);
    const req = invite({ line: 'carrier-b', ticket_id: String(made.body.ticket_id) });
    const decision = await decide(req);
    expect(decision.body.call.ticket_link).toBe('passed');
    const asked = standin.requests
      .slice(before)
      .map((r) => `${r.method} ${r.path}?ids=${r.query.ids ?? ''}`);
    expect(asked).toContain(`GET /api/v2/tickets/show_many.json?ids=${made.body.ticket_id}`);
    expect((await callRow(req.call_id))?.handoff_id).toBeNull();
  });

  it('after the handoff expired: verified with Zendesk, not linked', async () => {
    const made = await handoff(adaHandoff, { key });
    await env.DB.prepare('UPDATE handoffs SET expires_at = ? WHERE id = ?')
      .bind(new Date(Date.now() - 1000).toISOString(), made.body.handoff_id)
      .run();
    const before = zendeskRequests(standin);
    const req = invite({ ticket_id: String(made.body.ticket_id) });
    await decide(req);
    expect(zendeskRequests(standin)).toBeGreaterThan(before);
    expect((await callRow(req.call_id))?.handoff_id).toBeNull();
  });

  it('without a handoff: the record says handoff null', async () => {
    const req = invite({ ticket_id: String(OPEN_TICKET_ID) });
    await decide(req);
    const res = await appFetch(`/v1/tickets/${OPEN_TICKET_ID}/calls`);
    const { calls } = (await res.json()) as { calls: { call_id: string; handoff: unknown }[] };
    expect(calls.find((c) => c.call_id === req.call_id)?.handoff).toBeNull();
  });
});

describe('the OpenAPI document', () => {
  it('describes the handoff and key endpoints and the handoff on call records', async () => {
    const doc = (await (await adminFetch('/openapi.json')).json()) as any;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/handoffs',
        '/v1/admin/lines/{slug}/api-keys',
        '/v1/admin/lines/{slug}/api-keys/{id}',
      ]),
    );
    const post = doc.paths['/v1/handoffs'].post;
    expect(post.security).toEqual([{ handoffKey: [] }]);
    expect(Object.keys(post.responses).sort()).toEqual(
      ['201', '400', '401', '403', '409', '413', '422', '429', '502', '503', '504'].sort(),
    );
    expect(post.parameters).toEqual([
      expect.objectContaining({ in: 'header', name: 'Idempotency-Key', required: false }),
    ]);
    expect(doc.components.securitySchemes.handoffKey).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    const { CallRecord, HandoffRequest, Handoff } = doc.components.schemas;
    // Optional and nullable, so apps that predate it ignore it.
    const callHandoff = CallRecord.properties.handoff;
    expect(CallRecord.required).not.toContain('handoff');
    expect(callHandoff.type).toEqual(['object', 'null']);
    expect(callHandoff.required).toEqual(
      expect.arrayContaining(['id', 'key_label', 'summary', 'intent', 'language', 'transcript']),
    );
    expect(callHandoff.properties.transcript.items).toEqual({
      $ref: '#/components/schemas/TranscriptTurn',
    });
    expect(HandoffRequest.required).toEqual(['caller']);
    expect(Handoff.required).toEqual(
      expect.arrayContaining([
        'handoff_id',
        'ticket_id',
        'header',
        'sip_uri',
        'expires_at',
        'caller',
      ]),
    );
  });
});
