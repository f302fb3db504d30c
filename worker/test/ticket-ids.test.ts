// Ticket ids stay exact end to end: a passed id no Zendesk ticket can have is refused, never rounded.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ZendeskStandin } from '@sip-bridge/zendesk-standin/app';
import {
  appFetch,
  callRow,
  createTestLine,
  decide,
  edgeFetch,
  installStandin,
  invite,
  takeZendeskDown,
} from './harness';

const UNSAFE = ['9007199254740993', '9999999999999999999'];
let standin: ZendeskStandin;

beforeEach(async () => {
  standin = installStandin();
  await env.DB.exec('DELETE FROM calls; DELETE FROM lines; DELETE FROM call_events');
});

describe('a passed ticket id above 2^53', () => {
  it.each(UNSAFE)('%s is dropped with its reason, not rounded into a header', async (id) => {
    await createTestLine({ invalid_ticket: 'drop' });
    const req = invite({ ticket_id: id });
    const { status, body } = await decide(req);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      action: 'relay',
      headers: [],
      call: { ticket_id: null, ticket_link: 'dropped' },
    });
    expect(body.call.degraded).toContain('ticket:not_a_zendesk_id');
    // The record keeps the exact digits the caller sent.
    expect((await callRow(req.call_id))?.passed_ticket_id).toBe(id);
    expect(standin.requests.some((r) => r.path.includes('/tickets/'))).toBe(false);
  });

  it.each(UNSAFE)('%s gets 404 Ticket Not Found on a reject line', async (id) => {
    await createTestLine({ invalid_ticket: 'reject' });
    const { body } = await decide(invite({ ticket_id: id }));
    expect(body).toMatchObject({ action: 'reject', code: 404, reason: 'Ticket Not Found' });
  });

  it.each(UNSAFE)('%s is not kept as passed_unverified while Zendesk is down', async (id) => {
    await createTestLine({ invalid_ticket: 'drop' });
    takeZendeskDown();
    const { body } = await decide(invite({ ticket_id: id }));
    expect(body.headers).toEqual([]);
    expect(body.call).toMatchObject({ ticket_id: null, ticket_link: 'dropped' });
  });

  it('an event for a call the decision never reached records no rounded ticket', async () => {
    await createTestLine();
    const call = invite({ ticket_id: UNSAFE[0] });
    const res = await edgeFetch('/v1/edge/events', {
      events: [
        {
          call_id: call.call_id,
          kind: 'failed',
          at: new Date().toISOString(),
          sip_code: 486,
          call,
        },
      ],
    });
    expect(res.status).toBe(200);
    const row = await callRow(call.call_id);
    expect(row).toMatchObject({ ticket_id: null, passed_ticket_id: UNSAFE[0] });
    expect(JSON.parse(row!.degraded)).toContain('ticket:not_a_zendesk_id');
  });

  it('the ticket API refuses such an id in its path with the field named', async () => {
    for (const id of UNSAFE) {
      const res = await appFetch(`/v1/tickets/${id}/calls`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { issues: unknown }).issues).toEqual([
        { path: 'ticket_id', message: 'must be a Zendesk ticket id, 1 to 9007199254740991' },
      ]);
    }
    // The largest exact id is a ticket id: checked with Zendesk as the agent (none such: 404).
    const largest = await appFetch('/v1/tickets/9007199254740991/calls');
    expect(largest.status).toBe(404);
    expect(((await largest.json()) as { error: string }).error).toBe('ticket_not_found');
  });
});
