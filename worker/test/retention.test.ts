// The cron's retention purge, run through the Worker's scheduled handler at a chosen time.
import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ZendeskStandin } from '@sip-bridge/zendesk-standin/app';
import { OPEN_TICKET_ID } from '@sip-bridge/zendesk-standin/seed';
import worker from '../src/index';
import { PURGE_BATCH_ROWS } from '../src/calls/retention';
import type { Env } from '../src/env';
import { callRow, createTestLine, decide, edgeFetch, installStandin, invite } from './harness';

const DAY_MS = 86_400_000;
/** The cron run's scheduled time: the purge's clock. */
const NOW = Date.parse('2027-03-01T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const daysAgo = (days: number) => iso(NOW - days * DAY_MS);

let standin: ZendeskStandin;
beforeEach(async () => {
  standin = installStandin();
  await env.DB.exec(
    'DELETE FROM calls; DELETE FROM call_events; DELETE FROM caller_matches; DELETE FROM handoffs; DELETE FROM lines',
  );
  await createTestLine();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs the Worker's cron handler at `scheduledTime` with these settings, to its end. */
async function runCron(settings: Partial<Env> = {}, scheduledTime = NOW) {
  const ctx = createExecutionContext();
  await worker.scheduled(
    createScheduledController({ scheduledTime, cron: '*/5 * * * *' }),
    { ...env, ...settings },
    ctx,
  );
  await waitOnExecutionContext(ctx);
}

/** A call decided and (optionally) answered and ended through the edge API, then aged. */
async function callLastWritten(
  updatedAt: string,
  events: ('answered' | 'ended')[] = ['answered', 'ended'],
) {
  const req = invite();
  expect((await decide(req)).status).toBe(200);
  if (events.length) {
    const res = await edgeFetch('/v1/edge/events', {
      events: events.map((kind, i) => ({
        call_id: req.call_id,
        kind,
        at: iso(NOW - 100 * DAY_MS + i * 1000),
        ...(kind === 'ended' ? { ended_by: 'caller' } : {}),
      })),
    });
    expect(res.status).toBe(200);
  }
  await env.DB.prepare('UPDATE calls SET updated_at = ? WHERE call_id = ?')
    .bind(updatedAt, req.call_id)
    .run();
  return req.call_id;
}

async function eventsOf(callId: string) {
  return (
    await env.DB.prepare('SELECT kind FROM call_events WHERE call_id = ? ORDER BY kind')
      .bind(callId)
      .all<{ kind: string }>()
  ).results.map((r) => r.kind);
}

const count = async (sql: string) =>
  (await env.DB.prepare(sql).first<{ n: number }>())?.n ?? Number.NaN;

/** An event stored for a Call-ID that has no record, as the events endpoint keeps it. */
async function strayEvent(callId: string, receivedAt: string) {
  await env.DB.prepare(
    `INSERT INTO call_events (call_id, kind, at, received_at) VALUES (?, 'ended', ?, ?)`,
  )
    .bind(callId, receivedAt, receivedAt)
    .run();
}

async function cachedMatch(e164: string, expiresAt: number) {
  await env.DB.prepare(
    `INSERT INTO caller_matches (e164, result, user_id, candidates, expires_at) VALUES (?, 'no_match', NULL, '[]', ?)`,
  )
    .bind(e164, expiresAt)
    .run();
}

describe('retention purge (cron)', () => {
  it('deletes a call last written before the retention with its events, and keeps one written just after', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    const old = await callLastWritten(iso(NOW - 90 * DAY_MS - 1));
    const young = await callLastWritten(iso(NOW - 90 * DAY_MS + 1));
    expect(await eventsOf(old)).toEqual(['answered', 'ended']);

    await runCron({ RETENTION_DAYS: '90' });

    expect(await callRow(old)).toBeNull();
    expect(await eventsOf(old)).toEqual([]);
    expect(await callRow(young)).toMatchObject({
      status: 'completed',
      caller_e164: '+14155550100',
    });
    expect(await eventsOf(young)).toEqual(['answered', 'ended']);
    // Counts only: no Call-ID, no number.
    const line = info.mock.calls.map((args) => args.join(' ')).find((l) => l.includes('purge'));
    expect(line).toMatch(/deleted 1 calls with 2 events/);
    expect(line).not.toContain('+1415');
    expect(line).not.toContain(old);
  });

  it('purges a call lost while ringing or answered by its last event, and keeps one in progress', async () => {
    const lostRinging = await callLastWritten(daysAgo(120), []);
    const lostAnswered = await callLastWritten(daysAgo(95), ['answered']);
    const ringingNow = await callLastWritten(iso(NOW - 5_000), []);
    const answeredNow = await callLastWritten(iso(NOW - 60_000), ['answered']);

    await runCron();

    expect(await callRow(lostRinging)).toBeNull();
    expect(await callRow(lostAnswered)).toBeNull();
    expect(await eventsOf(lostAnswered)).toEqual([]);
    expect(await callRow(ringingNow)).toMatchObject({ status: 'ringing' });
    expect(await callRow(answeredNow)).toMatchObject({ status: 'answered' });
    expect(await eventsOf(answeredNow)).toEqual(['answered']);
  });

  it('keeps 90 days when RETENTION_DAYS is unset or empty', async () => {
    for (const RETENTION_DAYS of [undefined, '']) {
      const kept = await callLastWritten(daysAgo(89));
      const purged = await callLastWritten(daysAgo(91));
      await runCron({ RETENTION_DAYS });
      expect(await callRow(kept)).not.toBeNull();
      expect(await callRow(purged)).toBeNull();
    }
  });

  it('follows RETENTION_DAYS', async () => {
    const kept = await callLastWritten(daysAgo(6.9));
    const purged = await callLastWritten(daysAgo(7.1));
    await runCron({ RETENTION_DAYS: '7' });
    expect(await callRow(kept)).not.toBeNull();
    expect(await callRow(purged)).toBeNull();
  });

  it(`deletes at most ${PURGE_BATCH_ROWS} calls a run, oldest first, and the next run goes on`, async () => {
    const total = PURGE_BATCH_ROWS + 7;
    // One call a second, all older than the retention, each with two events.
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
       INSERT INTO calls (call_id, line_slug, source_ip, from_uri, to_uri, request_uri, caller_e164,
         caller_kind, match_result, ticket_link, decision, status, received_at, seq, created_at, updated_at)
       SELECT 'bulk-' || i, 'ai-agent', '192.0.2.10', '<sip:+14155550100@carrier.example>',
         '<sip:mongoose@mongoose.sip.twilio.com>', 'sip:mongoose@mongoose.sip.twilio.com',
         '+14155550100', 'e164', 'no_match', 'none', 'relay', 'completed', ?2, 100000 + i, ?2,
         strftime('%Y-%m-%dT%H:%M:%fZ', ?2, '+' || i || ' seconds')
       FROM n`,
    )
      .bind(total, daysAgo(200))
      .run();
    await env.DB.exec(
      `INSERT INTO call_events (call_id, kind, at, received_at) SELECT call_id, 'answered', received_at, received_at FROM calls;
       INSERT INTO call_events (call_id, kind, at, received_at) SELECT call_id, 'ended', received_at, received_at FROM calls;`,
    );

    await runCron();
    const left = await env.DB.prepare('SELECT call_id FROM calls ORDER BY updated_at').all<{
      call_id: string;
    }>();
    expect(left.results.map((r) => r.call_id)).toEqual(
      Array.from({ length: 7 }, (_, i) => `bulk-${PURGE_BATCH_ROWS + 1 + i}`),
    );
    expect(await count('SELECT COUNT(*) AS n FROM call_events')).toBe(14);

    await runCron();
    expect(await count('SELECT COUNT(*) AS n FROM calls')).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM call_events')).toBe(0);
  });

  it('deletes old events left without a call, but not young ones nor those of a kept call', async () => {
    await strayEvent('gone-long-ago@edge.test', daysAgo(91));
    await strayEvent('unknown-yesterday@edge.test', daysAgo(1));
    // Its events were stored long ago, but the record was written since: both stay.
    const kept = await callLastWritten(daysAgo(10));
    await env.DB.prepare('UPDATE call_events SET received_at = ? WHERE call_id = ?')
      .bind(daysAgo(150), kept)
      .run();

    await runCron();

    expect(await eventsOf('gone-long-ago@edge.test')).toEqual([]);
    expect(await eventsOf('unknown-yesterday@edge.test')).toEqual(['ended']);
    expect(await eventsOf(kept)).toEqual(['answered', 'ended']);
  });

  it('deletes expired caller matches (numbers, names) and keeps live ones', async () => {
    await cachedMatch('+14155550111', NOW - 1);
    await cachedMatch('+14155550122', NOW + 60_000);
    await runCron();
    const left = await env.DB.prepare('SELECT e164 FROM caller_matches').all<{ e164: string }>();
    expect(left.results.map((r) => r.e164)).toEqual(['+14155550122']);
  });

  it.each(['0', '3651', '-5', 'ninety', '30.5', '1e3', '90 days'])(
    'purges nothing when RETENTION_DAYS is %j, and says which variable is wrong',
    async (RETENTION_DAYS) => {
      const error = vi.spyOn(console, 'error').mockImplementation(() => {});
      const old = await callLastWritten(daysAgo(4000));
      await strayEvent('gone-long-ago@edge.test', daysAgo(4000));
      await cachedMatch('+14155550111', NOW - 1);

      await runCron({ RETENTION_DAYS });

      expect(await callRow(old)).not.toBeNull();
      expect(await eventsOf(old)).toEqual(['answered', 'ended']);
      expect(await eventsOf('gone-long-ago@edge.test')).toEqual(['ended']);
      expect(
        await count(`SELECT COUNT(*) AS n FROM caller_matches WHERE e164 = '+14155550111'`),
      ).toBe(1);
      const lines = error.mock.calls.map((args) => args.join(' '));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^RETENTION_DAYS must be a whole number of days from 1 to 3650/);
    },
  );

  it('deletes AI-agent handoffs made before the retention, their transcript with them', async () => {
    const insert = (id: string, createdAt: string) =>
      env.DB.prepare(
        `INSERT INTO handoffs (id, key_label, request_sha256, status, claimed_at, caller_e164,
           transcript, created_at) VALUES (?, 'Acme', 'x', 'completed', ?, '+14155550100', ?, ?)`,
      )
        .bind(id, createdAt, '[{"role":"caller","text":"my card number is…","at":null}]', createdAt)
        .run();
    await insert('ho_old', daysAgo(91));
    await insert('ho_young', daysAgo(89));
    await runCron();
    const left = await env.DB.prepare('SELECT id FROM handoffs').all<{ id: string }>();
    expect(left.results.map((r) => r.id)).toEqual(['ho_young']);
  });

  it('deletes edge commands (an admin’s hang-up names the call) asked before the retention', async () => {
    const insert = (id: string, createdAt: string) =>
      env.DB.prepare(
        `INSERT INTO edge_commands (id, kind, call_id, requested_by, status, created_at, expires_at)
         VALUES (?, 'hangup', ?, 'admin_token', 'done', ?, ?)`,
      )
        .bind(id, `${id}@edge.test`, createdAt, createdAt)
        .run();
    await insert('cmd-old', daysAgo(91));
    await insert('cmd-young', daysAgo(89));
    await runCron();
    const left = await env.DB.prepare('SELECT id FROM edge_commands').all<{ id: string }>();
    expect(left.results.map((r) => r.id)).toEqual(['cmd-young']);
  });

  it('still posts the summaries that are due in the same run', async () => {
    const req = invite({ ticket_id: String(OPEN_TICKET_ID) });
    await decide(req);
    await env.DB.prepare(
      `UPDATE calls SET summary_status = 'pending', status = 'cancelled', updated_at = ? WHERE call_id = ?`,
    )
      .bind(iso(NOW - 60_000), req.call_id)
      .run();
    const old = await callLastWritten(daysAgo(100));
    const before = standin.requests.length;

    await runCron();

    expect(await callRow(old)).toBeNull();
    expect((await callRow(req.call_id))?.summary_status).toBe('posted');
    const notes = (standin.state.comments.get(OPEN_TICKET_ID) ?? []).filter((c) =>
      c.body.includes(req.call_id),
    );
    expect(notes).toHaveLength(1);
    // Batched: one Update Many job and its polls, no single-ticket update.
    const sent = standin.requests.slice(before).map((r) => `${r.method} ${r.path}`);
    expect(sent.filter((r) => r.startsWith('PUT '))).toEqual([
      'PUT /api/v2/tickets/update_many.json',
    ]);
    expect(sent.some((r) => r.startsWith('GET /api/v2/job_statuses/'))).toBe(true);
  });
});
