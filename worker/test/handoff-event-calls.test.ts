// A handed-off call whose decision never reached the Worker (the edge relayed it, failing open)
// is recorded from its lifecycle events, whose facts carry the edge-validated X-Zendesk-Ticket-Id:
// such a record is linked to the handoff of that ticket on its line, as a decision would have.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ZendeskStandin } from '@sip-bridge/zendesk-standin/app';
import {
  appFetch,
  callRow,
  createTestKey,
  createTestLine,
  edgeFetch,
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
    'DELETE FROM calls; DELETE FROM call_events; DELETE FROM handoffs; DELETE FROM api_key_minutes; ' +
      'DELETE FROM lines; DELETE FROM caller_matches',
  );
  await createTestLine();
  key = (await createTestKey('ai-agent', { label: 'Acme Voice AI (prod)' })).secret;
});

const adaHandoff = {
  caller: { phone: '+14155550100' },
  summary: 'Charged twice in December; wants a refund.',
  intent: 'billing_dispute',
};

/**
 * The call's events as the edge sends them when its decision never reached the Worker: the first
 * one carries the INVITE's facts (which never say when the INVITE came).
 */
async function eventsOnly(facts: ReturnType<typeof invite>, answeredAt = new Date().toISOString()) {
  const res = await edgeFetch('/v1/edge/events', {
    events: [{ call_id: facts.call_id, kind: 'answered', at: answeredAt, call: facts }],
  });
  expect(res.status).toBe(200);
  const { results } = (await res.json()) as { results: { status: string }[] };
  expect(results.map((r) => r.status)).toEqual(['applied']);
  return callRow(facts.call_id);
}

async function handedOff() {
  const made = await handoff(adaHandoff, { key });
  expect(made.status).toBe(201);
  return made.body;
}

describe('a call recorded from its events only', () => {
  it('is linked to the handoff of its ticket header, without asking Zendesk', async () => {
    const made = await handedOff();
    const before = zendeskRequests(standin);
    const facts = invite({ ticket_id: String(made.ticket_id) });
    const row = await eventsOnly(facts);
    expect(zendeskRequests(standin)).toBe(before);
    expect(row).toMatchObject({
      status: 'answered',
      handoff_id: made.handoff_id,
      ticket_id: made.ticket_id,
      passed_ticket_id: String(made.ticket_id),
      ticket_link: 'passed',
      ticket_requester_mismatch: 0,
      match_result: 'unavailable',
    });
    expect(JSON.parse(row!.degraded)).toEqual(['decision:not_received']);

    // The sidebar sees the handoff beside the call.
    const res = await appFetch(`/v1/tickets/${made.ticket_id}/calls`);
    const { calls } = (await res.json()) as {
      calls: { call_id: string; handoff: { id: string; summary: string } | null }[];
    };
    expect(calls.find((c) => c.call_id === facts.call_id)?.handoff).toMatchObject({
      id: made.handoff_id,
      summary: adaHandoff.summary,
    });
  });

  it("from another number (the AI platform's own) is linked, the requester check unknown", async () => {
    const made = await handedOff();
    const facts = invite({
      ticket_id: String(made.ticket_id),
      from: '"Acme AI" <sip:+12025550199@voice.acme.example>;tag=7',
    });
    expect(await eventsOnly(facts)).toMatchObject({
      handoff_id: made.handoff_id,
      ticket_link: 'passed',
      ticket_requester_mismatch: null,
    });
  });

  it('is linked when its first event came before the handoff expired, though it is sent later', async () => {
    const made = await handedOff();
    // The edge kept the events while the Worker was unreachable: the handoff was made 15 minutes
    // ago and expired 5 minutes ago; the call was answered 10 minutes ago.
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    await env.DB.prepare('UPDATE handoffs SET created_at = ?, expires_at = ? WHERE id = ?')
      .bind(minutesAgo(15), minutesAgo(5), made.handoff_id)
      .run();
    const answeredAt = minutesAgo(10);
    const facts = invite({ ticket_id: String(made.ticket_id) });
    expect((await eventsOnly(facts, answeredAt))?.handoff_id).toBe(made.handoff_id);
  });
});

describe('a call recorded from its events only is not linked', () => {
  it('when its first event came after the handoff expired', async () => {
    const made = await handedOff();
    await env.DB.prepare('UPDATE handoffs SET expires_at = ? WHERE id = ?')
      .bind(new Date(Date.now() - 1000).toISOString(), made.handoff_id)
      .run();
    const row = await eventsOnly(invite({ ticket_id: String(made.ticket_id) }));
    expect(row).toMatchObject({ handoff_id: null, ticket_link: 'passed_unverified' });
  });

  it('when it came before the handoff was made', async () => {
    const made = await handedOff();
    const earlier = new Date(Date.parse(made.created_at) - 60_000).toISOString();
    const row = await eventsOnly(invite({ ticket_id: String(made.ticket_id) }), earlier);
    expect(row).toMatchObject({ handoff_id: null, ticket_link: 'passed_unverified' });
  });

  it('on another line', async () => {
    await createTestLine({ slug: 'carrier-b', name: 'Carrier B' });
    const made = await handedOff();
    const row = await eventsOnly(invite({ line: 'carrier-b', ticket_id: String(made.ticket_id) }));
    expect(row).toMatchObject({ handoff_id: null, ticket_link: 'passed_unverified' });
  });

  it('without a ticket header', async () => {
    await handedOff();
    expect(await eventsOnly(invite())).toMatchObject({ handoff_id: null, ticket_link: 'none' });
  });
});
