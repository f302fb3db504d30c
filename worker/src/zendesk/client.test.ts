import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { forgetBudgetRefusals } from './budget';
import {
  CREDENTIAL,
  TOKEN,
  rejection,
  notFound,
  scriptedClient,
  ticket,
  user,
  zendeskJson,
  zendeskRateLimited,
} from './fake-zendesk';

beforeEach(async () => {
  await env.DB.prepare('DELETE FROM zendesk_budget').run();
  forgetBudgetRefusals(env.DB);
});

describe('requests', () => {
  it('authenticates with Basic email/token:apiToken and asks for JSON', async () => {
    const { client, zd } = scriptedClient([zendeskJson(200, { ticket })]);
    expect(await client.showTicket(35436)).toMatchObject({ id: 35436, status: 'open' });
    const [req] = zd.seen;
    expect(req?.url).toBe('https://acme.zendesk.com/api/v2/tickets/35436.json');
    expect(req?.method).toBe('GET');
    expect(req?.headers.get('Authorization')).toBe(`Basic ${CREDENTIAL}`);
    expect(atob(CREDENTIAL)).toBe('bridge@example.com/token:sEcReTtOkEn0123456789abcdefXYZ');
    expect(req?.headers.get('Accept')).toBe('application/json');
    expect(req?.headers.get('Content-Type')).toBeNull();
  });

  it('shows many tickets in one request; absent ids are simply not in the answer', async () => {
    const other = { ...ticket, id: 35437, status: 'closed' };
    const { client, zd } = scriptedClient([
      zendeskJson(200, {
        tickets: [ticket, other],
        next_page: null,
        previous_page: null,
        count: 2,
      }),
    ]);
    const shown = await client.showManyTickets([35436, 35437, 99, 35436]);
    expect(shown.map((t) => [t.id, t.status])).toEqual([
      [35436, 'open'],
      [35437, 'closed'],
    ]);
    expect(zd.seen).toHaveLength(1);
    expect(zd.seen[0]?.url).toBe(
      'https://acme.zendesk.com/api/v2/tickets/show_many.json?ids=35436,35437,99',
    );
  });

  it('refuses show_many without ids, with more than 100, or with an id that is no ticket id', async () => {
    const { client, zd } = scriptedClient([]);
    const many = Array.from({ length: 101 }, (_, i) => i + 1);
    expect((await rejection(client.showManyTickets([]))).kind).toBe('client');
    expect((await rejection(client.showManyTickets(many))).kind).toBe('client');
    expect((await rejection(client.showManyTickets([1, 0]))).kind).toBe('client');
    expect(zd.seen).toHaveLength(0);
  });

  it('creates a ticket with a JSON body', async () => {
    const { client, zd } = scriptedClient([
      zendeskJson(201, { ticket: { ...ticket, status: 'new' } }),
    ]);
    const draft = {
      subject: 'Call from +15551234567',
      comment: { body: 'Inbound call', public: false },
      requester_id: 20978392,
      tags: ['sip_bridge'],
      via_id: 34,
    };
    expect((await client.createTicket(draft)).status).toBe('new');
    expect(zd.seen[0]).toMatchObject({ method: 'POST', body: { ticket: draft } });
    expect(zd.seen[0]?.url).toBe('https://acme.zendesk.com/api/v2/tickets.json');
    expect(zd.seen[0]?.headers.get('Content-Type')).toBe('application/json');
  });

  it('lists tickets by external_id (URL-encoded) and keeps only exact matches', async () => {
    const listed = (externalId: string | null, id: number) => ({
      ...ticket,
      id,
      external_id: externalId,
    });
    const { client, zd } = scriptedClient([
      zendeskJson(200, {
        tickets: [listed('sipbridge-handoff:ho_1', 7), listed('other', 8), listed(null, 9)],
        next_page: null,
        previous_page: null,
        count: 3,
      }),
    ]);
    const found = await client.findTicketsByExternalId('sipbridge-handoff:ho_1');
    expect(found.map((t) => [t.id, t.external_id])).toEqual([[7, 'sipbridge-handoff:ho_1']]);
    expect(zd.seen[0]).toMatchObject({ method: 'GET', body: undefined });
    expect(zd.seen[0]?.url).toBe(
      'https://acme.zendesk.com/api/v2/tickets.json?external_id=sipbridge-handoff%3Aho_1',
    );
  });

  it('creates a user', async () => {
    const { client, zd } = scriptedClient([zendeskJson(201, { user: { ...user, email: null } })]);
    const created = await client.createUser({ name: 'Caller: 15551234567', phone: '+15551234567' });
    expect(created).toEqual({
      id: 35436,
      name: 'Johnny',
      email: null,
      phone: '+15551234567',
      role: 'end-user',
      active: true,
    });
    expect(zd.seen[0]?.url).toBe('https://acme.zendesk.com/api/v2/users.json');
    expect(zd.seen[0]?.body).toEqual({
      user: { name: 'Caller: 15551234567', phone: '+15551234567' },
    });
  });

  it('adds private notes and voice comments with PUT', async () => {
    const answer = () => zendeskJson(200, { ticket, audit: { id: 1 } });
    const { client, zd } = scriptedClient([answer(), answer()]);
    await client.addComment(7, { body: 'Call ended after 42 s', public: false });
    const voice = {
      from: '+15551234567',
      to: '+15557654321',
      started_at: '2026-01-01T12:00:00Z',
      call_duration: 42,
    };
    await client.addVoiceComment(7, voice);
    expect(zd.seen.map((r) => [r.method, r.url, r.body])).toEqual([
      [
        'PUT',
        'https://acme.zendesk.com/api/v2/tickets/7.json',
        { ticket: { comment: { body: 'Call ended after 42 s', public: false } } },
      ],
      [
        'PUT',
        'https://acme.zendesk.com/api/v2/tickets/7.json',
        { ticket: { voice_comment: voice } },
      ],
    ]);
  });

  it('searches end users by phone suffix and keeps only user results', async () => {
    const results = [
      { ...user, result_type: 'user' },
      { ...ticket, result_type: 'ticket' },
    ];
    const { client, zd } = scriptedClient([
      zendeskJson(200, { results, count: 2, next_page: null, previous_page: null }),
    ]);
    const users = await client.searchEndUsersByPhone('5551234567');
    expect(users.map((u) => u.id)).toEqual([35436]);
    const url = new URL(zd.seen[0]!.url);
    expect(url.pathname).toBe('/api/v2/search.json');
    expect(url.searchParams.get('query')).toBe('role:end-user phone:*5551234567');
    expect(zd.seen[0]?.url).toContain('query=role%3Aend-user%20phone%3A*5551234567');
  });

  it('refuses malformed phone digits and ticket ids without sending', async () => {
    const { client, zd } = scriptedClient([]);
    for (const digits of ['+15551234567', '555', '555 123 4567', '1234567890123456']) {
      expect((await rejection(client.searchEndUsersByPhone(digits))).kind).toBe('client');
    }
    expect((await rejection(client.showTicket(0))).kind).toBe('client');
    expect((await rejection(client.addComment(1.5, { body: 'x', public: false }))).kind).toBe(
      'client',
    );
    expect(zd.seen).toHaveLength(0);
  });
});

describe('answers', () => {
  it('reads 404 RecordNotFound as a missing ticket', async () => {
    const { client } = scriptedClient([notFound()]);
    expect(await client.showTicket(20)).toBeNull();
  });

  it('maps 401 and 403 to auth', async () => {
    const { client } = scriptedClient([
      zendeskJson(401, { error: "Couldn't authenticate you" }),
      zendeskJson(403, { error: 'Forbidden', description: 'You do not have access' }),
    ]);
    const e401 = await rejection(client.showTicket(1));
    expect(e401).toMatchObject({ kind: 'auth', status: 401 });
    expect(e401.message).toContain("Couldn't authenticate you");
    expect((await rejection(client.createUser({ name: 'x', phone: '+1' }))).kind).toBe('auth');
  });

  it('summarises 422 RecordInvalid by field names only', async () => {
    const { client } = scriptedClient([
      zendeskJson(422, {
        error: 'RecordInvalid',
        description: 'Record validation errors',
        details: {
          phone: [
            { description: 'Phone 5551234 is not properly formatted', error: 'InvalidFormat' },
          ],
        },
      }),
    ]);
    const e = await rejection(client.createUser({ name: 'Caller', phone: '5551234' }));
    expect(e).toMatchObject({ kind: 'client', status: 422, path: '/api/v2/users.json' });
    expect(e.message).toContain('RecordInvalid; Record validation errors; fields: phone');
    expect(e.message).not.toContain('5551234');
  });

  it('rejects answers that do not match the schema', async () => {
    const { client } = scriptedClient([
      zendeskJson(200, { ticket: { ...ticket, status: 'archived' } }),
      zendeskJson(200, { results: [{ result_type: 'user', id: 'x' }], count: 1 }),
      new Response('<html>maintenance</html>', { status: 200 }),
    ]);
    const shape = await rejection(client.showTicket(1));
    expect(shape).toMatchObject({ kind: 'invalid_response', status: 200 });
    expect(shape.message).toContain('ticket.status');
    expect((await rejection(client.searchEndUsersByPhone('1234'))).kind).toBe('invalid_response');
    expect((await rejection(client.showTicket(1))).kind).toBe('invalid_response');
  });

  it('never puts the token in an error message, even if echoed', async () => {
    const { client } = scriptedClient(
      [
        zendeskJson(401, { error: "Couldn't authenticate you" }),
        zendeskJson(400, { error: 'InvalidValue', description: `bad token ${TOKEN}` }),
        zendeskJson(500, { error: CREDENTIAL }),
        { networkError: `connect failed for Basic ${CREDENTIAL}` },
        'hang',
        zendeskRateLimited('1'),
        zendeskJson(200, { nope: true }),
      ],
      { timeoutMs: 20 },
    );
    const messages: string[] = [];
    for (let i = 0; i < 7; i++) {
      const e = await rejection(
        client.createTicket({ subject: 's', comment: { body: 'b', public: true } }),
      );
      messages.push(e.message, String(e.stack));
    }
    expect(messages.join('\n')).not.toContain(TOKEN);
    expect(messages.join('\n')).not.toContain(CREDENTIAL);
  });
});
