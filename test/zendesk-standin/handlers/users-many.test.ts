import { beforeEach, describe, expect, it } from 'vitest';
import { createZendeskStandin, type ZendeskStandin } from '../app';
import { callJson } from '../test-support';

let zendesk: ZendeskStandin;
beforeEach(() => {
  zendesk = createZendeskStandin({ validatePhoneNumbers: true });
});

const createOrUpdate = (users: unknown) =>
  callJson(zendesk, '/api/v2/users/create_or_update_many.json', {
    method: 'POST',
    body: { users },
  });
const poll = (id: string) => callJson(zendesk, `/api/v2/job_statuses/${id}.json`);
const byPhone = (phone: string) =>
  [...zendesk.state.users.values()].filter((u) => u.phone === phone);

describe('POST /api/v2/users/create_or_update_many', () => {
  it('queues a job that creates the users on its second poll, results in request order', async () => {
    const queued = await createOrUpdate([
      { name: 'Caller A', phone: '+14155550101', external_id: 'sipbridge-caller:+14155550101' },
      { name: 'Caller B', phone: '+14155550102' },
    ]);
    expect(queued.status).toBe(200);
    const id = queued.body.job_status.id as string;
    expect(queued.body.job_status).toMatchObject({ status: 'queued', total: 2, results: null });
    expect(byPhone('+14155550101')).toHaveLength(0);
    expect((await poll(id)).body.job_status).toMatchObject({ status: 'working', results: null });
    const done = (await poll(id)).body.job_status;
    const [a] = byPhone('+14155550101');
    const [b] = byPhone('+14155550102');
    expect(done.results).toEqual([
      {
        id: a!.id,
        index: 0,
        action: 'create',
        success: true,
        status: 'Created',
        external_id: 'sipbridge-caller:+14155550101',
      },
      { id: b!.id, index: 1, action: 'create', success: true, status: 'Created' },
    ]);
    expect(a).toMatchObject({ name: 'Caller A', role: 'end-user' });
  });

  it('updates the user with the same external_id instead of making a second one', async () => {
    const existing = zendesk.addUser({ name: 'Renamed by an agent', external_id: 'ext-1' });
    const queued = await createOrUpdate([
      { name: 'Caller', phone: '+14155550103', external_id: 'ext-1' },
    ]);
    const id = queued.body.job_status.id as string;
    await poll(id);
    const done = (await poll(id)).body.job_status;
    expect(done.results).toEqual([
      {
        id: existing.id,
        index: 0,
        action: 'update',
        success: true,
        status: 'Updated',
        external_id: 'ext-1',
      },
    ]);
    expect(byPhone('+14155550103').map((u) => u.id)).toEqual([existing.id]);
  });

  it('fails only the refused item, with Create User’s reason', async () => {
    const queued = await createOrUpdate([
      { name: 'Good', phone: '+14155550104' },
      { name: '', phone: '+14155550105' },
      { name: 'Bad phone', phone: '555' },
    ]);
    const id = queued.body.job_status.id as string;
    await poll(id);
    const results = (await poll(id)).body.job_status.results;
    expect(results.map((r: { status: string }) => r.status)).toEqual([
      'Created',
      'Failed',
      'Failed',
    ]);
    expect(results[1]).toMatchObject({
      index: 1,
      success: false,
      details: 'Name: cannot be blank',
    });
    expect(results[2].details).toMatch(/not properly formatted/);
    expect(results[1].id).toBeUndefined();
    expect(byPhone('+14155550105')).toHaveLength(0);
  });

  it('answers 400 for no users, more than 100, or an item that is not an object', async () => {
    expect((await createOrUpdate([])).status).toBe(400);
    const many = Array.from({ length: 101 }, (_, i) => ({ name: `U${i}` }));
    expect((await createOrUpdate(many)).status).toBe(400);
    expect((await createOrUpdate(['x'])).status).toBe(400);
    const missing = await callJson(zendesk, '/api/v2/users/create_or_update_many.json', {
      method: 'POST',
      body: {},
    });
    expect(missing).toMatchObject({ status: 400, body: { error: 'ParameterMissing' } });
    expect(zendesk.state.jobs.size).toBe(0);
  });
});
