// POST /v1/handoffs through the real router and the in-process Zendesk stand-in: the ticket an AI
// agent prepares before transferring a call (created or updated), the caller matched as calls
// are, idempotent retries, and bad input or Zendesk trouble writing nothing.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ZendeskStandin } from '@sip-bridge/zendesk-standin/app';
import {
  ADA_LOVELACE_ID,
  ALEX_RIVERA_ID,
  API_USER_ID,
  CLOSED_TICKET_ID,
  FIRST_NEW_TICKET_ID,
  OPEN_TICKET_ID,
  SAM_RIVERA_ID,
  TICKET_FIELD_IDS,
} from '@sip-bridge/zendesk-standin/seed';
import {
  adminFetch,
  createTestKey,
  createTestLine,
  handoff,
  hangZendesk,
  installStandin,
  takeZendeskDown,
} from './harness';

let standin: ZendeskStandin;
let key: string;
beforeEach(async () => {
  standin = installStandin();
  await env.DB.exec(
    'DELETE FROM handoffs; DELETE FROM api_key_minutes; DELETE FROM lines; DELETE FROM caller_matches; ' +
      'DELETE FROM zendesk_budget; DELETE FROM line_creations',
  );
  await createTestLine();
  key = (await createTestKey()).secret;
});

const full = {
  caller: { phone: '(415) 555-0100', name: 'Ada Lovelace', email: 'ada@example.com' },
  subject: 'Router keeps rebooting after the update',
  summary: 'Router X2 reboots every few minutes since firmware 4.2. Tried a factory reset.',
  transcript: [
    { role: 'agent', text: 'Hello, how can I help?', at: '2026-11-21T09:30:01Z' },
    { role: 'caller', text: 'My router keeps rebooting.', at: '2026-11-21T09:30:05Z' },
    { role: 'agent', text: 'Let me get you to a person.', at: '2026-11-21T09:31:40Z' },
  ],
  intent: 'technical_support',
  language: 'en-US',
  tags: ['vip', 'router'],
  custom_fields: [
    { id: TICKET_FIELD_IDS.product, value: 'router_x2' },
    { id: TICKET_FIELD_IDS.orderNumber, value: 'A-7741' },
    { id: TICKET_FIELD_IDS.callbackRequested, value: true },
  ],
  priority: 'high',
};

const count = async (table: string) =>
  (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table}`).first<{ n: number }>())!.n;
/** POSTs and PUTs to Zendesk: tickets and users created or changed. */
const zendeskWrites = () => standin.requests.filter((r) => r.method !== 'GET').length;
const lastComment = (ticketId: number) => standin.state.comments.get(ticketId)!.at(-1)!;

describe('a handoff that creates the ticket', () => {
  it('makes a via_id 34 ticket with the handoff as one private note, tags, fields and priority', async () => {
    const res = await handoff(full, { key });
    expect(res.status).toBe(201);
    const created = Date.parse(res.body.created_at);
    expect(res.body).toEqual({
      handoff_id: expect.stringMatching(/^ho_[0-9a-f]{24}$/),
      line: 'ai-agent',
      ticket_id: FIRST_NEW_TICKET_ID,
      ticket: 'created',
      header: `X-Zendesk-Ticket-Id: ${FIRST_NEW_TICKET_ID}`,
      sip_uri: null,
      expires_at: new Date(created + 10 * 60_000).toISOString(),
      caller: {
        e164: '+14155550100',
        match: 'matched',
        user_id: ADA_LOVELACE_ID,
        candidates: [],
        requester: 'matched',
        requester_note: null,
      },
      created_at: expect.any(String),
    });

    const ticket = standin.state.tickets.get(FIRST_NEW_TICKET_ID)!;
    expect(ticket).toMatchObject({
      subject: full.subject,
      requester_id: ADA_LOVELACE_ID,
      via_id: 34,
      priority: 'high',
      custom_fields: [
        { id: TICKET_FIELD_IDS.orderNumber, value: 'A-7741' },
        { id: TICKET_FIELD_IDS.product, value: 'router_x2' },
        { id: TICKET_FIELD_IDS.callbackRequested, value: true },
      ],
    });
    expect(ticket.tags).toEqual([
      'sip_bridge',
      'sip_line_ai_agent',
      'sip_caller_matched',
      'sip_handoff',
      'vip',
      'router',
    ]);
    const comments = standin.state.comments.get(FIRST_NEW_TICKET_ID)!;
    expect(comments).toHaveLength(1);
    expect(comments[0]).toMatchObject({ public: false, author_id: API_USER_ID });
    const note = comments[0]!.body;
    for (const part of [
      'Handoff from an AI agent (Acme Voice AI) on line "AI agent hand-off" (ai-agent)',
      'Caller: +1 415 555 0100 · Ada Lovelace · ada@example.com',
      `Caller match: matched user #${ADA_LOVELACE_ID}`,
      'Intent: technical_support',
      'Language: en-US',
      `Summary\n${full.summary}`,
      'Transcript (times in UTC)',
      '[09:30:01] AI agent: Hello, how can I help?',
      '[09:30:05] Caller: My router keeps rebooting.',
      `Handoff ${res.body.handoff_id} through the SIP bridge.`,
    ]) {
      expect(note).toContain(part);
    }
    const row = await env.DB.prepare('SELECT * FROM handoffs WHERE id = ?')
      .bind(res.body.handoff_id)
      .first<Record<string, any>>();
    expect(row).toMatchObject({
      status: 'completed',
      ticket_id: FIRST_NEW_TICKET_ID,
      requester_id: ADA_LOVELACE_ID,
      caller_e164: '+14155550100',
      key_label: 'Acme Voice AI',
      intent: 'technical_support',
    });
    expect(JSON.parse(row!.transcript)).toHaveLength(3);
  });

  it("answers the line's edge address as sip_uri once an admin sets it", async () => {
    const patched = await adminFetch('/v1/admin/lines/ai-agent', {
      method: 'PATCH',
      body: { edge_sip_uri: 'sip:ai-agent@edge.example.com' },
    });
    expect(((await patched.json()) as any).line.edge_sip_uri).toBe('sip:ai-agent@edge.example.com');
    const res = await handoff({ caller: { phone: '+14155550100' } }, { key });
    expect(res.body.sip_uri).toBe('sip:ai-agent@edge.example.com');
  });

  it('needs only the phone: a default subject, no note sections for what was not sent', async () => {
    const res = await handoff({ caller: { phone: '+1 415 555 0100' } }, { key });
    expect(res.status).toBe(201);
    expect(standin.state.tickets.get(res.body.ticket_id)?.subject).toBe(
      'Call from +1 415 555 0100',
    );
    const note = lastComment(res.body.ticket_id).body;
    expect(note).not.toContain('Transcript');
    expect(note).not.toContain('Summary');
  });

  it('escapes everything it writes into the note', async () => {
    const res = await handoff(
      {
        caller: { phone: '+14155550100', name: '<img src=x onerror=alert(1)>' },
        summary: 'a & b <script>alert("x")</script>',
        transcript: [{ role: 'caller', text: "it's <b>broken</b>\nsecond line" }],
      },
      { key },
    );
    expect(res.status).toBe(201);
    const html = lastComment(res.body.ticket_id).html_body!;
    expect(html).not.toMatch(/<script|<img|<b>/);
    expect(html).toContain('a &amp; b &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('it&#39;s &lt;b&gt;broken&lt;/b&gt;<br>second line');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('creates the requester for an unknown caller on a line that creates tickets', async () => {
    await adminFetch('/v1/admin/lines/ai-agent', {
      method: 'PATCH',
      body: { create_ticket: true },
    });
    const users = standin.state.users.size;
    const res = await handoff(
      {
        caller: {
          phone: '202-555-0143',
          name: 'Grace Kim',
          email: 'grace.kim@example.com',
          external_id: 'crm-881',
        },
      },
      { key },
    );
    expect(res.status).toBe(201);
    expect(standin.state.users.size).toBe(users + 1);
    const user = [...standin.state.users.values()].at(-1)!;
    expect(user).toMatchObject({
      name: 'Grace Kim',
      email: 'grace.kim@example.com',
      phone: '+12025550143',
      external_id: 'crm-881',
      role: 'end-user',
    });
    expect(res.body.caller).toMatchObject({
      match: 'no_match',
      user_id: user.id,
      requester: 'created',
      requester_note: null,
    });
    expect(standin.state.tickets.get(res.body.ticket_id)?.requester_id).toBe(user.id);
    expect(lastComment(res.body.ticket_id).body).toContain(
      `no Zendesk user had this number; created user #${user.id}`,
    );
  });

  // Over the line's creation cap the handoff is refused (429): handoff-creation-cap.test.ts.
  it.each([
    ['does not create tickets', {}, 'the line does not create users (create_ticket is off)'],
  ])('creates no requester when the line %s', async (_label, line, note) => {
    await adminFetch('/v1/admin/lines/ai-agent', { method: 'PATCH', body: line });
    const users = standin.state.users.size;
    const res = await handoff({ caller: { phone: '+12025550143' } }, { key });
    expect(res.status).toBe(201);
    expect(standin.state.users.size).toBe(users);
    expect(res.body.caller).toMatchObject({
      match: 'no_match',
      user_id: null,
      requester: 'none',
      requester_note: note,
    });
    // Zendesk makes the API user the requester of a ticket without one.
    expect(standin.state.tickets.get(res.body.ticket_id)?.requester_id).toBe(API_USER_ID);
  });

  it('reports an ambiguous caller with the candidates and guesses no requester', async () => {
    await adminFetch('/v1/admin/lines/ai-agent', {
      method: 'PATCH',
      body: { create_ticket: true },
    });
    const users = standin.state.users.size;
    const res = await handoff({ caller: { phone: '+14155550199' } }, { key });
    expect(res.status).toBe(201);
    expect(res.body.caller).toMatchObject({
      match: 'ambiguous',
      user_id: null,
      requester: 'none',
      requester_note: 'several users share this phone; an agent chooses',
    });
    expect(res.body.caller.candidates.map((c: { id: number }) => c.id).sort()).toEqual(
      [SAM_RIVERA_ID, ALEX_RIVERA_ID].sort(),
    );
    const ticket = standin.state.tickets.get(res.body.ticket_id)!;
    expect(ticket.requester_id).toBe(API_USER_ID);
    expect(ticket.tags).toContain('sip_caller_ambiguous');
    expect(standin.state.users.size).toBe(users);
    expect(lastComment(ticket.id).body).toContain('ambiguous, 2 users share this number');
  });
});

describe('a handoff that updates a ticket', () => {
  it('adds the private note, keeps the ticket tags and sets fields and priority', async () => {
    const tickets = standin.state.tickets.size;
    const res = await handoff({ ...full, ticket_id: String(OPEN_TICKET_ID) }, { key });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      ticket_id: OPEN_TICKET_ID,
      ticket: 'updated',
      header: `X-Zendesk-Ticket-Id: ${OPEN_TICKET_ID}`,
      caller: { match: 'matched', user_id: ADA_LOVELACE_ID, requester: 'unchanged' },
    });
    expect(standin.state.tickets.size).toBe(tickets);
    const ticket = standin.state.tickets.get(OPEN_TICKET_ID)!;
    expect(ticket.tags).toEqual([
      'hardware',
      'sip_bridge',
      'sip_line_ai_agent',
      'sip_caller_matched',
      'sip_handoff',
      'vip',
      'router',
    ]);
    expect(ticket).toMatchObject({ priority: 'high', requester_id: ADA_LOVELACE_ID });
    expect(ticket.custom_fields).toContainEqual({
      id: TICKET_FIELD_IDS.product,
      value: 'router_x2',
    });
    expect(lastComment(OPEN_TICKET_ID)).toMatchObject({ public: false });
    expect(lastComment(OPEN_TICKET_ID).body).toContain(
      '[09:31:40] AI agent: Let me get you to a person.',
    );
    // The subject is the ticket's own.
    expect(ticket.subject).toBe('Router keeps rebooting');
  });

  it('takes the ticket id as an integer too', async () => {
    const res = await handoff(
      { caller: { phone: '+14155550100' }, ticket_id: OPEN_TICKET_ID },
      { key },
    );
    expect(res.body).toMatchObject({ ticket_id: OPEN_TICKET_ID, ticket: 'updated' });
  });

  it.each([
    ['a closed ticket', CLOSED_TICKET_ID, 'is closed'],
    ['an unknown ticket', 424242, 'no such ticket in Zendesk'],
  ])('refuses %s with 422 ticket_id, writing nothing', async (_label, ticketId, message) => {
    const comments = standin.state.commentCount(CLOSED_TICKET_ID);
    const res = await handoff({ caller: { phone: '+14155550100' }, ticket_id: ticketId }, { key });
    expect(res.status).toBe(422);
    expect(res.body.issues).toEqual([
      { path: 'ticket_id', message: expect.stringContaining(message) },
    ]);
    expect(zendeskWrites()).toBe(0);
    expect(standin.state.commentCount(CLOSED_TICKET_ID)).toBe(comments);
    expect(await count('handoffs')).toBe(0);
  });

  it('refuses an id no Zendesk ticket can have without asking Zendesk', async () => {
    const res = await handoff(
      { caller: { phone: '+14155550100' }, ticket_id: '9007199254740993' },
      { key },
    );
    expect(res.status).toBe(422);
    expect(res.body.issues).toEqual([
      { path: 'ticket_id', message: 'must be a Zendesk ticket id, 1 to 9007199254740991' },
    ]);
    expect(standin.requests).toHaveLength(0);
  });

  it('reads the ticket again when it changed meanwhile, and keeps what changed', async () => {
    // Another update lands between the bridge's read and its write: the safe update refuses it.
    const realFetch = globalThis.fetch;
    let raced = false;
    globalThis.fetch = async (input, init) => {
      const req = new Request(input as RequestInfo, init);
      if (!raced && req.method === 'PUT') {
        raced = true;
        const ticket = standin.state.tickets.get(OPEN_TICKET_ID)!;
        ticket.tags = [...ticket.tags, 'added_meanwhile'];
        ticket.updatedAt += 5000;
      }
      return realFetch(req);
    };
    try {
      const res = await handoff(
        { caller: { phone: '+14155550100' }, ticket_id: OPEN_TICKET_ID },
        { key },
      );
      expect(res.status).toBe(201);
    } finally {
      globalThis.fetch = realFetch;
    }
    expect(standin.requests.filter((r) => r.method === 'PUT').map((r) => r.status)).toEqual([
      409, 200,
    ]);
    expect(standin.state.tickets.get(OPEN_TICKET_ID)!.tags).toEqual(
      expect.arrayContaining(['hardware', 'added_meanwhile', 'sip_handoff']),
    );
  });
});

describe('idempotency', () => {
  it('answers a retry with the same Idempotency-Key the first answer, writing nothing again', async () => {
    const first = await handoff(full, { key, idempotencyKey: 'call-7f3e' });
    const writes = zendeskWrites();
    const again = await handoff(full, { key, idempotencyKey: 'call-7f3e' });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(first.headers.get('Idempotent-Replayed')).toBeNull();
    expect(zendeskWrites()).toBe(writes);
    expect(standin.state.tickets.size).toBe(5);
    expect(await count('handoffs')).toBe(1);
  });

  it('makes one ticket for concurrent copies of a request', async () => {
    const copies = await Promise.all(
      [1, 2, 3].map(() => handoff(full, { key, idempotencyKey: 'call-concurrent' })),
    );
    for (const copy of copies) expect(copy.status, JSON.stringify(copy.body)).toBe(201);
    expect(new Set(copies.map((c) => c.body.ticket_id)).size).toBe(1);
    expect(standin.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(standin.state.tickets.size).toBe(5);
  });

  it('refuses the same key with another request: 422 idempotency_key_reused', async () => {
    await handoff(full, { key, idempotencyKey: 'call-1' });
    const other = await handoff(
      { ...full, summary: 'Another call' },
      { key, idempotencyKey: 'call-1' },
    );
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({
      error: 'idempotency_key_reused',
      issues: [{ path: 'Idempotency-Key', message: expect.any(String) }],
    });
    expect(standin.state.tickets.size).toBe(5);
  });

  it('scopes keys to the line, and makes a new handoff for each request without one', async () => {
    await createTestLine({ slug: 'carrier-b', name: 'Carrier B' });
    const other = (await createTestKey('carrier-b')).secret;
    const a = await handoff(full, { key, idempotencyKey: 'shared' });
    const b = await handoff(full, { key: other, idempotencyKey: 'shared' });
    expect(b.body.ticket_id).not.toBe(a.body.ticket_id);
    const c = await handoff(full, { key });
    const d = await handoff(full, { key });
    expect(new Set([a, b, c, d].map((r) => r.body.ticket_id)).size).toBe(4);
  });

  it('refuses a malformed Idempotency-Key with 400, naming the header', async () => {
    const res = await handoff(full, { key, idempotencyKey: 'has spaces in it' });
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([{ path: 'Idempotency-Key', message: expect.any(String) }]);
    expect(standin.requests).toHaveLength(0);
  });

  it('after a failed attempt, a retry with the same key makes the handoff, with one user', async () => {
    await adminFetch('/v1/admin/lines/ai-agent', {
      method: 'PATCH',
      body: { create_ticket: true },
    });
    const body = { caller: { phone: '+12025550143', name: 'Grace Kim' } };
    const users = standin.state.users.size;
    standin.setFaults({ serverError: { count: 1, status: 500 }, failPaths: '^/api/v2/tickets' });
    const failed = await handoff(body, { key, idempotencyKey: 'retry-me' });
    expect(failed.status).toBe(503);
    // Its claim is kept, released: a 500 may come after Zendesk made the ticket, so the retry
    // looks for it (handoff-retries.test.ts) before making it.
    expect(await count("handoffs WHERE status = 'pending' AND released_at IS NOT NULL")).toBe(1);
    // The user made just before the failure is the caller: the retry matches it, not a new one.
    const retried = await handoff(body, { key, idempotencyKey: 'retry-me' });
    expect(retried.status).toBe(201);
    expect(standin.state.users.size).toBe(users + 1);
    expect(retried.body.caller).toMatchObject({ match: 'matched', requester: 'matched' });
    expect(standin.state.tickets.size).toBe(5);
  });
});

describe('bad input writes nothing', () => {
  const expectNothingWritten = async () => {
    expect(zendeskWrites()).toBe(0);
    expect(standin.state.tickets.size).toBe(4);
    expect(await count('handoffs')).toBe(0);
  };

  const phone = '+14155550100';
  it.each([
    ['a missing phone', 'caller.phone', { caller: { name: 'Ada' } }],
    ['a phone that is no number', 'caller.phone', { caller: { phone: 'call me maybe' } }],
    ['a phone too short for the line country', 'caller.phone', { caller: { phone: '555-01' } }],
    ['a withheld caller', 'caller.phone', { caller: { phone: 'anonymous' } }],
    ['no caller', 'caller', { summary: 'x' }],
    ['an unknown field', '', { caller: { phone }, colour: 'red' }],
    [
      'a bad role',
      'transcript[0].role',
      { caller: { phone }, transcript: [{ role: 'bot', text: 'x' }] },
    ],
    ['a bad tag', 'tags[0]', { caller: { phone }, tags: ['Has Space'] }],
    ['a bad priority', 'priority', { caller: { phone }, priority: 'asap' }],
    ['a bad language', 'language', { caller: { phone }, language: 'english!' }],
    [
      'a bad time',
      'transcript[0].at',
      { caller: { phone }, transcript: [{ role: 'caller', text: 'x', at: 'noon' }] },
    ],
  ])('%s: 422 naming %s', async (_label, path, body) => {
    const res = await handoff(body, { key });
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('invalid_request');
    expect(res.body.issues.map((i: { path: string }) => i.path)).toContain(path);
    await expectNothingWritten();
  });

  it('refuses a body that is not JSON with 400 invalid_json', async () => {
    const res = await handoff('{"caller": ', { key });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_json');
    await expectNothingWritten();
  });

  it.each([
    ['too many turns', Array.from({ length: 301 }, () => ({ role: 'caller', text: 'hi' }))],
    [
      'too much text',
      [
        { role: 'caller', text: 'x'.repeat(15_000) },
        { role: 'agent', text: 'y'.repeat(5_001) },
      ],
    ],
  ])('refuses a transcript with %s: 413 naming transcript', async (_label, transcript) => {
    const res = await handoff({ caller: { phone: '+14155550100' }, transcript }, { key });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({
      error: 'payload_too_large',
      issues: [
        { path: 'transcript', message: 'at most 300 turns and 20000 characters of text in all' },
      ],
    });
    expect(standin.requests).toHaveLength(0);
    await expectNothingWritten();
  });

  it('takes a transcript right at the bounds', async () => {
    const transcript = [
      ...Array.from({ length: 299 }, () => ({ role: 'caller', text: 'a' })),
      { role: 'agent', text: 'b'.repeat(20_000 - 299) },
    ];
    const res = await handoff({ caller: { phone: '+14155550100' }, transcript }, { key });
    expect(res.status).toBe(201);
  });

  it.each([
    [
      'an id Zendesk does not know',
      [{ id: 424242, value: 'x' }],
      'custom_fields[0].id',
      'no ticket field with this id in Zendesk',
    ],
    [
      'a system field',
      [{ id: 360000001, value: 'x' }],
      'custom_fields[0].id',
      'is a system field, not a custom one',
    ],
    [
      'an inactive field',
      [{ id: TICKET_FIELD_IDS.retiredCode, value: 'x' }],
      'custom_fields[0].id',
      'is an inactive ticket field',
    ],
    [
      'a repeated field',
      [
        { id: TICKET_FIELD_IDS.orderNumber, value: 'a' },
        { id: TICKET_FIELD_IDS.orderNumber, value: 'b' },
      ],
      'custom_fields[1].id',
      'repeats custom_fields[0].id',
    ],
    [
      'a value outside a drop-down',
      [{ id: TICKET_FIELD_IDS.product, value: 'Mesh Pro' }],
      'custom_fields[0].value',
      'option tags',
    ],
    [
      'a text for a checkbox',
      [{ id: TICKET_FIELD_IDS.callbackRequested, value: 'yes' }],
      'custom_fields[0].value',
      'true or false',
    ],
    [
      'an unknown multi-select tag',
      [{ id: TICKET_FIELD_IDS.topics, value: ['billing', 'weather'] }],
      'custom_fields[0].value',
      'option tags',
    ],
    [
      'a text for an integer',
      [{ id: TICKET_FIELD_IDS.contractNumber, value: 'twelve' }],
      'custom_fields[0].value',
      'whole number',
    ],
  ])('refuses %s: 422 naming the entry', async (_label, customFields, path, message) => {
    const res = await handoff(
      { caller: { phone: '+14155550100' }, custom_fields: customFields },
      { key },
    );
    expect(res.status).toBe(422);
    expect(res.body.issues).toEqual([{ path, message: expect.stringContaining(message) }]);
    await expectNothingWritten();
  });

  it('asks Zendesk for the ticket fields once, then uses its copy', async () => {
    const body = {
      caller: { phone: '+14155550100' },
      custom_fields: [{ id: TICKET_FIELD_IDS.orderNumber, value: 'A-1' }],
    };
    expect((await handoff(body, { key })).status).toBe(201);
    expect((await handoff(body, { key })).status).toBe(201);
    expect(standin.requests.filter((r) => r.path.startsWith('/api/v2/ticket_fields'))).toHaveLength(
      1,
    );
  });

  it('echoes nothing of what was sent in its errors', async () => {
    const canary = 'canary5ecret9f2e7b';
    const res = await handoff(
      {
        caller: { phone: canary, email: canary },
        language: canary,
        tags: [canary.toUpperCase()],
        custom_fields: [{ id: 424242, value: canary }],
        [canary]: 1,
      },
      { key },
    );
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body).toLowerCase()).not.toContain('5ecret');
  });
});

describe('when Zendesk is slow or down', () => {
  it('answers 504 within its budget when Zendesk hangs, writing nothing', async () => {
    const held = hangZendesk();
    const res = await handoff(full, { key, idempotencyKey: 'slow' });
    // A hung Zendesk never answers: a 504 can only come from the handoff's own deadline.
    expect(res.status).toBe(504);
    expect(res.body.error).toBe('zendesk_timeout');
    expect(res.body.message).toContain('transfer the call without the header');
    // Nothing is left hanging: every request Zendesk was sent is given up at the deadline.
    expect(held.asked).toBeGreaterThan(0);
    expect(held.givenUp).toBe(held.asked);
    expect(await count('handoffs')).toBe(0);
  }, 15_000);

  it.each([
    ['unreachable', () => takeZendeskDown(), '5'],
    ['failing (503)', () => standin.setFaults({ serverError: { count: 50, status: 503 } }), '5'],
    [
      'rate limiting (429)',
      () => standin.setFaults({ rateLimit: { count: 50, retryAfter: 30 } }),
      '30',
    ],
  ])(
    'answers 503 with Retry-After when Zendesk is %s, writing nothing',
    async (_label, breakIt, retryAfter) => {
      breakIt();
      const res = await handoff(full, { key });
      expect(res.status).toBe(503);
      expect(res.body.error).toBe('zendesk_unavailable');
      expect(res.headers.get('Retry-After')).toBe(retryAfter);
      expect(standin.state.tickets.size).toBe(4);
      expect(await count('handoffs')).toBe(0);
    },
  );
});
