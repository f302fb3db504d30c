// Context headers an AI agent or IVR sends (X-…, User-to-User) mapped per line to the call's
// ticket: tags, custom fields and an internal note, written after the decision, never in its way.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ZendeskStandin } from '@sip-bridge/zendesk-standin/app';
import {
  OPEN_TICKET_ID,
  PENDING_TICKET_ID,
  TICKET_FIELD_IDS,
} from '@sip-bridge/zendesk-standin/seed';
import { flushNotes, STALE_SENDING_MS } from '../src/calls/note-batches';
import { BACKGROUND_TIMEOUT_MS, zendeskFromEnv } from '../src/config';
import {
  adminFetch,
  appFetch,
  callRow,
  createTestLine,
  decide,
  installStandin,
  invite,
  takeZendeskDown,
  zendeskRequests,
} from './harness';

let standin: ZendeskStandin;
beforeEach(async () => {
  standin = installStandin();
  await env.DB.exec(
    'DELETE FROM calls; DELETE FROM lines; DELETE FROM caller_matches; DELETE FROM ticket_checks',
  );
});

const MAPPINGS = [
  { header: 'X-Intent', to: 'tag', tag_prefix: 'intent_' },
  { header: 'X-Order', to: 'custom_field', field_id: TICKET_FIELD_IDS.orderNumber },
  { header: 'X-Callback', to: 'custom_field', field_id: TICKET_FIELD_IDS.callbackRequested },
  { header: 'X-Summary', to: 'note', label: 'What the caller wants' },
  { header: 'User-to-User', to: 'note', label: 'IVR data' },
];
const hex = (text: string) => Buffer.from(text, 'utf8').toString('hex');

/** Waits (bounded) until no call has context on its way to a ticket. */
async function settle() {
  for (let i = 0; i < 100; i++) {
    const row = await env.DB.prepare(
      `SELECT COUNT(*) AS n FROM calls WHERE context_status IN ('pending', 'posting')`,
    ).first<{ n: number }>();
    if (!row?.n) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('call context still pending');
}

function callWith(context: { name: string; value: string }[], ticket = OPEN_TICKET_ID) {
  const req = invite({ ticket_id: String(ticket) });
  req.sip.context = context;
  return req;
}

const notes = (ticketId: number) =>
  (standin.state.comments.get(ticketId) ?? [])
    .map((c) => c.body)
    .filter((b) => b.startsWith('Context'));

describe('context headers mapped by the line', () => {
  it('puts tags, custom fields and a note on the passed ticket after the decision', async () => {
    await createTestLine({ context_headers: MAPPINGS });
    const req = callWith([
      { name: 'x-intent', value: 'Billing Dispute' },
      { name: 'X-Order', value: 'A-10023' },
      { name: 'X-Callback', value: 'yes' },
      { name: 'X-Summary', value: 'Charged twice in December' },
      {
        name: 'User-to-User',
        value: `04${hex('acct=88231;lang=fr')};encoding=hex;purpose=isdn-uui`,
      },
      { name: 'X-Unmapped', value: 'left alone' },
    ]);
    const decision = await decide(req);
    expect(decision.body).toMatchObject({ action: 'relay', call: { ticket_id: OPEN_TICKET_ID } });
    await settle();

    const ticket = standin.state.tickets.get(OPEN_TICKET_ID)!;
    expect(ticket.tags).toEqual(['hardware', 'intent_billing_dispute']);
    expect(ticket.custom_fields).toEqual(
      expect.arrayContaining([
        { id: TICKET_FIELD_IDS.orderNumber, value: 'A-10023' },
        { id: TICKET_FIELD_IDS.callbackRequested, value: true },
      ]),
    );
    expect(notes(OPEN_TICKET_ID)).toEqual([
      'Context sent with the call (SIP headers):\n' +
        'What the caller wants: Charged twice in December\n' +
        'IVR data: acct=88231;lang=fr',
    ]);
    expect(JSON.stringify(standin.state.comments.get(OPEN_TICKET_ID))).not.toContain('left alone');

    const res = await appFetch(`/v1/tickets/${OPEN_TICKET_ID}/calls`);
    const { calls } = (await res.json()) as { calls: { call_id: string; context: unknown }[] };
    expect(calls.find((c) => c.call_id === req.call_id)?.context).toEqual({
      status: 'posted',
      items: [
        { header: 'X-Intent', to: 'tag', value: 'intent_billing_dispute' },
        {
          header: 'X-Order',
          to: 'custom_field',
          value: 'A-10023',
          field_id: TICKET_FIELD_IDS.orderNumber,
        },
        {
          header: 'X-Callback',
          to: 'custom_field',
          value: 'yes',
          field_id: TICKET_FIELD_IDS.callbackRequested,
        },
        {
          header: 'X-Summary',
          to: 'note',
          value: 'Charged twice in December',
          label: 'What the caller wants',
        },
        { header: 'User-to-User', to: 'note', value: 'acct=88231;lang=fr', label: 'IVR data' },
      ],
      refused: [],
    });
  });

  it('refuses values it cannot use, saying why without repeating them, and writes the rest', async () => {
    await createTestLine({
      context_headers: [
        ...MAPPINGS,
        { header: 'X-Product', to: 'custom_field', field_id: TICKET_FIELD_IDS.product },
      ],
    });
    const req = callWith([
      { name: 'X-Intent', value: 'billing <script>' },
      { name: 'X-Callback', value: 'maybe-later' },
      { name: 'X-Product', value: 'toaster_9000' },
      { name: 'User-to-User', value: 'zz12;encoding=hex' },
      { name: 'X-Summary', value: 'Router reboots' },
    ]);
    await decide(req);
    await settle();
    const row = await callRow(req.call_id);
    const context = JSON.parse(row!.context_json) as {
      refused: { header: string; reason: string }[];
    };
    expect(row!.context_status).toBe('posted');
    expect(context.refused).toEqual([
      { header: 'X-Intent', reason: expect.stringMatching(/^is not a tag/) },
      { header: 'User-to-User', reason: expect.stringMatching(/not hex digits/) },
      { header: 'X-Callback', reason: expect.stringMatching(/true or false/) },
      { header: 'X-Product', reason: expect.stringMatching(/option tags/) },
    ]);
    for (const sent of ['<script>', 'maybe-later', 'toaster_9000', 'zz12']) {
      expect(row!.context_json).not.toContain(sent);
    }
    expect(notes(OPEN_TICKET_ID)).toEqual([
      'Context sent with the call (SIP headers):\nWhat the caller wants: Router reboots',
    ]);
    expect(standin.state.tickets.get(OPEN_TICKET_ID)!.tags).toEqual(['hardware']);
  });

  it('adds the context to the ticket the line creates', async () => {
    await createTestLine({ create_ticket: true, context_headers: MAPPINGS });
    const req = invite();
    req.sip.context = [{ name: 'X-Intent', value: 'outage' }];
    const decision = await decide(req);
    expect(decision.body.call.ticket_link).toBe('created');
    await settle();
    expect(standin.state.tickets.get(decision.body.call.ticket_id)!.tags).toContain(
      'intent_outage',
    );
  });

  it('keeps the context for later when Zendesk is down, without holding up the decision', async () => {
    await createTestLine({ context_headers: MAPPINGS, invalid_ticket: 'drop' });
    takeZendeskDown();
    const req = callWith([{ name: 'X-Intent', value: 'billing' }]);
    const decision = await decide(req);
    // Zendesk could not verify the ticket: the call keeps the caller's id, and the context waits.
    expect(decision.body.call).toMatchObject({ ticket_link: 'passed_unverified' });
    await expect
      .poll(async () => (await callRow(req.call_id))!.context_attempts, { timeout: 5000 })
      .toBe(1);
    // No answer to the batch: it may have been queued, so the context stays in its job (shown
    // as pending) until the job is checked.
    await expect
      .poll(async () => (await callRow(req.call_id))!.context_status, { timeout: 5000 })
      .toBe('posting');
  });

  it('records the context as not applied when the call has no ticket', async () => {
    await createTestLine({ context_headers: MAPPINGS });
    const req = invite();
    req.sip.context = [{ name: 'X-Intent', value: 'billing' }];
    const before = zendeskRequests(standin);
    await decide(req);
    const row = await callRow(req.call_id);
    expect(row!.context_status).toBe('not_applied');
    // The caller match may ask Zendesk; the context never does when there is no ticket.
    expect(standin.requests.slice(before).some((r) => r.path.includes('/tags'))).toBe(false);
  });

  it('is retried once Zendesk is back, and ends as failed when Zendesk refuses it', async () => {
    await createTestLine({ context_headers: MAPPINGS });
    const [retried, refused] = [
      callWith([{ name: 'X-Intent', value: 'billing' }]),
      callWith([{ name: 'X-Intent', value: 'outage' }], PENDING_TICKET_ID),
    ];
    // Zendesk answers 503 to every batch: nothing is queued, the contexts wait.
    standin.setFaults({ serverError: { count: 1000, status: 503 }, failPaths: 'update_many' });
    for (const req of [retried, refused]) await decide(req);
    // Both tried (each decision's flush runs after its answer) and back to pending.
    await expect
      .poll(
        async () =>
          (
            await env.DB.prepare(
              `SELECT COUNT(*) AS n FROM calls WHERE context_status = 'pending' AND context_attempts > 0`,
            ).first<{ n: number }>()
          )?.n,
        { timeout: 5000 },
      )
      .toBe(2);

    standin = installStandin();
    standin.state.tickets.get(PENDING_TICKET_ID)!.status = 'closed';
    const zendesk = zendeskFromEnv(env, { timeoutMs: BACKGROUND_TIMEOUT_MS });
    const flush = () => flushNotes(env.DB, zendesk, { pollDelaysMs: [0, 0] });
    // One batch for both; the closed ticket's item is refused in it, retried alone in a second
    // job of the same run, and refused again: failed.
    expect(await flush()).toEqual({ jobsSent: 2, itemsSent: 3 });
    expect((await callRow(retried.call_id))!.context_status).toBe('posted');
    expect((await callRow(refused.call_id))!.context_status).toBe('failed');
    expect([...standin.state.jobs.values()].map((j) => j.items.map((i) => i.id))).toEqual([
      [OPEN_TICKET_ID, PENDING_TICKET_ID],
      [PENDING_TICKET_ID],
    ]);
    // Posted once: a further run finds nothing due.
    expect(await flush()).toEqual({ jobsSent: 0, itemsSent: 0 });
    expect(standin.state.tickets.get(OPEN_TICKET_ID)!.tags).toContain('intent_billing');
    expect(standin.requests.some((r) => r.path.includes('/tags'))).toBe(false);
  });

  it('checks a batch whose answer never came before sending it again', async () => {
    await createTestLine({ context_headers: MAPPINGS });
    const req = callWith([{ name: 'X-Summary', value: 'Charged twice' }]);
    // Zendesk queues the job but the answer is lost (the stand-in answers, the caller sees 502).
    const lost = { job: '' };
    const realFetch = standin.fetch.bind(standin);
    standin.fetch = async (request: Request) => {
      const res = await realFetch(request);
      if (new URL(request.url).pathname.startsWith('/api/v2/tickets/update_many') && !lost.job) {
        lost.job = ((await res.clone().json()) as { job_status: { id: string } }).job_status.id;
        throw new TypeError('fetch failed: connection reset');
      }
      return res;
    };
    await decide(req);
    await expect
      .poll(async () => (await callRow(req.call_id))!.context_status, { timeout: 5000 })
      .toBe('posting');
    // The job runs at Zendesk anyway.
    await realFetch(
      new Request(`https://standin.zendesk.com/api/v2/job_statuses/${lost.job}.json`, {
        headers: {
          Authorization: `Basic ${btoa(`${env.ZENDESK_EMAIL}/token:${env.ZENDESK_API_TOKEN}`)}`,
        },
      }),
    );
    await realFetch(
      new Request(`https://standin.zendesk.com/api/v2/job_statuses/${lost.job}.json`, {
        headers: {
          Authorization: `Basic ${btoa(`${env.ZENDESK_EMAIL}/token:${env.ZENDESK_API_TOKEN}`)}`,
        },
      }),
    );
    expect(notes(OPEN_TICKET_ID)).toHaveLength(1);

    const zendesk = zendeskFromEnv(env, { timeoutMs: BACKGROUND_TIMEOUT_MS });
    const later = (ms: number) => () => Date.now() + ms;
    // Not stale yet: nothing is sent or checked.
    expect(await flushNotes(env.DB, zendesk, { now: later(0) })).toEqual({
      jobsSent: 0,
      itemsSent: 0,
    });
    expect((await callRow(req.call_id))!.context_status).toBe('posting');
    // Stale: the note is found on the ticket, so it counts as posted and is not sent again.
    const before = standin.requests.length;
    await flushNotes(env.DB, zendesk, { now: later(STALE_SENDING_MS + 1000) });
    expect((await callRow(req.call_id))!.context_status).toBe('posted');
    expect(notes(OPEN_TICKET_ID)).toHaveLength(1);
    expect(standin.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /api/v2/tickets/${OPEN_TICKET_ID}/comments.json`,
    ]);
  });

  it('writes nothing for a call without mapped headers', async () => {
    await createTestLine({ context_headers: MAPPINGS });
    const req = callWith([{ name: 'X-Other', value: '1' }]);
    await decide(req);
    const row = await callRow(req.call_id);
    expect(row!.context_status).toBe('none');
    expect(row!.context_json).toBeNull();
  });
});

describe('context mappings in the admin API', () => {
  it('refuses a bad mapping with the field path, and writes nothing', async () => {
    const cases: [unknown, string][] = [
      [[{ header: 'Subject', to: 'tag' }], 'context_headers[0].header'],
      [[{ header: 'X-Zendesk-Group', to: 'tag' }], 'context_headers[0].header'],
      [[{ header: 'X-A', to: 'custom_field' }], 'context_headers[0].field_id'],
      [[{ header: 'X-A', to: 'tag', label: 'x' }], 'context_headers[0].label'],
      [
        [
          { header: 'X-A', to: 'tag' },
          { header: 'x-a', to: 'note' },
        ],
        'context_headers[1].header',
      ],
      [[{ header: 'X-A', to: 'tag', tag_prefix: 'Has Space' }], 'context_headers[0].tag_prefix'],
    ];
    for (const [context_headers, path] of cases) {
      const res = await adminFetch('/v1/admin/lines', {
        body: {
          slug: 'bad',
          name: 'Bad',
          sip_targets: ['sip:a@b.example'],
          default_country: 'US',
          context_headers,
        },
      });
      expect(res.status, JSON.stringify(context_headers)).toBe(400);
      const body = (await res.json()) as { issues: { path: string }[] };
      expect(body.issues.map((i) => i.path)).toContain(path);
    }
    expect((await adminFetch('/v1/admin/lines/bad', { method: 'GET' })).status).toBe(404);
  });

  it('refuses a field Zendesk does not have, or an inactive one, with 422 naming the mapping', async () => {
    await createTestLine();
    const res = await adminFetch('/v1/admin/lines/ai-agent', {
      method: 'PATCH',
      body: {
        context_headers: [
          { header: 'X-Order', to: 'custom_field', field_id: TICKET_FIELD_IDS.orderNumber },
          { header: 'X-Gone', to: 'custom_field', field_id: 999_999 },
          { header: 'X-Old', to: 'custom_field', field_id: TICKET_FIELD_IDS.retiredCode },
        ],
      },
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: string; issues: { path: string }[] };
    expect(body.error).toBe('unknown_custom_field');
    expect(body.issues.map((i) => i.path)).toEqual([
      'context_headers[1].field_id',
      'context_headers[2].field_id',
    ]);
    const line = (await (
      await adminFetch('/v1/admin/lines/ai-agent', { method: 'GET' })
    ).json()) as {
      line: { context_headers: unknown[] };
    };
    expect(line.line.context_headers).toEqual([]);
  });

  it('answers 503 and changes nothing when Zendesk cannot be asked about a field', async () => {
    await createTestLine();
    takeZendeskDown();
    const res = await adminFetch('/v1/admin/lines/ai-agent', {
      method: 'PATCH',
      body: {
        context_headers: [
          { header: 'X-Order', to: 'custom_field', field_id: TICKET_FIELD_IDS.orderNumber },
        ],
      },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('Retry-After')).toBe('5');
  });
});
