import { beforeEach, describe, expect, it } from 'vitest';
import { createZendeskStandin, type ZendeskStandin } from '../app';
import { CLOSED_TICKET_ID, OPEN_TICKET_ID, PENDING_TICKET_ID } from '../seed';
import { MAX_COMMENTS_PER_TICKET } from '../store';
import { callJson } from '../test-support';

let zendesk: ZendeskStandin;
beforeEach(() => {
  zendesk = createZendeskStandin();
});

const updateMany = (tickets: unknown) =>
  callJson(zendesk, '/api/v2/tickets/update_many.json', { method: 'PUT', body: { tickets } });
const poll = (id: string) => callJson(zendesk, `/api/v2/job_statuses/${id}.json`);
const notes = (ticketId: number) => zendesk.state.comments.get(ticketId)!.map((c) => c.body);

describe('PUT /api/v2/tickets/update_many (batch form)', () => {
  it('queues a job with different changes per ticket, run on the second poll', async () => {
    const queued = await updateMany([
      { id: OPEN_TICKET_ID, comment: { body: 'Note for 1001', public: false } },
      {
        id: PENDING_TICKET_ID,
        comment: { body: 'Note for 1002', public: false },
        additional_tags: ['sip_intent_billing'],
      },
    ]);
    expect(queued.status).toBe(200);
    const id = queued.body.job_status.id as string;
    expect(queued.body.job_status).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      url: `http://zendesk.test/api/v2/job_statuses/${id}.json`,
      status: 'queued',
      total: 2,
      progress: 0,
      results: null,
    });
    // Nothing is applied while the job is queued or working.
    expect(notes(OPEN_TICKET_ID)).not.toContain('Note for 1001');
    expect((await poll(id)).body.job_status).toMatchObject({ status: 'working', results: null });
    expect(notes(OPEN_TICKET_ID)).not.toContain('Note for 1001');

    const done = (await poll(id)).body.job_status;
    expect(done).toMatchObject({ status: 'completed', total: 2, progress: 2 });
    expect(done.results).toEqual([
      { id: OPEN_TICKET_ID, index: 0, action: 'update', success: true, status: 'Updated' },
      { id: PENDING_TICKET_ID, index: 1, action: 'update', success: true, status: 'Updated' },
    ]);
    expect(notes(OPEN_TICKET_ID).at(-1)).toBe('Note for 1001');
    expect(notes(PENDING_TICKET_ID).at(-1)).toBe('Note for 1002');
    const pending = zendesk.state.tickets.get(PENDING_TICKET_ID)!;
    // additional_tags adds to the ticket's own tags.
    expect(pending.tags).toContain('sip_intent_billing');
    expect(pending.tags.length).toBeGreaterThan(1);
    // A finished job keeps answering the same status; polling does not run it again.
    expect((await poll(id)).body.job_status.results).toEqual(done.results);
    expect(notes(OPEN_TICKET_ID).filter((b) => b === 'Note for 1001')).toHaveLength(1);
  });

  it('fails only the refused items: a closed ticket, an unknown one, a blank comment', async () => {
    const queued = await updateMany([
      { id: CLOSED_TICKET_ID, comment: { body: 'late note', public: false } },
      { id: OPEN_TICKET_ID, comment: { body: 'kept', public: false } },
      { id: 999_999, comment: { body: 'nowhere', public: false } },
      { id: PENDING_TICKET_ID, comment: { body: '  ', public: false } },
    ]);
    await poll(queued.body.job_status.id);
    const { results } = (await poll(queued.body.job_status.id)).body.job_status;
    expect(results.map((r: { success: boolean }) => r.success)).toEqual([
      false,
      true,
      false,
      false,
    ]);
    expect(results[0]).toEqual({
      id: CLOSED_TICKET_ID,
      index: 0,
      action: 'update',
      success: false,
      status: 'Failed',
      error: 'RecordInvalid',
      details: 'Status: closed prevents ticket update',
    });
    expect(results[2]).toMatchObject({ error: 'RecordNotFound', details: 'Not found' });
    expect(results[3]).toMatchObject({
      error: 'RecordInvalid',
      details: 'Comment: cannot be blank',
    });
    expect(notes(CLOSED_TICKET_ID)).not.toContain('late note');
    expect(notes(OPEN_TICKET_ID).at(-1)).toBe('kept');
  });

  it('refuses an item past the 5,000 comments like the single update', async () => {
    const ticket = zendesk.state.tickets.get(OPEN_TICKET_ID)!;
    const list = zendesk.state.comments.get(ticket.id)!;
    while (list.length < MAX_COMMENTS_PER_TICKET) {
      zendesk.state.addComment(ticket.id, { body: 'x', author_id: ticket.requester_id });
    }
    const queued = await updateMany([{ id: OPEN_TICKET_ID, comment: { body: 'one more' } }]);
    await poll(queued.body.job_status.id);
    const { results } = (await poll(queued.body.job_status.id)).body.job_status;
    expect(results[0]).toMatchObject({ success: false, error: 'RecordInvalid' });
    expect(results[0].details).toContain('at most 5000 comments');
  });

  it('takes at most 100 tickets, each with an id, and needs the tickets array', async () => {
    const many = Array.from({ length: 101 }, (_, i) => ({
      id: 1001 + (i % 3),
      comment: { body: 'x' },
    }));
    expect((await updateMany(many)).status).toBe(400);
    expect((await updateMany(many.slice(0, 100))).status).toBe(200);
    expect((await updateMany([{ comment: { body: 'no id' } }])).status).toBe(400);
    expect((await updateMany([])).status).toBe(400);
    const missing = await callJson(zendesk, '/api/v2/tickets/update_many', {
      method: 'PUT',
      body: { ticket: { status: 'open' } },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe('ParameterMissing');
  });

  it('answers 429 past the jobs queued or running at once, and again once one has run', async () => {
    zendesk = createZendeskStandin({ maxActiveJobs: 2, jobPollsToComplete: 1 });
    const one = [{ id: OPEN_TICKET_ID, comment: { body: 'x', public: false } }];
    const first = await updateMany(one);
    expect((await updateMany(one)).status).toBe(200);
    const refused = await updateMany(one);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('Retry-After')).toBe('10');
    expect(refused.body.error).toBe('TooManyJobs');
    expect((await poll(first.body.job_status.id)).body.job_status.status).toBe('completed');
    expect((await updateMany(one)).status).toBe(200);
  });
});

describe('GET /api/v2/job_statuses/{id}', () => {
  it('is 404 for a job it does not know', async () => {
    const res = await poll('0123456789abcdef0123456789abcdef');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'RecordNotFound', description: 'Not found' });
  });

  it('logs the job requests, so tests can count them', async () => {
    const queued = await updateMany([{ id: OPEN_TICKET_ID, comment: { body: 'x' } }]);
    await poll(queued.body.job_status.id);
    expect(zendesk.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /api/v2/tickets/update_many.json',
      `GET /api/v2/job_statuses/${queued.body.job_status.id}.json`,
    ]);
  });
});
