import { beforeEach, describe, expect, it } from 'vitest';
import { createZendeskStandin, type ZendeskStandin } from '../app';
import { FIRST_NEW_TICKET_ID, OPEN_TICKET_ID, TICKET_FIELD_IDS } from '../seed';
import { callJson } from '../test-support';

let zendesk: ZendeskStandin;
beforeEach(() => {
  zendesk = createZendeskStandin();
});

const create = (ticket: Record<string, unknown>) =>
  callJson(zendesk, '/api/v2/tickets.json', {
    body: { ticket: { comment: { body: 'Handed over by the AI agent' }, ...ticket } },
  });
const update = (ticket: Record<string, unknown>) =>
  callJson(zendesk, `/api/v2/tickets/${OPEN_TICKET_ID}.json`, { method: 'PUT', body: { ticket } });

describe('custom_fields on tickets', () => {
  it('stores the values of known custom fields and shows them on the ticket', async () => {
    const res = await create({
      custom_fields: [
        { id: TICKET_FIELD_IDS.product, value: 'mesh_pro' },
        { id: TICKET_FIELD_IDS.orderNumber, value: 'A-7741' },
        { id: TICKET_FIELD_IDS.topics, value: ['billing', 'outage'] },
        { id: TICKET_FIELD_IDS.callbackRequested, value: true },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body.ticket.custom_fields).toEqual([
      { id: TICKET_FIELD_IDS.orderNumber, value: 'A-7741' },
      { id: TICKET_FIELD_IDS.product, value: 'mesh_pro' },
      { id: TICKET_FIELD_IDS.callbackRequested, value: true },
      { id: TICKET_FIELD_IDS.topics, value: ['billing', 'outage'] },
    ]);
  });

  // Zendesk's REST API is permissive: it drops what it does not know and still answers success.
  it('drops unknown, system and inactive field ids without an error', async () => {
    const res = await create({
      custom_fields: [
        { id: 424242, value: 'x' },
        { id: 360000001, value: 'a subject' },
        { id: TICKET_FIELD_IDS.retiredCode, value: 'R2' },
        { id: TICKET_FIELD_IDS.orderNumber, value: 'A-1' },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body.ticket.custom_fields).toEqual([
      { id: TICKET_FIELD_IDS.orderNumber, value: 'A-1' },
    ]);
  });

  it('drops drop-down and multi-select values that are not among the options', async () => {
    const res = await create({
      custom_fields: [
        { id: TICKET_FIELD_IDS.product, value: 'Mesh Pro' },
        { id: TICKET_FIELD_IDS.topics, value: ['billing', 'weather'] },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body.ticket.custom_fields).toEqual([]);
  });

  it('merges values on update and records each change in the audit', async () => {
    await update({ custom_fields: [{ id: TICKET_FIELD_IDS.orderNumber, value: 'A-1' }] });
    const res = await update({
      custom_fields: [{ id: TICKET_FIELD_IDS.product, value: 'router_x2' }],
    });
    expect(res.status).toBe(200);
    expect(res.body.ticket.custom_fields).toEqual([
      { id: TICKET_FIELD_IDS.orderNumber, value: 'A-1' },
      { id: TICKET_FIELD_IDS.product, value: 'router_x2' },
    ]);
    expect(res.body.audit.events).toEqual([
      expect.objectContaining({
        type: 'Change',
        field_name: String(TICKET_FIELD_IDS.product),
        value: 'router_x2',
        previous_value: null,
      }),
    ]);
  });
});

describe('priority', () => {
  it('is set on create and changed on update', async () => {
    const created = await create({ priority: 'urgent' });
    expect(created.body.ticket.priority).toBe('urgent');
    const res = await update({ priority: 'low' });
    expect(res.body.ticket.priority).toBe('low');
    expect(res.body.audit.events).toEqual([
      expect.objectContaining({ field_name: 'priority', value: 'low', previous_value: null }),
    ]);
  });

  it('refuses a value that is not a priority with 422 details.priority, creating nothing', async () => {
    const res = await create({ priority: 'asap' });
    expect(res.status).toBe(422);
    expect(res.body.details.priority).toEqual([
      {
        description: 'Priority: asap is not one of low, normal, high, urgent',
        error: 'InvalidValue',
      },
    ]);
    expect(zendesk.state.tickets.has(FIRST_NEW_TICKET_ID)).toBe(false);
  });
});

describe('html_body comments', () => {
  it('keeps the HTML and derives the text an agent reads', async () => {
    const res = await create({
      comment: { html_body: '<p><strong>Caller:</strong> 1 &lt; 2</p>', public: false },
    });
    expect(res.status).toBe(201);
    const list = await callJson(zendesk, `/api/v2/tickets/${FIRST_NEW_TICKET_ID}/comments`);
    expect(list.body.comments[0]).toMatchObject({
      body: 'Caller: 1 < 2',
      plain_body: 'Caller: 1 < 2',
      html_body: '<p><strong>Caller:</strong> 1 &lt; 2</p>',
      public: false,
    });
  });

  it('refuses an html_body without text like a blank body', async () => {
    const res = await create({ comment: { html_body: '<p> </p>' } });
    expect(res.status).toBe(422);
    expect(res.body.details.base[0].error).toBe('BlankValue');
  });
});

describe('safe_update', () => {
  it('applies the update when updated_stamp is the ticket updated_at', async () => {
    const shown = await callJson(zendesk, `/api/v2/tickets/${OPEN_TICKET_ID}`);
    const res = await update({
      tags: ['hardware', 'handoff'],
      safe_update: true,
      updated_stamp: shown.body.ticket.updated_at,
    });
    expect(res.status).toBe(200);
    expect(res.body.ticket.tags).toEqual(['hardware', 'handoff']);
  });

  it('answers 409 and changes nothing when the ticket changed since', async () => {
    const res = await update({
      comment: { body: 'late' },
      tags: ['handoff'],
      safe_update: true,
      updated_stamp: '2020-01-01T00:00:00Z',
    });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('UpdateConflict');
    expect(zendesk.state.tickets.get(OPEN_TICKET_ID)?.tags).toEqual(['hardware']);
    expect(zendesk.state.commentCount(OPEN_TICKET_ID)).toBe(2);
  });
});
