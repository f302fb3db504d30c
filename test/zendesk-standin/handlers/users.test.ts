import { beforeEach, describe, expect, it } from 'vitest';
import { createZendeskStandin, type ZendeskStandin } from '../app';
import { DEMO_PHONES, MARIE_CURIE_ID } from '../seed';
import { call, callJson, ORIGIN } from '../test-support';

let zendesk: ZendeskStandin;
beforeEach(() => {
  zendesk = createZendeskStandin();
});

describe('GET /api/v2/users/{id}', () => {
  it('shows a user with the documented fields', async () => {
    const res = await callJson(zendesk, `/api/v2/users/${MARIE_CURIE_ID}.json`);
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({
      id: MARIE_CURIE_ID,
      url: `${ORIGIN}/api/v2/users/${MARIE_CURIE_ID}.json`,
      name: 'Marie Curie',
      email: 'marie.curie@example.fr',
      phone: DEMO_PHONES.marieCurie,
      role: 'end-user',
      verified: true,
      active: true,
      shared: false,
      external_id: null,
      locale: 'fr-FR',
      time_zone: 'Paris',
      organization_id: null,
      tags: [],
      user_fields: {},
      restricted_agent: false,
      ticket_restriction: null,
      created_at: '2024-01-15T09:00:00Z',
      updated_at: '2024-01-15T09:00:00Z',
    });
  });

  it('answers 404 RecordNotFound for unknown users', async () => {
    for (const path of ['/api/v2/users/1.json', '/api/v2/users/nobody']) {
      const res = await callJson(zendesk, path);
      expect(res.status, path).toBe(404);
      expect(res.body).toEqual({ error: 'RecordNotFound', description: 'Not found' });
    }
  });
});

describe('POST /api/v2/users', () => {
  it('creates an end-user: 201 {user}', async () => {
    const res = await callJson(zendesk, '/api/v2/users.json', {
      body: { user: { name: 'Caller: 15551234567', phone: '+15551234567' } },
    });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({
      name: 'Caller: 15551234567',
      phone: '+15551234567',
      role: 'end-user',
      email: null,
    });
    expect(zendesk.state.users.get(res.body.user.id)?.phone).toBe('+15551234567');
  });

  it('answers 422 with details.name when the name is missing', async () => {
    const res = await callJson(zendesk, '/api/v2/users', {
      body: { user: { phone: '+15550000' } },
    });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      error: 'RecordInvalid',
      description: 'Record validation errors',
      details: { name: [{ description: 'Name: cannot be blank', error: 'BlankValue' }] },
    });
  });

  it('refuses a non-E.164 phone only when validatePhoneNumbers is on', async () => {
    const body = { user: { name: 'Bob', phone: '5551234567' } };
    expect((await callJson(zendesk, '/api/v2/users', { body })).status).toBe(201);

    const strict = createZendeskStandin({ validatePhoneNumbers: true });
    const res = await callJson(strict, '/api/v2/users', { body });
    expect(res.status).toBe(422);
    expect(res.body.details).toEqual({
      phone: [
        { description: 'Phone 5551234567 is not properly formatted', error: 'InvalidFormat' },
      ],
    });
    const good = { user: { name: 'Bob', phone: '+15551234567' } };
    expect((await callJson(strict, '/api/v2/users', { body: good })).status).toBe(201);
  });

  it('refuses an email another user has, and an unknown role', async () => {
    const res = await callJson(zendesk, '/api/v2/users', {
      body: { user: { name: 'Copy', email: 'ADA@example.com', role: 'owner' } },
    });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.details).sort()).toEqual(['email', 'role']);
    expect(res.body.details.email[0].error).toBe('DuplicateValue');
  });

  it('answers 400 when the user object is missing', async () => {
    const res = await callJson(zendesk, '/api/v2/users', { body: { name: 'Flat' } });
    expect(res.status).toBe(400);
  });
});

describe('PUT and DELETE /api/v2/users/{id}, and identities', () => {
  it('updates the phone (moving updated_at), and clears it with ""', async () => {
    const before = zendesk.state.users.get(MARIE_CURIE_ID)!.updatedAt;
    const res = await callJson(zendesk, `/api/v2/users/${MARIE_CURIE_ID}.json`, {
      method: 'PUT',
      body: { user: { phone: '+33 6 98 76 54 32' } },
    });
    expect(res.status).toBe(200);
    expect(res.body.user.phone).toBe('+33 6 98 76 54 32');
    expect(zendesk.state.users.get(MARIE_CURIE_ID)!.updatedAt).toBeGreaterThan(before);
    const cleared = await callJson(zendesk, `/api/v2/users/${MARIE_CURIE_ID}`, {
      method: 'PUT',
      body: { user: { phone: '' } },
    });
    expect(cleared.body.user.phone).toBeNull();
    const bad = await callJson(zendesk, `/api/v2/users/${MARIE_CURIE_ID}`, {
      method: 'PUT',
      body: { user: { name: ' ', role: 'owner' } },
    });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.details).sort()).toEqual(['name', 'role']);
  });

  it('deletes a user: answered with active false, then 404', async () => {
    const path = `/api/v2/users/${MARIE_CURIE_ID}.json`;
    const res = await callJson(zendesk, path, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: MARIE_CURIE_ID, active: false });
    expect((await callJson(zendesk, path, { method: 'DELETE' })).status).toBe(404);
  });

  it('adds, lists (by type) and removes identities', async () => {
    const base = `/api/v2/users/${MARIE_CURIE_ID}/identities`;
    const added = await callJson(zendesk, `${base}.json`, {
      body: { identity: { type: 'phone_number', value: '+33 1 23 45 67 89' } },
    });
    expect(added.status).toBe(201);
    expect(added.body.identity).toMatchObject({
      user_id: MARIE_CURIE_ID,
      type: 'phone_number',
      value: '+33 1 23 45 67 89',
    });
    await callJson(zendesk, base, {
      body: { identity: { type: 'email', value: 'mc@example.fr' } },
    });
    const phones = await callJson(zendesk, `${base}.json?type[]=phone_number`);
    expect(phones.body.identities.map((i: { value: string }) => i.value)).toEqual([
      '+33 1 23 45 67 89',
    ]);
    expect((await callJson(zendesk, base)).body.count).toBe(2);
    const refused = await callJson(zendesk, base, {
      body: { identity: { type: 'fax', value: '' } },
    });
    expect(refused.status).toBe(422);
    const gone = await call(zendesk, `${base}/${added.body.identity.id}.json`, {
      method: 'DELETE',
    });
    expect(gone.status).toBe(204);
    expect((await callJson(zendesk, base)).body.count).toBe(1);
  });
});
