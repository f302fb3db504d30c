import { beforeEach, describe, expect, it } from 'vitest';
import { createZendeskStandin, type ZendeskStandin } from '../app';
import {
  ADA_LOVELACE_ID,
  CLOSED_TICKET_ID,
  DEMO_OAUTH_TOKENS,
  OPEN_TICKET_ID,
  PENDING_TICKET_ID,
  SOLVED_TICKET_ID,
} from '../seed';
import { callJson, ORIGIN } from '../test-support';

let zendesk: ZendeskStandin;
beforeEach(() => {
  zendesk = createZendeskStandin();
});

const bearer = (token: string) => ({ auth: `Bearer ${token}` });
const ids = (body: { tickets: { id: number }[] }) => body.tickets.map((t) => t.id);

describe('GET /api/v2/tickets/show_many?ids=', () => {
  it('shows the listed tickets in the order asked, with and without .json', async () => {
    for (const path of ['/api/v2/tickets/show_many.json', '/api/v2/tickets/show_many']) {
      const res = await callJson(zendesk, `${path}?ids=1003,1001,1002`);
      expect(res.status, path).toBe(200);
      expect(ids(res.body)).toEqual([SOLVED_TICKET_ID, OPEN_TICKET_ID, PENDING_TICKET_ID]);
      expect(res.body).toMatchObject({ next_page: null, previous_page: null, count: 3 });
      // The same ticket JSON as Show Ticket.
      const one = await callJson(zendesk, `/api/v2/tickets/${SOLVED_TICKET_ID}.json`);
      expect(res.body.tickets[0]).toEqual(one.body.ticket);
      expect(res.body.tickets[0].url).toBe(`${ORIGIN}/api/v2/tickets/1003.json`);
    }
  });

  it('leaves out unknown ids, repeats and ids that are not numbers, without an error', async () => {
    const res = await callJson(
      zendesk,
      `/api/v2/tickets/show_many.json?ids=${OPEN_TICKET_ID},999999,x,${OPEN_TICKET_ID},0, 1004`,
    );
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([OPEN_TICKET_ID, CLOSED_TICKET_ID]);
  });

  it('leaves out, for a group-restricted agent, the tickets of other groups: no 403 for them', async () => {
    const res = await callJson(
      zendesk,
      `/api/v2/tickets/show_many.json?ids=${OPEN_TICKET_ID},${PENDING_TICKET_ID},${SOLVED_TICKET_ID}`,
      bearer(DEMO_OAUTH_TOKENS.hedyLamarr),
    );
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([PENDING_TICKET_ID]);
    expect(JSON.stringify(res.body)).not.toContain('Router keeps rebooting');
    // An unrestricted agent sees all three.
    const grace = await callJson(
      zendesk,
      `/api/v2/tickets/show_many.json?ids=${OPEN_TICKET_ID},${PENDING_TICKET_ID},${SOLVED_TICKET_ID}`,
      bearer(DEMO_OAUTH_TOKENS.graceHopper),
    );
    expect(ids(grace.body)).toHaveLength(3);
  });

  it('refuses an end-user with 403 (the endpoint is for agents)', async () => {
    const res = await callJson(
      zendesk,
      `/api/v2/tickets/show_many.json?ids=${OPEN_TICKET_ID}`,
      bearer(DEMO_OAUTH_TOKENS.katherineJohnson),
    );
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('Forbidden');
  });

  it('reads at most the first 100 ids', async () => {
    for (let i = 0; i < 101; i += 1) {
      zendesk.addTicket({ id: 5000 + i, requester_id: ADA_LOVELACE_ID, description: `#${i}` });
    }
    const list = Array.from({ length: 101 }, (_, i) => 5000 + i).join(',');
    const res = await callJson(zendesk, `/api/v2/tickets/show_many.json?ids=${list}`);
    expect(res.body.count).toBe(100);
    expect(ids(res.body).at(-1)).toBe(5099);
  });

  it('answers 400 without ids, and 401 without credentials', async () => {
    for (const query of ['', '?ids=', '?ids=%20']) {
      const res = await callJson(zendesk, `/api/v2/tickets/show_many.json${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body).toEqual({
        error: 'ParameterMissing',
        description: 'Required parameter missing: ids',
      });
    }
    const anonymous = await callJson(zendesk, '/api/v2/tickets/show_many.json?ids=1001', {
      auth: null,
    });
    expect(anonymous.status).toBe(401);
  });

  it('is logged like every request, so tests can count it', async () => {
    await callJson(zendesk, '/api/v2/tickets/show_many.json?ids=1001,1002');
    expect(zendesk.requests).toMatchObject([
      { method: 'GET', path: '/api/v2/tickets/show_many.json', query: { ids: '1001,1002' } },
    ]);
  });
});
