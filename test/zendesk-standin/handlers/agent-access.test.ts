import { beforeEach, describe, expect, it } from 'vitest';
import { createZendeskStandin, type ZendeskStandin } from '../app';
import {
  BILLING_GROUP_ID,
  DEMO_OAUTH_TOKENS,
  GRACE_HOPPER_AGENT_ID,
  HEDY_LAMARR_RESTRICTED_ID,
  KATHERINE_JOHNSON_ID,
  OPEN_TICKET_ID,
  PENDING_TICKET_ID,
} from '../seed';
import { callJson } from '../test-support';

const bearer = (token: string) => `Bearer ${token}`;
const FORBIDDEN = {
  error: 'Forbidden',
  description:
    'You do not have access to this page. Please contact the account owner of this help desk for further help.',
};

let zendesk: ZendeskStandin;
beforeEach(() => {
  zendesk = createZendeskStandin();
});

describe('OAuth access tokens (Authorization: Bearer)', () => {
  it('answers GET /api/v2/users/me as the user the token was granted to', async () => {
    const res = await callJson(zendesk, '/api/v2/users/me.json', {
      auth: bearer(DEMO_OAUTH_TOKENS.hedyLamarr),
    });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({
      id: HEDY_LAMARR_RESTRICTED_ID,
      role: 'agent',
      restricted_agent: true,
      ticket_restriction: 'groups',
    });
  });

  it('tells an end-user token apart by its role', async () => {
    const res = await callJson(zendesk, '/api/v2/users/me', {
      auth: bearer(DEMO_OAUTH_TOKENS.katherineJohnson),
    });
    expect(res.body.user).toMatchObject({ id: KATHERINE_JOHNSON_ID, role: 'end-user' });
    const ticket = await callJson(zendesk, `/api/v2/tickets/${OPEN_TICKET_ID}.json`, {
      auth: bearer(DEMO_OAUTH_TOKENS.katherineJohnson),
    });
    expect(ticket.status).toBe(403);
  });

  it('answers 401 for an unknown token, and for an OAuth token sent as Basic', async () => {
    for (const auth of [bearer('not-a-token'), `Basic ${btoa(DEMO_OAUTH_TOKENS.graceHopper)}`]) {
      const res = await callJson(zendesk, '/api/v2/users/me', { auth });
      expect(res.status, auth).toBe(401);
      expect(res.body).toEqual({ error: "Couldn't authenticate you" });
    }
  });

  it('keeps Basic API-token auth answering as the API user', async () => {
    const res = await callJson(zendesk, '/api/v2/users/me');
    expect(res.status).toBe(200);
    expect(res.body.user.email).toBe('bridge@example.com');
  });

  it('accepts tokens given in the options', async () => {
    const standin = createZendeskStandin({ oauthTokens: { 'extra-token': GRACE_HOPPER_AGENT_ID } });
    const res = await callJson(standin, '/api/v2/users/me', { auth: bearer('extra-token') });
    expect(res.body.user.id).toBe(GRACE_HOPPER_AGENT_ID);
  });
});

describe('a group-restricted agent', () => {
  const hedy = { auth: bearer(DEMO_OAUTH_TOKENS.hedyLamarr) };

  it("sees their group's ticket", async () => {
    const res = await callJson(zendesk, `/api/v2/tickets/${PENDING_TICKET_ID}.json`, hedy);
    expect(res.status).toBe(200);
    expect(res.body.ticket).toMatchObject({ id: PENDING_TICKET_ID, group_id: BILLING_GROUP_ID });
  });

  it("gets 403 for another group's ticket: show, comments and update alike", async () => {
    const path = `/api/v2/tickets/${OPEN_TICKET_ID}`;
    for (const [p, init] of [
      [`${path}.json`, hedy],
      [`${path}/comments.json`, hedy],
      [`${path}.json`, { ...hedy, method: 'PUT', body: { ticket: { status: 'solved' } } }],
    ] as const) {
      const res = await callJson(zendesk, p, init);
      expect(res.status, p).toBe(403);
      expect(res.body).toEqual(FORBIDDEN);
    }
    expect(zendesk.state.tickets.get(OPEN_TICKET_ID)?.status).toBe('open');
  });

  it('gets 404 for a ticket that does not exist', async () => {
    const res = await callJson(zendesk, '/api/v2/tickets/999999.json', hedy);
    expect(res.status).toBe(404);
  });

  it('is not restricted for an unrestricted agent', async () => {
    const res = await callJson(zendesk, `/api/v2/tickets/${OPEN_TICKET_ID}.json`, {
      auth: bearer(DEMO_OAUTH_TOKENS.graceHopper),
    });
    expect(res.status).toBe(200);
  });
});
