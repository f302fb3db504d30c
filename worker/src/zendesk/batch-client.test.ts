// The client's batch calls against the stand-in: Update Many (batch form), Show Job Status and
// the newest comments of a ticket.
import { describe, expect, it } from 'vitest';
import { createZendeskStandin } from '@sip-bridge/zendesk-standin/app';
import { CLOSED_TICKET_ID, OPEN_TICKET_ID } from '@sip-bridge/zendesk-standin/seed';
import { unlimitedBudget } from './budget';
import { createZendeskClient } from './client';

function clientFor(standin = createZendeskStandin()) {
  const zendesk = createZendeskClient({
    baseUrl: 'https://acme.zendesk.com',
    email: standin.options.email,
    apiToken: standin.options.apiToken,
    budget: unlimitedBudget,
    fetch: (input, init) => standin.fetch(new Request(input, init)),
  });
  return { standin, zendesk };
}

describe('Update Many, batch form', () => {
  it('queues one job for different changes per ticket and reads its results', async () => {
    const { zendesk, standin } = clientFor();
    const queued = await zendesk.updateManyTickets([
      { id: OPEN_TICKET_ID, comment: { body: 'summary', public: false }, additional_tags: ['a'] },
      { id: CLOSED_TICKET_ID, comment: { body: 'late', public: false } },
    ]);
    expect(queued).toMatchObject({ status: 'queued', results: null });
    expect((await zendesk.showJobStatus(queued.id))?.status).toBe('working');
    const done = await zendesk.showJobStatus(queued.id);
    expect(done?.status).toBe('completed');
    expect(done?.results?.map((r) => [r.id, r.success])).toEqual([
      [OPEN_TICKET_ID, true],
      [CLOSED_TICKET_ID, false],
    ]);
    expect(standin.state.tickets.get(OPEN_TICKET_ID)!.tags).toContain('a');
    const comments = await zendesk.listRecentComments(OPEN_TICKET_ID);
    expect(comments[0]?.body).toBe('summary');
    expect(standin.requests.at(-1)?.query).toEqual({ sort_order: 'desc' });
  });

  it('answers null for a job Zendesk does not know, and refuses bad input unsent', async () => {
    const { zendesk, standin } = clientFor();
    expect(await zendesk.showJobStatus('0123456789abcdef0123456789abcdef')).toBeNull();
    const sent = standin.requests.length;
    await expect(zendesk.updateManyTickets([])).rejects.toMatchObject({ kind: 'client' });
    const many = Array.from({ length: 101 }, (_, i) => ({ id: i + 1 }));
    await expect(zendesk.updateManyTickets(many)).rejects.toMatchObject({ kind: 'client' });
    await expect(zendesk.updateManyTickets([{ id: -1 }])).rejects.toMatchObject({ kind: 'client' });
    await expect(zendesk.showJobStatus('../tickets/1')).rejects.toMatchObject({ kind: 'client' });
    expect(standin.requests.length).toBe(sent);
  });

  it('is not retried: a 503 to Update Many is one request and an error', async () => {
    const { zendesk, standin } = clientFor();
    standin.setFaults({ serverError: { count: 5, status: 503 } });
    await expect(
      zendesk.updateManyTickets([{ id: OPEN_TICKET_ID, comment: { body: 'x', public: false } }]),
    ).rejects.toMatchObject({ kind: 'server', status: 503 });
    expect(standin.requests).toHaveLength(1);
  });
});
