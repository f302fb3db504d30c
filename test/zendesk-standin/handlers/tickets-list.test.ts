import { beforeEach, describe, expect, it } from 'vitest';
import { createZendeskStandin, type ZendeskStandin } from '../app';
import {
  ADA_LOVELACE_ID,
  CLOSED_TICKET_ID,
  DEMO_OAUTH_TOKENS,
  FIRST_NEW_TICKET_ID,
  OPEN_TICKET_ID,
  PENDING_TICKET_ID,
  SOLVED_TICKET_ID,
} from '../seed';
import { call, callJson, ORIGIN } from '../test-support';

let zendesk: ZendeskStandin;
beforeEach(() => {
  zendesk = createZendeskStandin();
});

const ids = (body: { tickets: { id: number }[] }) => body.tickets.map((t) => t.id);
const seeded = [OPEN_TICKET_ID, PENDING_TICKET_ID, SOLVED_TICKET_ID, CLOSED_TICKET_ID];

/** Creates a ticket through the API, as the bridge does, with this external id. */
async function createWithExternalId(externalId: string | null) {
  const res = await callJson(zendesk, '/api/v2/tickets.json', {
    body: {
      ticket: {
        subject: 'Handed-off call',
        comment: { body: 'From the AI agent', public: false },
        requester_id: ADA_LOVELACE_ID,
        ...(externalId === null ? {} : { external_id: externalId }),
      },
    },
  });
  expect(res.status).toBe(201);
  return res.body.ticket as { id: number; external_id: string | null };
}

describe('GET /api/v2/tickets (List Tickets)', () => {
  it('lists every ticket by id with offset pagination fields, with and without .json', async () => {
    for (const path of ['/api/v2/tickets.json', '/api/v2/tickets']) {
      const res = await callJson(zendesk, path);
      expect(res.status, path).toBe(200);
      expect(ids(res.body)).toEqual(seeded);
      expect(res.body).toMatchObject({ next_page: null, previous_page: null, count: 4 });
      // The same ticket JSON as Show Ticket, external_id included.
      const one = await callJson(zendesk, `/api/v2/tickets/${OPEN_TICKET_ID}.json`);
      expect(res.body.tickets[0]).toEqual(one.body.ticket);
      expect(res.body.tickets[0]).toMatchObject({ external_id: null });
    }
  });

  it('filters by external_id: exact matches only, several when the id is shared', async () => {
    const a = await createWithExternalId('sipbridge-handoff:ho_1');
    await createWithExternalId('sipbridge-handoff:ho_10');
    await createWithExternalId(null);
    const b = await createWithExternalId('sipbridge-handoff:ho_1');
    expect(a).toMatchObject({ id: FIRST_NEW_TICKET_ID, external_id: 'sipbridge-handoff:ho_1' });

    const res = await callJson(
      zendesk,
      `/api/v2/tickets.json?external_id=${encodeURIComponent('sipbridge-handoff:ho_1')}`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      tickets: [
        expect.objectContaining({ id: a.id, external_id: 'sipbridge-handoff:ho_1' }),
        expect.objectContaining({ id: b.id, external_id: 'sipbridge-handoff:ho_1' }),
      ],
      next_page: null,
      previous_page: null,
      count: 2,
    });
    for (const other of ['sipbridge-handoff:ho_', 'SIPBRIDGE-HANDOFF:HO_1', 'nothing']) {
      const none = await callJson(zendesk, `/api/v2/tickets.json?external_id=${other}`);
      expect(none.body, other).toEqual({
        tickets: [],
        next_page: null,
        previous_page: null,
        count: 0,
      });
    }
  });

  it('pages with page and per_page, linking the next and previous pages', async () => {
    const first = await callJson(zendesk, '/api/v2/tickets.json?per_page=3');
    expect(ids(first.body)).toEqual(seeded.slice(0, 3));
    expect(first.body).toMatchObject({
      count: 4,
      previous_page: null,
      next_page: `${ORIGIN}/api/v2/tickets.json?per_page=3&page=2`,
    });
    const second = await callJson(zendesk, '/api/v2/tickets.json?per_page=3&page=2');
    expect(ids(second.body)).toEqual(seeded.slice(3));
    expect(second.body).toMatchObject({
      next_page: null,
      previous_page: `${ORIGIN}/api/v2/tickets.json?per_page=3&page=1`,
    });
  });

  it('lists only the tickets a restricted agent may see, and refuses end-users', async () => {
    const hedy = await callJson(zendesk, '/api/v2/tickets.json', {
      auth: `Bearer ${DEMO_OAUTH_TOKENS.hedyLamarr}`,
    });
    expect(hedy.status).toBe(200);
    expect(ids(hedy.body)).toEqual([PENDING_TICKET_ID]);
    expect(hedy.body.count).toBe(1);
    const endUser = await callJson(zendesk, '/api/v2/tickets.json', {
      auth: `Bearer ${DEMO_OAUTH_TOKENS.katherineJohnson}`,
    });
    expect(endUser.status).toBe(403);
  });

  it('answers 400 for cursor parameters (not modelled) and past 10,000 records', async () => {
    for (const query of ['page[size]=10', 'page=0', 'page=101&per_page=100']) {
      const res = await callJson(zendesk, `/api/v2/tickets.json?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error).toBe('InvalidPaginationParameter');
    }
  });

  it('is logged with its query, so tests can count lookups', async () => {
    await call(zendesk, '/api/v2/tickets.json?external_id=x');
    expect(zendesk.requests).toMatchObject([
      { method: 'GET', path: '/api/v2/tickets.json', query: { external_id: 'x' }, status: 200 },
    ]);
  });
});

describe('external_id on create and update', () => {
  it('stores the external id sent on create and changes it on update', async () => {
    const ticket = await createWithExternalId('crm-42');
    expect(zendesk.state.tickets.get(ticket.id)?.external_id).toBe('crm-42');
    const updated = await callJson(zendesk, `/api/v2/tickets/${ticket.id}.json`, {
      method: 'PUT',
      body: { ticket: { external_id: 'crm-43' } },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.ticket.external_id).toBe('crm-43');
    expect(updated.body.audit.events).toEqual([
      expect.objectContaining({
        field_name: 'external_id',
        value: 'crm-43',
        previous_value: 'crm-42',
      }),
    ]);
  });

  it('refuses an external id that is not a string with 422 details.external_id', async () => {
    const res = await callJson(zendesk, '/api/v2/tickets.json', {
      body: { ticket: { comment: { body: 'x' }, external_id: 42 } },
    });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.details)).toEqual(['external_id']);
    expect(zendesk.state.tickets.size).toBe(4);
  });
});
