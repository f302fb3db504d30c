import { env, exports } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ZendeskStandin } from '@sip-bridge/zendesk-standin/app';
import { CLOSED_TICKET_ID, OPEN_TICKET_ID, SAM_RIVERA_ID } from '@sip-bridge/zendesk-standin/seed';
import {
  adminFetch,
  appFetch,
  appHeaders,
  appToken,
  BASE,
  createTestLine,
  decide,
  edgeFetch,
  installStandin,
  invite,
} from './harness';

let standin: ZendeskStandin;

beforeEach(async () => {
  standin = installStandin();
  await env.DB.exec('DELETE FROM calls; DELETE FROM call_events; DELETE FROM lines');
  await createTestLine();
});

type Page = {
  calls: { call_id: string; status: string }[];
  after_cursor: string;
  end_of_stream: boolean;
};
const page = async (query: string) => {
  const res = await adminFetch(`/v1/reports/calls/export?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
};

describe('incremental export', () => {
  it('pages through every record with cursors and resumes with only what changed', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const req = invite();
      ids.push(req.call_id);
      await decide(req);
    }
    const first = await page('start_time=0&limit=2');
    expect(first.calls.map((c) => c.call_id)).toEqual(ids.slice(0, 2));
    expect(first.end_of_stream).toBe(false);
    const second = await page(`cursor=${first.after_cursor}&limit=2`);
    const third = await page(`cursor=${second.after_cursor}&limit=2`);
    expect([...second.calls, ...third.calls].map((c) => c.call_id)).toEqual(ids.slice(2));
    expect(third.end_of_stream).toBe(true);

    const idle = await page(`cursor=${third.after_cursor}`);
    expect(idle).toMatchObject({
      calls: [],
      end_of_stream: true,
      after_cursor: third.after_cursor,
    });

    await edgeFetch('/v1/edge/events', {
      events: [{ call_id: ids[1], kind: 'cancelled', at: new Date().toISOString() }],
    });
    const changed = await page(`cursor=${third.after_cursor}`);
    expect(changed.calls.map((c) => [c.call_id, c.status])).toEqual([[ids[1], 'cancelled']]);
  });

  it('starts from start_time and skips older changes', async () => {
    await decide(invite());
    const future = Math.floor(Date.now() / 1000) + 3600;
    expect((await page(`start_time=${future}`)).calls).toEqual([]);
  });

  it('refuses a forged cursor and a query with neither start_time nor cursor, naming the field', async () => {
    const forged = await adminFetch('/v1/reports/calls/export?cursor=bm90LWEtY3Vyc29y');
    expect(forged.status).toBe(400);
    expect(((await forged.json()) as { issues: { path: string }[] }).issues[0]?.path).toBe(
      'cursor',
    );
    const neither = await adminFetch('/v1/reports/calls/export');
    expect(neither.status).toBe(400);
  });
});

describe('usage by line and day', () => {
  it('sums calls, billed minutes and cost', async () => {
    await createTestLine({ slug: 'carrier', price_per_minute_micros: 5_000 });
    const day = new Date().toISOString().slice(0, 10);
    const talk = async (line: string, seconds: number) => {
      const req = invite({ line });
      await decide(req);
      const t = Date.now();
      await edgeFetch('/v1/edge/events', {
        events: [
          { call_id: req.call_id, kind: 'answered', at: new Date(t).toISOString() },
          { call_id: req.call_id, kind: 'ended', at: new Date(t + seconds * 1000).toISOString() },
        ],
      });
    };
    await talk('ai-agent', 30);
    await talk('ai-agent', 61);
    await talk('carrier', 120);
    await decide(invite({ line: 'carrier', from: 'sip:+14155550100@x' }));
    const res = await adminFetch(`/v1/reports/usage?from=${day}&to=${day}`);
    expect(res.status).toBe(200);
    const { usage } = (await res.json()) as { usage: Record<string, unknown>[] };
    expect(usage).toEqual([
      {
        line: 'ai-agent',
        line_name: 'AI agent hand-off',
        day,
        calls: 2,
        answered: 2,
        answered_rate: 1,
        rejected: 0,
        minutes: 3,
        cost_micros: 30_000,
        cost_usd: '0.03',
      },
      {
        line: 'carrier',
        line_name: 'AI agent hand-off',
        day,
        calls: 2,
        answered: 1,
        answered_rate: 0.5,
        rejected: 0,
        minutes: 2,
        cost_micros: 10_000,
        cost_usd: '0.01',
      },
    ]);
    const one = await adminFetch(`/v1/reports/usage?from=${day}&to=${day}&line=carrier`);
    expect(((await one.json()) as { usage: unknown[] }).usage).toHaveLength(1);
  });

  it('refuses a reversed range with the field named', async () => {
    const res = await adminFetch('/v1/reports/usage?from=2026-02-01&to=2026-01-01');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { issues: { path: string }[] }).issues[0]?.path).toBe('from');
  });
});

describe('calls for a ticket (sidebar app)', () => {
  it('lists the calls linked to the ticket, newest first, with what the agent needs', async () => {
    const older = invite({
      ticket_id: String(OPEN_TICKET_ID),
      received_at: '2026-11-21T08:00:00.000Z',
    });
    const newer = invite({
      ticket_id: String(OPEN_TICKET_ID),
      received_at: '2026-11-21T09:00:00.000Z',
    });
    await decide(older);
    await decide(newer);
    await decide(invite());
    const res = await appFetch(`/v1/tickets/${OPEN_TICKET_ID}/calls`);
    const body = (await res.json()) as { calls: Record<string, any>[] };
    expect(body.calls.map((c) => c.call_id)).toEqual([newer.call_id, older.call_id]);
    expect(body.calls[0]).toMatchObject({
      line: 'ai-agent',
      source: { ip: '192.0.2.10', acl_entry: '192.0.2.0/24' },
      caller: { e164: '+14155550100', match: 'matched' },
      ticket: { id: OPEN_TICKET_ID, link: 'passed' },
      codecs: ['PCMU', 'PCMA', 'telephone-event'],
      status: 'ringing',
    });
  });

  it('records the candidate the agent chose for an ambiguous call, on that call only', async () => {
    const req = invite({
      ticket_id: String(OPEN_TICKET_ID),
      from: 'sip:+14155550199@carrier.example',
    });
    await decide(req);
    const choose = async (userId: number, callId = req.call_id) =>
      exports.default.fetch(
        new Request(
          `${BASE}/v1/tickets/${OPEN_TICKET_ID}/calls/${encodeURIComponent(callId)}/caller`,
          {
            method: 'PUT',
            headers: { ...(await appHeaders({ jwt: token })), 'Content-Type': 'application/json' },
            body: JSON.stringify({ user_id: userId }),
          },
        ),
      );
    const token = await appToken();
    expect((await choose(424242)).status).toBe(409);
    const res = await choose(SAM_RIVERA_ID);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { call: { caller: unknown } }).call.caller).toMatchObject({
      match: 'matched',
      user_id: SAM_RIVERA_ID,
    });
    expect((await choose(SAM_RIVERA_ID, 'other@x')).status).toBe(404);
    // The number itself stays ambiguous: the next caller on that phone may be Alex.
    const next = await decide(invite({ from: 'sip:+14155550199@carrier.example' }));
    expect(next.body.call.match).toBe('ambiguous');
  });

  it.each([
    ['+442079460958', '+442079460958', '+44 20 7946 0958'],
    ['+81312345678', '+81312345678', '+81 3 1234 5678'],
    ['(415) 555-0100', '+14155550100', '+1 415 555 0100'],
    ['011 33 6 12 34 56 78', '+33612345678', '+33 6 12 34 56 78'],
  ])('sends caller %s for people as %s → %s', async (user, e164, display) => {
    await decide(
      invite({ ticket_id: String(OPEN_TICKET_ID), from: `sip:${user}@carrier.example` }),
    );
    const res = await appFetch(`/v1/tickets/${OPEN_TICKET_ID}/calls`);
    const body = (await res.json()) as { calls: { caller: Record<string, unknown> }[] };
    expect(body.calls[0]?.caller).toMatchObject({ e164, display });
  });

  it('sends no display string for a withheld caller', async () => {
    await decide(
      invite({ ticket_id: String(OPEN_TICKET_ID), from: '<sip:anonymous@anonymous.invalid>' }),
    );
    const res = await appFetch(`/v1/tickets/${OPEN_TICKET_ID}/calls`);
    const body = (await res.json()) as { calls: { caller: Record<string, unknown> }[] };
    expect(body.calls[0]?.caller).toMatchObject({ e164: null, display: null, kind: 'withheld' });
  });

  it("formats each candidate's stored phone, read in the caller's country", async () => {
    const claire = standin.addUser({ name: 'Claire Martin', phone: '06 12 34 56 79' });
    const luc = standin.addUser({ name: 'Luc Martin', phone: '0033 6 12 34 56 79' });
    await createTestLine({ slug: 'paris', default_country: 'FR' });
    const req = invite({
      line: 'paris',
      ticket_id: String(OPEN_TICKET_ID),
      from: 'sip:0612345679@carrier.example',
    });
    expect((await decide(req)).body.call.match).toBe('ambiguous');
    const res = await appFetch(`/v1/tickets/${OPEN_TICKET_ID}/calls`);
    const body = (await res.json()) as { calls: { caller: Record<string, any> }[] };
    const caller = body.calls[0]?.caller;
    expect(caller).toMatchObject({ e164: '+33612345679', display: '+33 6 12 34 56 79' });
    expect(caller?.candidates).toEqual([
      {
        id: claire.id,
        name: 'Claire Martin',
        phone: '06 12 34 56 79',
        phone_display: '+33 6 12 34 56 79',
      },
      {
        id: luc.id,
        name: 'Luc Martin',
        phone: '0033 6 12 34 56 79',
        phone_display: '+33 6 12 34 56 79',
      },
    ]);
    // The export carries the same strings.
    const exported = (await (await adminFetch('/v1/reports/calls/export?start_time=0')).json()) as {
      calls: { call_id: string; caller: unknown }[];
    };
    expect(exported.calls.find((c) => c.call_id === req.call_id)?.caller).toEqual(caller);
  });

  it('describes the display strings in the OpenAPI document, as always sent', async () => {
    const doc = (await (await adminFetch('/openapi.json')).json()) as any;
    const { CallRecord, MatchCandidate } = doc.components.schemas;
    const caller = CallRecord.properties.caller;
    expect(caller.required).toEqual(
      expect.arrayContaining(['e164', 'display', 'kind', 'match', 'user_id', 'candidates']),
    );
    expect(caller.properties.display).toEqual({
      type: ['string', 'null'],
      description: '`e164` for people, in international format; null when there is no number',
      example: '+44 20 7946 0958',
    });
    expect(caller.properties.candidates).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/MatchCandidate' },
    });
    expect(MatchCandidate.required).toEqual(['id', 'name', 'phone', 'phone_display']);
    expect(MatchCandidate.properties.phone_display).toMatchObject({
      type: ['string', 'null'],
      example: '+1 415 555 0199',
    });
  });

  it('answers an empty list for a ticket without SIP calls', async () => {
    const res = await appFetch(`/v1/tickets/${CLOSED_TICKET_ID}/calls`);
    expect(await res.json()).toEqual({ ticket_id: CLOSED_TICKET_ID, calls: [] });
  });
});
