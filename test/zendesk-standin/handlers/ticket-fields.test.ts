import { beforeEach, describe, expect, it } from 'vitest';
import { createZendeskStandin, type ZendeskStandin } from '../app';
import { TICKET_FIELD_IDS } from '../seed';
import { callJson, ORIGIN } from '../test-support';

let zendesk: ZendeskStandin;
beforeEach(() => {
  zendesk = createZendeskStandin();
});

describe('GET /api/v2/ticket_fields', () => {
  it('lists the system fields, then the custom ones, with and without .json', async () => {
    for (const path of ['/api/v2/ticket_fields.json', '/api/v2/ticket_fields']) {
      const res = await callJson(zendesk, path);
      expect(res.status).toBe(200);
      const types = res.body.ticket_fields.map((f: { type: string }) => f.type);
      expect(types).toEqual([
        'subject',
        'description',
        'status',
        'tickettype',
        'priority',
        'group',
        'assignee',
        'text',
        'tagger',
        'checkbox',
        'multiselect',
        'integer',
        'text',
      ]);
      expect(res.body).toMatchObject({ next_page: null, previous_page: null, count: 13 });
    }
  });

  it('describes a drop-down with its options, as Zendesk does', async () => {
    const res = await callJson(zendesk, `/api/v2/ticket_fields/${TICKET_FIELD_IDS.product}.json`);
    expect(res.status).toBe(200);
    expect(res.body.ticket_field).toMatchObject({
      url: `${ORIGIN}/api/v2/ticket_fields/${TICKET_FIELD_IDS.product}.json`,
      id: TICKET_FIELD_IDS.product,
      type: 'tagger',
      title: 'Product',
      active: true,
      removable: true,
      custom_field_options: [
        expect.objectContaining({ name: 'router x1', value: 'router_x1', default: false }),
        expect.objectContaining({ value: 'router_x2' }),
        expect.objectContaining({ value: 'mesh_pro' }),
      ],
    });
  });

  it('marks an inactive field and leaves options off fields without them', async () => {
    const res = await callJson(zendesk, '/api/v2/ticket_fields');
    const retired = res.body.ticket_fields.find(
      (f: { id: number }) => f.id === TICKET_FIELD_IDS.retiredCode,
    );
    expect(retired).toMatchObject({ active: false, type: 'text' });
    expect(retired).not.toHaveProperty('custom_field_options');
    const subject = res.body.ticket_fields[0];
    expect(subject).toMatchObject({ type: 'subject', removable: false });
  });

  it('answers 404 RecordNotFound for an unknown field', async () => {
    const res = await callJson(zendesk, '/api/v2/ticket_fields/99');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'RecordNotFound', description: 'Not found' });
  });
});
