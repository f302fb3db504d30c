// Call notes in batches: Update Many Tickets jobs of up to 100 notes, followed at Show Job Status,
// each note on its ticket once, refused items retried alone, nothing lost while Zendesk is down.
import { forgetBudgetRefusals } from '../src/zendesk/budget';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ZendeskStandin } from '@sip-bridge/zendesk-standin/app';
import { ADA_LOVELACE_ID, OPEN_TICKET_ID } from '@sip-bridge/zendesk-standin/seed';
import { flushNotes, MAX_NOTE_ATTEMPTS, STALE_SENDING_MS } from '../src/calls/note-batches';
import { BACKGROUND_TIMEOUT_MS, zendeskFromEnv } from '../src/config';
import {
  bringZendeskBack,
  callRow,
  createTestLine,
  decide,
  edgeFetch,
  installStandin,
  invite,
  takeZendeskDown,
} from './harness';

let standin: ZendeskStandin;
beforeEach(async () => {
  standin = installStandin();
  await env.DB.exec(
    'DELETE FROM calls; DELETE FROM call_events; DELETE FROM lines; DELETE FROM note_jobs; DELETE FROM zendesk_budget; DELETE FROM ticket_checks',
  );
  await createTestLine();
});

const t0 = Date.parse('2026-11-21T09:00:00.000Z');
const at = (seconds: number) => new Date(t0 + seconds * 1000).toISOString();

/** Open tickets of their own, one per call. */
function newTickets(n: number): number[] {
  return Array.from(
    { length: n },
    (_, i) =>
      standin.addTicket({
        requester_id: ADA_LOVELACE_ID,
        description: `Ticket ${i}`,
        status: 'open',
      }).id,
  );
}

/** Decided calls, one per ticket. */
async function callsOn(tickets: number[]) {
  const calls = [];
  for (const ticket of tickets) {
    const req = invite({ ticket_id: String(ticket) });
    expect((await decide(req)).status).toBe(200);
    calls.push({ callId: req.call_id, ticket });
  }
  return calls;
}

/** Ends the calls through the edge API, 100 events a request (the edge's batch limit). */
async function end(calls: { callId: string }[]) {
  const res = await edgeFetch('/v1/edge/events', {
    events: calls.map((c, i) => ({ call_id: c.callId, kind: 'cancelled', at: at(i) })),
  });
  expect(res.status).toBe(200);
}

/** Waits (bounded) until no summary is on its way; the flush runs after the answer. */
async function settled() {
  await expect
    .poll(
      async () =>
        (
          await env.DB.prepare(
            `SELECT COUNT(*) AS n FROM calls WHERE summary_status IN ('pending', 'posting')`,
          ).first<{ n: number }>()
        )?.n,
      { timeout: 10_000, interval: 20 },
    )
    .toBe(0);
}

const summariesOn = (ticket: number, callId: string) =>
  (standin.state.comments.get(ticket) ?? []).filter((c) => c.body.includes(`Call-ID: ${callId}`));

const requestsSince = (before: number) =>
  standin.requests.slice(before).map((r) => `${r.method} ${r.path}`);

describe('call notes in Update Many batches', { timeout: 60_000 }, () => {
  it('posts 150 summaries with 2 Update Many requests and their job polls, each once', async () => {
    const calls = await callsOn(newTickets(150));
    // The 150 decisions spent this minute's request budget (a ticket check each): start afresh.
    await env.DB.exec('DELETE FROM zendesk_budget');
    forgetBudgetRefusals(env.DB);
    const before = standin.requests.length;
    // The edge sends at most 100 events a request: two requests, one job each.
    await end(calls.slice(0, 100));
    await settled();
    await end(calls.slice(100));
    await settled();

    const sent = requestsSince(before);
    const updates = sent.filter((r) => r === 'PUT /api/v2/tickets/update_many.json');
    const polls = sent.filter((r) => r.startsWith('GET /api/v2/job_statuses/'));
    expect(updates).toHaveLength(2);
    // The stand-in runs a job on its second poll: working, then completed.
    expect(polls).toHaveLength(4);
    expect(sent).toHaveLength(6);
    const jobs = [...standin.state.jobs.values()];
    expect(jobs.map((j) => j.items.length)).toEqual([100, 50]);
    expect(jobs.every((j) => j.status === 'completed')).toBe(true);
    for (const { callId, ticket } of calls) {
      const notes = summariesOn(ticket, callId);
      expect(notes, callId).toHaveLength(1);
      expect(notes[0]!.public).toBe(false);
      expect(notes[0]!.body).toContain('cancelled by the caller before it was answered');
      expect((await callRow(callId))?.summary_status).toBe('posted');
    }
    // 6 requests for 150 notes.
    expect(sent.length / calls.length).toBe(0.04);
  });

  it('retries an item Zendesk refused in the batch alone, and ends it failed', async () => {
    const tickets = newTickets(3);
    const calls = await callsOn(tickets);
    // The ticket is closed after the call was decided, before its summary goes out.
    standin.state.tickets.get(tickets[1]!)!.status = 'closed';
    await end(calls);
    await settled();

    const jobs = [...standin.state.jobs.values()];
    expect(jobs.map((j) => j.items.map((i) => i.id))).toEqual([tickets, [tickets[1]]]);
    expect(jobs[1]!.results).toEqual([
      expect.objectContaining({ id: tickets[1], success: false, error: 'RecordInvalid' }),
    ]);
    const rows = await Promise.all(calls.map((c) => callRow(c.callId)));
    expect(rows.map((r) => r?.summary_status)).toEqual(['posted', 'failed', 'posted']);
    expect(rows[1]).toMatchObject({ summary_attempts: 2 });
    expect(summariesOn(tickets[0]!, calls[0]!.callId)).toHaveLength(1);
    expect(summariesOn(tickets[1]!, calls[1]!.callId)).toHaveLength(0);
    expect(summariesOn(tickets[2]!, calls[2]!.callId)).toHaveLength(1);
  });

  it('keeps two notes for one ticket apart: successive jobs, both posted', async () => {
    const [a, b] = [
      invite({ ticket_id: String(OPEN_TICKET_ID) }),
      invite({ ticket_id: String(OPEN_TICKET_ID) }),
    ];
    for (const req of [a, b]) await decide(req);
    await end([{ callId: a.call_id }, { callId: b.call_id }]);
    await settled();
    const jobs = [...standin.state.jobs.values()];
    expect(jobs.map((j) => j.items.map((i) => i.id))).toEqual([[OPEN_TICKET_ID], [OPEN_TICKET_ID]]);
    expect(summariesOn(OPEN_TICKET_ID, a.call_id)).toHaveLength(1);
    expect(summariesOn(OPEN_TICKET_ID, b.call_id)).toHaveLength(1);
  });

  it('loses nothing while Zendesk answers errors, and posts once it is back', async () => {
    const calls = await callsOn(newTickets(5));
    standin.setFaults({ serverError: { count: 1000, status: 503 }, failPaths: 'update_many' });
    await end(calls);
    await expect
      .poll(async () => (await callRow(calls[0]!.callId))?.summary_attempts, { timeout: 5000 })
      .toBe(1);
    const zendesk = zendeskFromEnv(env, { timeoutMs: BACKGROUND_TIMEOUT_MS });
    // Cron runs while Zendesk is still failing: one request each, nothing queued, nothing lost.
    for (let i = 0; i < 3; i++) {
      expect(await flushNotes(env.DB, zendesk)).toEqual({ jobsSent: 0, itemsSent: 0 });
    }
    const rows = await Promise.all(calls.map((c) => callRow(c.callId)));
    expect(rows.every((r) => r?.summary_status === 'pending' && r.summary_attempts === 4)).toBe(
      true,
    );
    expect(standin.state.jobs.size).toBe(0);

    standin.setFaults({});
    const before = standin.requests.length;
    expect(await flushNotes(env.DB, zendesk, { pollDelaysMs: [0, 0] })).toEqual({
      jobsSent: 1,
      itemsSent: 5,
    });
    expect(requestsSince(before)).toHaveLength(3);
    for (const { callId, ticket } of calls) {
      expect(summariesOn(ticket, callId)).toHaveLength(1);
      expect((await callRow(callId))?.summary_status).toBe('posted');
    }
  });

  it('gives a note up as failed after the attempt limit while Zendesk keeps failing', async () => {
    const [call] = await callsOn(newTickets(1));
    standin.setFaults({ serverError: { count: 1000, status: 503 }, failPaths: 'update_many' });
    await end([call!]);
    await expect
      .poll(async () => (await callRow(call!.callId))?.summary_attempts, { timeout: 5000 })
      .toBe(1);
    const zendesk = zendeskFromEnv(env, { timeoutMs: BACKGROUND_TIMEOUT_MS });
    for (let i = 1; i < MAX_NOTE_ATTEMPTS; i++) await flushNotes(env.DB, zendesk);
    expect(await callRow(call!.callId)).toMatchObject({
      summary_status: 'failed',
      summary_attempts: MAX_NOTE_ATTEMPTS,
    });
  });

  it('checks notes sent while Zendesk was unreachable before sending them again', async () => {
    const calls = await callsOn(newTickets(2));
    takeZendeskDown();
    await end(calls);
    // No answer: the job may have been queued, so its notes stay claimed.
    await expect
      .poll(async () => (await callRow(calls[1]!.callId))?.summary_status, { timeout: 5000 })
      .toBe('posting');
    const zendesk = zendeskFromEnv(env, { timeoutMs: BACKGROUND_TIMEOUT_MS });
    bringZendeskBack();
    const before = standin.requests.length;
    // Not stale yet: the notes wait.
    expect(await flushNotes(env.DB, zendesk)).toEqual({ jobsSent: 0, itemsSent: 0 });
    expect(requestsSince(before)).toEqual([]);
    // Stale: each ticket's newest comments are read; the notes are not there, so they are sent.
    const later = () => Date.now() + STALE_SENDING_MS + 1000;
    expect(await flushNotes(env.DB, zendesk, { now: later, pollDelaysMs: [0, 0] })).toEqual({
      jobsSent: 1,
      itemsSent: 2,
    });
    expect(requestsSince(before).slice(0, 2).sort()).toEqual(
      calls.map((c) => `GET /api/v2/tickets/${c.ticket}/comments.json`).sort(),
    );
    for (const { callId, ticket } of calls) {
      expect(summariesOn(ticket, callId)).toHaveLength(1);
      expect(await callRow(callId)).toMatchObject({
        summary_status: 'posted',
        summary_attempts: 2,
      });
    }
  });

  it('follows a job still running on the next cron run', async () => {
    const [call] = await callsOn(newTickets(1));
    const zendesk = zendeskFromEnv(env, { timeoutMs: BACKGROUND_TIMEOUT_MS });
    // Nothing flushes in the background here: the summary is made due directly.
    await env.DB.prepare(
      `UPDATE calls SET status = 'cancelled', summary_status = 'pending' WHERE call_id = ?`,
    )
      .bind(call!.callId)
      .run();
    // No polls in this run: the job is left queued at Zendesk.
    expect(await flushNotes(env.DB, zendesk, { pollDelaysMs: [] })).toEqual({
      jobsSent: 1,
      itemsSent: 1,
    });
    expect((await callRow(call!.callId))?.summary_status).toBe('posting');
    const before = standin.requests.length;
    // A flush right away leaves the job to the flush that sent it (it may still be polling).
    await flushNotes(env.DB, zendesk);
    expect(requestsSince(before)).toEqual([]);
    // The cron runs later: it polls the job, once a run.
    const later = (ms: number) => () => Date.now() + ms;
    await flushNotes(env.DB, zendesk, { now: later(5 * 60_000) }); // working
    await flushNotes(env.DB, zendesk, { now: later(10 * 60_000) }); // completed
    expect(requestsSince(before)).toHaveLength(2);
    expect(requestsSince(before).every((r) => r.startsWith('GET /api/v2/job_statuses/'))).toBe(
      true,
    );
    expect((await callRow(call!.callId))?.summary_status).toBe('posted');
    expect(summariesOn(call!.ticket, call!.callId)).toHaveLength(1);
  });

  it('sends the notes of a job Zendesk failed again, and checks those of a job it forgot', async () => {
    const [failed, forgotten] = await callsOn(newTickets(2));
    const zendesk = zendeskFromEnv(env, { timeoutMs: BACKGROUND_TIMEOUT_MS });
    const due = (callId: string) =>
      env.DB.prepare(
        `UPDATE calls SET status = 'cancelled', summary_status = 'pending' WHERE call_id = ?`,
      )
        .bind(callId)
        .run();
    // Two jobs left queued at Zendesk (no polls in these runs).
    await due(failed!.callId);
    await flushNotes(env.DB, zendesk, { pollDelaysMs: [] });
    await due(forgotten!.callId);
    await flushNotes(env.DB, zendesk, { pollDelaysMs: [] });
    const [first, second] = [...standin.state.jobs.values()];
    first!.status = 'failed';
    standin.state.jobs.delete(second!.id);

    const before = standin.requests.length;
    await flushNotes(env.DB, zendesk, { pollDelaysMs: [0, 0], now: () => Date.now() + 60_000 });
    // The failed job's note went out again; the forgotten job's note was looked for, not found
    // (the job never ran), and sent again too: one new job for both.
    const sent = requestsSince(before);
    expect(sent).toContain(`GET /api/v2/tickets/${forgotten!.ticket}/comments.json`);
    expect(sent.filter((r) => r.startsWith('PUT '))).toEqual([
      'PUT /api/v2/tickets/update_many.json',
    ]);
    for (const { callId, ticket } of [failed!, forgotten!]) {
      expect(summariesOn(ticket, callId)).toHaveLength(1);
      expect(await callRow(callId)).toMatchObject({
        summary_status: 'posted',
        summary_attempts: 2,
      });
    }
  });
});
