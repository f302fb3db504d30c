import { beforeEach, describe, expect, it } from 'vitest';
import { createZendeskStandin, type ZendeskStandin } from '../app';
import { CLOSED_TICKET_ID, OPEN_TICKET_ID } from '../seed';
import { callJson } from '../test-support';

let zendesk: ZendeskStandin;
beforeEach(() => {
  zendesk = createZendeskStandin();
});

const addTags = (id: number, body: unknown) =>
  callJson(zendesk, `/api/v2/tickets/${id}/tags.json`, { method: 'PUT', body });

describe('PUT /api/v2/tickets/{id}/tags (Add Tags)', () => {
  it("adds to the ticket's own tags, once each, and answers them all", async () => {
    const first = await addTags(OPEN_TICKET_ID, { tags: ['intent_billing', 'vip'] });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ tags: ['hardware', 'intent_billing', 'vip'] });
    const again = await addTags(OPEN_TICKET_ID, { tags: ['vip'] });
    expect(again.body).toEqual({ tags: ['hardware', 'intent_billing', 'vip'] });
    expect(zendesk.state.tickets.get(OPEN_TICKET_ID)!.tags).toEqual([
      'hardware',
      'intent_billing',
      'vip',
    ]);
  });

  it('refuses a closed ticket with 422 and changes nothing', async () => {
    const before = [...zendesk.state.tickets.get(CLOSED_TICKET_ID)!.tags];
    const res = await addTags(CLOSED_TICKET_ID, { tags: ['late'] });
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('RecordInvalid');
    expect(zendesk.state.tickets.get(CLOSED_TICKET_ID)!.tags).toEqual(before);
  });

  it('answers 400 without tags, 422 for tags that are not strings, 404 for an unknown ticket', async () => {
    expect((await addTags(OPEN_TICKET_ID, {})).status).toBe(400);
    expect((await addTags(OPEN_TICKET_ID, { tags: [1] })).status).toBe(422);
    expect((await addTags(999_999, { tags: ['x'] })).status).toBe(404);
  });
});
