import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ADA_LOVELACE_ID,
  ALEX_RIVERA_ID,
  CLOSED_TICKET_ID,
  OPEN_TICKET_ID,
  SAM_RIVERA_ID,
} from '@sip-bridge/zendesk-standin/seed';
import type { ZendeskStandin } from '@sip-bridge/zendesk-standin/app';
import {
  adminFetch,
  callRow,
  createTestLine,
  decide,
  installStandin,
  invite,
  zendeskRequests,
} from './harness';
import { flushAfterCalls } from '../src/calls/flush-after-calls';
import { zendeskFromEnv } from '../src/config';

let standin: ZendeskStandin;
beforeEach(async () => {
  standin = installStandin();
  await env.DB.exec(
    'DELETE FROM calls; DELETE FROM lines; DELETE FROM caller_matches; DELETE FROM blocked_numbers; DELETE FROM ticket_checks; DELETE FROM caller_users',
  );
});

describe('matching the caller to a Zendesk user', () => {
  it.each([
    ['one user has the number', 'sip:+14155550100@carrier.example', 'matched', ADA_LOVELACE_ID, 0],
    ['two users share the number', 'sip:+14155550199@carrier.example', 'ambiguous', null, 2],
    ['nobody has the number', 'sip:+12025550143@carrier.example', 'no_match', null, 0],
    ['the caller withheld it', 'sip:anonymous@anonymous.invalid', 'withheld', null, 0],
    ['the From user is not a number', 'sip:alice@carrier.example', 'no_match', null, 0],
  ])('%s → %s', async (_label, from, match, userId, candidates) => {
    await createTestLine();
    const req = invite({ from });
    const { status, body } = await decide(req);
    expect(status).toBe(200);
    expect(body.call.match).toBe(match);
    const row = await callRow(req.call_id);
    expect(row?.matched_user_id).toBe(userId);
    expect(JSON.parse(row?.match_candidates)).toHaveLength(candidates);
  });
});

describe('relaying a call', () => {
  it('relays to the line target with the verified ticket header and the matched caller', async () => {
    await createTestLine();
    const req = invite({ ticket_id: String(OPEN_TICKET_ID) });
    const { status, body } = await decide(req);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      action: 'relay',
      targets: ['sip:mongoose@mongoose.sip.twilio.com'],
      headers: [{ name: 'X-Zendesk-Ticket-Id', value: String(OPEN_TICKET_ID) }],
      call: {
        caller_e164: '+14155550100',
        match: 'matched',
        ticket_id: OPEN_TICKET_ID,
        ticket_link: 'passed',
        degraded: [],
      },
    });
    const row = await callRow(req.call_id);
    expect(row).toMatchObject({
      matched_user_id: ADA_LOVELACE_ID,
      caller_kind: 'e164',
      status: 'ringing',
      source_ip: '192.0.2.10',
      from_uri: req.sip.from,
    });
  });

  it.each([
    ['(415) 555-0100 in the From user part', 'sip:(415)%20555-0100@carrier.example'],
    ['a tel: URI with separators', '<tel:+1-415-555-0100>'],
    ['a national number', 'sip:4155550100@carrier.example'],
  ])('matches the same caller from %s', async (_label, from) => {
    await createTestLine();
    const { body } = await decide(invite({ from }));
    expect(body.call).toMatchObject({ caller_e164: '+14155550100', match: 'matched' });
  });

  it('records several users sharing a number as ambiguous, with candidates, and links none', async () => {
    await createTestLine();
    const req = invite({ from: 'sip:+14155550199@carrier.example' });
    const { body } = await decide(req);
    expect(body.call.match).toBe('ambiguous');
    const row = await callRow(req.call_id);
    expect(row?.matched_user_id).toBeNull();
    const ids = (JSON.parse(row?.match_candidates) as { id: number }[]).map((c) => c.id).sort();
    expect(ids).toEqual([SAM_RIVERA_ID, ALEX_RIVERA_ID].sort());
  });

  it('records an unknown number as no match', async () => {
    await createTestLine();
    const { body } = await decide(invite({ from: 'sip:+12025550143@carrier.example' }));
    expect(body.call).toMatchObject({ caller_e164: '+12025550143', match: 'no_match' });
  });

  it('handles a withheld caller without asking Zendesk', async () => {
    await createTestLine();
    const before = zendeskRequests(standin);
    const req = invite({ from: '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=9' });
    const { status, body } = await decide(req);
    expect(status).toBe(200);
    expect(body.call).toMatchObject({ caller_e164: null, match: 'withheld' });
    expect(zendeskRequests(standin)).toBe(before);
    expect((await callRow(req.call_id))?.caller_kind).toBe('withheld');
  });

  it('prefers P-Asserted-Identity over From', async () => {
    await createTestLine();
    const req = invite({ from: 'sip:anonymous@anonymous.invalid' });
    req.sip.p_asserted_identity = '<sip:+14155550100@carrier.example>';
    const { body } = await decide(req);
    expect(body.call).toMatchObject({ caller_e164: '+14155550100', match: 'matched' });
  });

  it('reads national numbers with the line country', async () => {
    await createTestLine({ slug: 'paris', default_country: 'FR' });
    const { body } = await decide(invite({ line: 'paris', from: 'sip:0612345678@carrier.fr' }));
    expect(body.call).toMatchObject({ caller_e164: '+33612345678', match: 'matched' });
  });
});

describe('rejecting a call', () => {
  it('declines a blocked caller with 603 and records it', async () => {
    await createTestLine();
    const block = await adminFetch('/v1/admin/blocked-numbers', {
      body: { number: '(415) 555-0100', reason: 'abuse' },
    });
    expect(block.status).toBe(201);
    const req = invite();
    const { body } = await decide(req);
    expect(body).toMatchObject({ action: 'reject', code: 603, reason: 'Decline', headers: [] });
    expect(await callRow(req.call_id)).toMatchObject({
      decision: 'reject',
      reject_code: 603,
      status: 'rejected',
    });
  });

  it('blocks per line: a block on another line does not apply', async () => {
    await createTestLine();
    await createTestLine({ slug: 'other' });
    await adminFetch('/v1/admin/blocked-numbers', {
      body: { number: '+14155550100', line: 'other' },
    });
    expect((await decide(invite())).body.action).toBe('relay');
    expect((await decide(invite({ line: 'other' }))).body.code).toBe(603);
  });

  it('answers 404 for a line it does not know', async () => {
    const { body } = await decide(invite({ line: 'nope' }));
    expect(body).toMatchObject({ action: 'reject', code: 404, reason: 'Line Not Found' });
  });

  it('applies a line change made through the admin API to the very next call', async () => {
    await createTestLine();
    expect((await decide(invite())).body.action).toBe('relay');
    await adminFetch('/v1/admin/lines/ai-agent', { method: 'PATCH', body: { enabled: false } });
    expect((await decide(invite())).body).toMatchObject({ action: 'reject', code: 403 });
  });

  it('answers 403 for a disabled line', async () => {
    await createTestLine({ enabled: false });
    expect((await decide(invite())).body).toMatchObject({
      action: 'reject',
      code: 403,
      reason: 'Line Disabled',
    });
  });
});

describe('a passed ticket id that is not usable', () => {
  it.each([
    ['closed', String(CLOSED_TICKET_ID)],
    ['unknown', '999999'],
  ])('drops a %s ticket so Talk makes a fresh one (drop policy)', async (_label, ticketId) => {
    await createTestLine({ invalid_ticket: 'drop' });
    const req = invite({ ticket_id: ticketId });
    const { body } = await decide(req);
    expect(body).toMatchObject({
      action: 'relay',
      headers: [],
      call: { ticket_id: null, ticket_link: 'dropped' },
    });
    expect((await callRow(req.call_id))?.passed_ticket_id).toBe(ticketId);
  });

  it('rejects a closed ticket with 410 and an unknown one with 404 (reject policy)', async () => {
    await createTestLine({ invalid_ticket: 'reject' });
    expect((await decide(invite({ ticket_id: String(CLOSED_TICKET_ID) }))).body).toMatchObject({
      action: 'reject',
      code: 410,
      reason: 'Ticket Closed',
    });
    expect((await decide(invite({ ticket_id: '999999' }))).body).toMatchObject({
      code: 404,
      reason: 'Ticket Not Found',
    });
  });
});

describe('creating the ticket', () => {
  it('creates a via_id 34 ticket with the matched requester, SIP facts and tags', async () => {
    await createTestLine({ create_ticket: true });
    const req = invite();
    const { body } = await decide(req);
    expect(body.call.ticket_link).toBe('created');
    const ticket = standin.state.tickets.get(body.call.ticket_id);
    expect(ticket).toBeDefined();
    expect(ticket).toMatchObject({ requester_id: ADA_LOVELACE_ID, via_id: 34 });
    expect(ticket!.tags).toEqual(
      expect.arrayContaining(['sip_bridge', 'sip_line_ai_agent', 'sip_caller_matched']),
    );
    expect(body.headers).toEqual([
      { name: 'X-Zendesk-Ticket-Id', value: String(body.call.ticket_id) },
    ]);
    const comments = standin.state.comments.get(body.call.ticket_id) ?? [];
    expect(comments[0]?.body).toContain(`Call-ID: ${req.call_id}`);
    expect(comments[0]?.body).toContain('Source: 192.0.2.10 (ACL 192.0.2.0/24) over UDP');
  });

  it('creates an E.164 user for an unknown caller after the answer, so the next call matches instead of duplicating', async () => {
    await createTestLine({ create_ticket: true });
    const first = await decide(invite({ from: 'sip:+12025550143@carrier.example' }));
    await flushAfterCalls(env.DB, zendeskFromEnv(env), { pollDelaysMs: [0, 0] });
    const ticket = standin.state.tickets.get(first.body.call.ticket_id)!;
    const user = standin.state.users.get(ticket.requester_id);
    expect(user).toMatchObject({ phone: '+12025550143' });
    const second = await decide(invite({ from: 'sip:+12025550143@carrier.example' }));
    expect(second.body.call).toMatchObject({ match: 'matched' });
    expect(
      [...standin.state.users.values()].filter((u) => u.phone === '+12025550143'),
    ).toHaveLength(1);
  });

  it('does not create a ticket when a valid one was passed', async () => {
    await createTestLine({ create_ticket: true });
    const before = standin.state.tickets.size;
    const { body } = await decide(invite({ ticket_id: String(OPEN_TICKET_ID) }));
    expect(body.call.ticket_link).toBe('passed');
    expect(standin.state.tickets.size).toBe(before);
  });
});

describe('idempotency per Call-ID', () => {
  it('answers a retried INVITE with the first decision and creates nothing twice', async () => {
    await createTestLine({ create_ticket: true });
    const req = invite();
    const tickets = standin.state.tickets.size;
    const first = await decide(req);
    const requests = zendeskRequests(standin);
    const again = await decide(req);
    expect(again.body).toEqual(first.body);
    expect(standin.state.tickets.size).toBe(tickets + 1);
    expect(zendeskRequests(standin)).toBe(requests);
    const n = await env.DB.prepare('SELECT COUNT(*) AS n FROM calls WHERE call_id = ?')
      .bind(req.call_id)
      .first<{ n: number }>();
    expect(n?.n).toBe(1);
  });

  it('refuses an INVITE reusing a Call-ID from another line or source: no decision, no ticket header', async () => {
    await createTestLine();
    await createTestLine({ slug: 'other', acl: [{ cidr: '198.51.100.0/24' }] });
    const original = invite({ ticket_id: String(OPEN_TICKET_ID) });
    const first = await decide(original);
    expect(first.body.headers).toEqual([
      { name: 'X-Zendesk-Ticket-Id', value: String(OPEN_TICKET_ID) },
    ]);
    for (const reuse of [
      { ...original, line: 'other', source: { ip: '198.51.100.7', port: 5060 } },
      { ...original, source: { ip: '192.0.2.99', port: 5060 } },
    ]) {
      const res = await decide(reuse);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        action: 'reject',
        code: 400,
        reason: 'Call-ID already in use',
        headers: [],
      });
    }
    // The original call's record is untouched.
    expect(await callRow(original.call_id)).toMatchObject({
      line_slug: 'ai-agent',
      source_ip: '192.0.2.10',
    });
  });

  it('makes one ticket when retransmissions arrive at the same time', async () => {
    await createTestLine({ create_ticket: true });
    standin.setFaults({ latencyMs: 100 });
    const req = invite();
    const tickets = standin.state.tickets.size;
    const answers = await Promise.all([decide(req), decide(req), decide(req)]);
    expect(standin.state.tickets.size).toBe(tickets + 1);
    const ids = new Set(answers.map((a) => a.body.call.ticket_id));
    expect(ids.size).toBe(1);
  });
});

describe('caching caller matches', () => {
  it('costs a repeat caller no Zendesk request', async () => {
    await createTestLine();
    await decide(invite());
    const after = zendeskRequests(standin);
    const { body } = await decide(invite());
    expect(body.call.match).toBe('matched');
    expect(zendeskRequests(standin)).toBe(after);
  });

  it('caches "no match" too (negative caching)', async () => {
    await createTestLine();
    await decide(invite({ from: 'sip:+12025550143@carrier.example' }));
    const after = zendeskRequests(standin);
    await decide(invite({ from: 'sip:+12025550143@carrier.example' }));
    expect(zendeskRequests(standin)).toBe(after);
  });
});
