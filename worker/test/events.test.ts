import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ZendeskStandin } from '@sip-bridge/zendesk-standin/app';
import { OPEN_TICKET_ID, PENDING_TICKET_ID } from '@sip-bridge/zendesk-standin/seed';
import { flushNotes } from '../src/calls/note-batches';
import { BACKGROUND_TIMEOUT_MS, zendeskFromEnv } from '../src/config';
import { callRow, createTestLine, decide, edgeFetch, installStandin, invite } from './harness';

let standin: ZendeskStandin;
beforeEach(async () => {
  standin = installStandin();
  await env.DB.exec('DELETE FROM calls; DELETE FROM call_events; DELETE FROM lines');
});

const t0 = Date.parse('2026-11-21T09:00:00.000Z');
const at = (seconds: number) => new Date(t0 + seconds * 1000).toISOString();

async function send(events: Record<string, unknown>[]) {
  const res = await edgeFetch('/v1/edge/events', { events });
  expect(res.status).toBe(200);
  return ((await res.json()) as { results: { status: string }[] }).results.map((r) => r.status);
}

/** Waits for the summaries the worker posts after the response (waitUntil). */
async function settle() {
  for (let i = 0; i < 50; i++) {
    const row = await env.DB.prepare(
      `SELECT COUNT(*) AS n FROM calls WHERE summary_status IN ('pending','posting')`,
    ).first<{ n: number }>();
    if (!row?.n) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('call lifecycle', () => {
  it('computes duration and cost per started minute after answered and ended', async () => {
    await createTestLine();
    const req = invite({ ticket_id: String(OPEN_TICKET_ID) });
    await decide(req);
    expect(
      await send([
        { call_id: req.call_id, kind: 'answered', at: at(5), sip_code: 200 },
        { call_id: req.call_id, kind: 'ended', at: at(5 + 61), ended_by: 'caller' },
      ]),
    ).toEqual(['applied', 'applied']);
    expect(await callRow(req.call_id)).toMatchObject({
      status: 'completed',
      answered_at: at(5),
      ended_at: at(66),
      duration_s: 61,
      cost_micros: 20_000,
      final_code: 200,
      ended_by: 'caller',
    });
  });

  it('uses the line price override', async () => {
    await createTestLine({ price_per_minute_micros: 8_500 });
    const req = invite();
    await decide(req);
    await send([
      { call_id: req.call_id, kind: 'answered', at: at(0) },
      { call_id: req.call_id, kind: 'ended', at: at(150) },
    ]);
    expect((await callRow(req.call_id))?.cost_micros).toBe(3 * 8_500);
  });

  it("ignores the events of an INVITE that reused another call's Call-ID from elsewhere", async () => {
    await createTestLine();
    const req = invite();
    await decide(req);
    await send([{ call_id: req.call_id, kind: 'answered', at: at(1), sip_code: 200, call: req }]);
    // Another source on the same line reused the Call-ID; its refusal must not end this call.
    const reused = { ...req, source: { ip: '192.0.2.99', port: 5060 } };
    expect(
      await send([
        { call_id: req.call_id, kind: 'failed', at: at(2), sip_code: 400, call: reused },
      ]),
    ).toEqual(['unknown_call']);
    expect(await callRow(req.call_id)).toMatchObject({
      status: 'answered',
      answered_at: at(1),
      ended_at: null,
    });
  });

  it('finishes the record when a retried event was stored but its record never updated', async () => {
    await createTestLine();
    const req = invite();
    await decide(req);
    // The first delivery stored the event, then the isolate died before updating the record.
    await env.DB.prepare(
      `INSERT INTO call_events (call_id, kind, at, sip_code, reason, received_at)
       VALUES (?, 'failed', ?, 486, 'Busy Here', ?)`,
    )
      .bind(req.call_id, at(3), at(3))
      .run();
    expect(
      await send([
        { call_id: req.call_id, kind: 'failed', at: at(3), sip_code: 486, reason: 'Busy Here' },
      ]),
    ).toEqual(['duplicate']);
    expect(await callRow(req.call_id)).toMatchObject({ status: 'failed', final_code: 486 });
  });

  it('acknowledges retried events without applying them twice', async () => {
    await createTestLine();
    const req = invite();
    await decide(req);
    const answered = { call_id: req.call_id, kind: 'answered', at: at(1) };
    expect(await send([answered])).toEqual(['applied']);
    expect(await send([answered, { ...answered, at: at(30) }])).toEqual(['duplicate', 'duplicate']);
    expect((await callRow(req.call_id))?.answered_at).toBe(at(1));
  });

  it('gives the same record whatever order the events arrive in', async () => {
    await createTestLine();
    const req = invite();
    await decide(req);
    await send([{ call_id: req.call_id, kind: 'ended', at: at(100), ended_by: 'callee' }]);
    await send([{ call_id: req.call_id, kind: 'answered', at: at(10) }]);
    expect(await callRow(req.call_id)).toMatchObject({
      status: 'completed',
      duration_s: 90,
      cost_micros: 20_000,
    });
  });

  it.each([
    [
      'failed',
      { kind: 'failed', sip_code: 486, reason: 'Busy Here' },
      { status: 'failed', final_code: 486, final_reason: 'Busy Here' },
    ],
    [
      'cancelled',
      { kind: 'cancelled' },
      { status: 'cancelled', final_code: 487, final_reason: 'Request Terminated' },
    ],
  ])('records a %s call with its final code and no cost', async (_label, event, expected) => {
    await createTestLine();
    const req = invite();
    await decide(req);
    await send([{ call_id: req.call_id, at: at(20), ...event }]);
    expect(await callRow(req.call_id)).toMatchObject({
      ...expected,
      duration_s: 0,
      cost_micros: 0,
    });
  });

  it('records a call the decision never reached the API for, from the event facts', async () => {
    await createTestLine();
    const req = invite({ ticket_id: String(OPEN_TICKET_ID) });
    const { budget_ms: _b, ...facts } = { ...req, budget_ms: 0 };
    expect(
      await send([{ call_id: req.call_id, kind: 'failed', at: at(3), sip_code: 503, call: facts }]),
    ).toEqual(['applied']);
    expect(await callRow(req.call_id)).toMatchObject({
      status: 'failed',
      final_code: 503,
      ticket_id: OPEN_TICKET_ID,
      ticket_link: 'passed_unverified',
      caller_e164: '+14155550100',
    });
  });

  it('applies a full batch across many calls in one request, each event once', async () => {
    await createTestLine();
    const calls = Array.from({ length: 60 }, () => invite());
    for (const req of calls) await decide(req);
    const batch = calls.map((req, i) => ({ call_id: req.call_id, kind: 'cancelled', at: at(i) }));
    // Twice in the same batch: the copy is a duplicate, not a second application.
    batch.push({ ...batch[0]! });
    const statuses = await send(batch);
    expect(statuses.filter((s) => s === 'applied')).toHaveLength(60);
    expect(statuses.at(-1)).toBe('duplicate');
    const done = await env.DB.prepare(
      `SELECT COUNT(*) AS n FROM calls WHERE status = 'cancelled' AND final_code = 487`,
    ).first<{ n: number }>();
    expect(done?.n).toBe(60);
  });

  it('reports an unknown call without facts as unknown_call', async () => {
    expect(await send([{ call_id: 'never-seen@x', kind: 'answered', at: at(0) }])).toEqual([
      'unknown_call',
    ]);
  });
});

describe('call summary on the ticket', () => {
  it('adds exactly one private note to the linked ticket after the call', async () => {
    await createTestLine();
    const req = invite({ ticket_id: String(OPEN_TICKET_ID) });
    await decide(req);
    const before = (standin.state.comments.get(OPEN_TICKET_ID) ?? []).length;
    await send([
      { call_id: req.call_id, kind: 'answered', at: at(0) },
      { call_id: req.call_id, kind: 'ended', at: at(125), ended_by: 'caller' },
    ]);
    await send([{ call_id: req.call_id, kind: 'ended', at: at(125) }]);
    await settle();
    const comments = standin.state.comments.get(OPEN_TICKET_ID) ?? [];
    expect(comments.length).toBe(before + 1);
    const note = comments.at(-1)!;
    expect(note.public).toBe(false);
    expect(note.body).toContain('SIP call answered, talked 2 min 5 s, ended by the caller.');
    expect(note.body).toContain(`Call-ID: ${req.call_id}`);
    expect(note.body).toContain('Cost: $0.03');
    expect((await callRow(req.call_id))?.summary_status).toBe('posted');
  });

  it('adds a voice comment when the line asks for one', async () => {
    await createTestLine({ call_summary: 'voice_comment' });
    const req = invite({ ticket_id: String(PENDING_TICKET_ID) });
    await decide(req);
    await send([
      { call_id: req.call_id, kind: 'answered', at: at(0) },
      { call_id: req.call_id, kind: 'ended', at: at(42) },
    ]);
    await settle();
    const voice = (standin.state.comments.get(PENDING_TICKET_ID) ?? []).find(
      (c) => c.type === 'VoiceComment',
    );
    expect(voice?.data).toMatchObject({
      from: '+14155550100',
      call_duration: 42,
      started_at: at(0),
    });
  });

  it('keeps a summary Zendesk refused and posts it on the next cron run', async () => {
    await createTestLine();
    const req = invite({ ticket_id: String(OPEN_TICKET_ID) });
    await decide(req);
    standin.setFaults({ serverError: { count: 1, status: 503 }, failPaths: '^/api/v2/tickets/' });
    await send([{ call_id: req.call_id, kind: 'cancelled', at: at(4) }]);
    await settle();
    // Zendesk answered 503 to the batch: no job was queued, the summary waits for the next run.
    expect(await callRow(req.call_id)).toMatchObject({
      summary_status: 'pending',
      summary_attempts: 1,
    });
    // The cron's flush sends it (one Update Many) and follows the job until it has run.
    const report = await flushNotes(
      env.DB,
      zendeskFromEnv(env, { timeoutMs: BACKGROUND_TIMEOUT_MS }),
      { pollDelaysMs: [0, 0] },
    );
    expect(report).toEqual({ jobsSent: 1, itemsSent: 1 });
    expect((await callRow(req.call_id))?.summary_status).toBe('posted');
    const notes = (standin.state.comments.get(OPEN_TICKET_ID) ?? []).filter((c) =>
      c.body.includes(req.call_id),
    );
    expect(notes).toHaveLength(1);
    expect(notes[0]?.body).toContain('cancelled by the caller before it was answered');
  });

  it('posts nothing for a call without a ticket', async () => {
    await createTestLine();
    const req = invite();
    await decide(req);
    await send([{ call_id: req.call_id, kind: 'cancelled', at: at(4) }]);
    expect((await callRow(req.call_id))?.summary_status).toBe('none');
  });
});
