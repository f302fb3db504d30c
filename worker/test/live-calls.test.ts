// Live calls and the admin's hang-up (issue 17): what the console and scripts see, who may end a
// call, and how the hang-up travels to the edge (polled, at most once, expiring) and back into
// the call record.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { COMMAND_TTL_S } from '@sip-bridge/contract/edge-commands';
import { API_USER_ID, DEMO_OAUTH_TOKENS, OPEN_TICKET_ID } from '@sip-bridge/zendesk-standin/seed';
import { LIVE_WINDOW_MS, listLiveCalls, RINGING_WINDOW_MS } from '../src/calls/live';
import { claimCommands, expireCommands } from '../src/commands/store';
import {
  adminFetch,
  appFetch,
  callRow,
  createTestLine,
  decide,
  edgeFetch,
  installStandin,
  invite,
} from './harness';

const ADMIN = DEMO_OAUTH_TOKENS.apiUser;
const AGENT = DEMO_OAUTH_TOKENS.graceHopper;

beforeEach(async () => {
  installStandin();
  await env.DB.exec(
    'DELETE FROM edge_commands; DELETE FROM calls; DELETE FROM call_events; DELETE FROM acl_entries; DELETE FROM lines',
  );
  await createTestLine();
});

const iso = (ms: number) => new Date(ms).toISOString();

async function events(list: Record<string, unknown>[]) {
  const res = await edgeFetch('/v1/edge/events', { events: list });
  expect(res.status).toBe(200);
}

/** A call decided by the Worker and answered at `answeredAt` (default: now). */
async function answeredCall(opts: { ticket?: boolean; answeredAt?: string } = {}) {
  const req = invite(opts.ticket ? { ticket_id: String(OPEN_TICKET_ID) } : {});
  expect((await decide(req)).status).toBe(200);
  await events([
    {
      call_id: req.call_id,
      kind: 'answered',
      at: opts.answeredAt ?? iso(Date.now()),
      sip_code: 200,
    },
  ]);
  return req.call_id;
}

const consoleGet = (path: string, token: string) =>
  appFetch(path, undefined, { agentToken: token });
const consolePost = (path: string, token: string) =>
  appFetch(path, undefined, { agentToken: token, method: 'POST' });
const hangupPath = (prefix: string, callId: string) =>
  `${prefix}/calls/${encodeURIComponent(callId)}/hangup`;
const commandCount = async () =>
  (await env.DB.prepare('SELECT COUNT(*) AS n FROM edge_commands').first<{ n: number }>())!.n;
const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;

async function pollCommands() {
  const res = await edgeFetch('/v1/edge/commands');
  expect(res.status).toBe(200);
  return ((await res.json()) as { commands: { id: string; kind: string; call_id: string }[] })
    .commands;
}
const report = (id: string, body: unknown) => edgeFetch(`/v1/edge/commands/${id}/result`, body);

describe('the live calls list', () => {
  it('lists ringing and answered calls with caller, matched user and ticket, and no ended ones', async () => {
    const answered = await answeredCall({ ticket: true });
    const ringing = invite({ from: '<sip:+14155550199@carrier.example>;tag=2' });
    await decide(ringing);
    const ended = await answeredCall();
    await events([{ call_id: ended, kind: 'ended', at: iso(Date.now()), ended_by: 'caller' }]);

    const res = await consoleGet('/v1/console/calls/live', ADMIN);
    expect(res.status).toBe(200);
    const { calls } = (await res.json()) as { calls: Record<string, any>[] };
    expect(calls.map((c) => c.call_id).sort()).toEqual([answered, ringing.call_id].sort());
    expect(calls.find((c) => c.call_id === answered)).toMatchObject({
      line: 'ai-agent',
      status: 'answered',
      caller: { e164: '+14155550100', kind: 'e164' },
      matched_user: { result: 'matched', user_id: 20001 },
      ticket_id: OPEN_TICKET_ID,
      hangup: null,
    });
    expect(calls.find((c) => c.call_id === ringing.call_id)).toMatchObject({
      status: 'ringing',
      answered_at: null,
      duration_s: null,
    });
  });

  it('gives the duration since the call was answered, on the clock it is given', async () => {
    const answeredAt = Date.parse('2026-12-02T10:00:00.000Z');
    const callId = await answeredCall({ answeredAt: iso(answeredAt) });
    // Received now (the decision), answered earlier on purpose: the list counts from the answer.
    const [call] = await listLiveCalls(env.DB, answeredAt + 95_000);
    expect(call).toMatchObject({ call_id: callId, duration_s: 95 });
  });

  it('leaves out a call that has rung past any ring timeout, whose end was lost', async () => {
    const answered = await answeredCall();
    const ringing = invite({ from: '<sip:+14155550199@carrier.example>;tag=3' });
    await decide(ringing);
    const later = Date.now() + RINGING_WINDOW_MS + 1000;
    expect((await listLiveCalls(env.DB, later)).map((c) => c.call_id)).toEqual([answered]);
    expect(await listLiveCalls(env.DB, Date.now() + LIVE_WINDOW_MS + 1000)).toEqual([]);
  });

  it('is the same for scripts with the admin token', async () => {
    const callId = await answeredCall();
    const res = await adminFetch('/v1/admin/calls/live');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { calls: { call_id: string }[] }).calls[0]!.call_id).toBe(callId);
  });
});

describe('who may see and end live calls', () => {
  it('refuses an agent with 403 admin_required, before anything is read or queued', async () => {
    const callId = await answeredCall();
    const listed = await consoleGet('/v1/console/calls/live', AGENT);
    expect(listed.status).toBe(403);
    expect(await errorOf(listed)).toBe('admin_required');
    const ended = await consolePost(hangupPath('/v1/console', callId), AGENT);
    expect(ended.status).toBe(403);
    expect(await errorOf(ended)).toBe('admin_required');
    // A Call-ID that does not exist is refused the same way: no handler ran to find out.
    const unknown = await consolePost(hangupPath('/v1/console', 'nope@x'), AGENT);
    expect(unknown.status).toBe(403);
    expect(await commandCount()).toBe(0);
  });

  it('refuses the admin API without the admin token, and the edge poll without a signature', async () => {
    const callId = await answeredCall();
    const res = await adminFetch(hangupPath('/v1/admin', callId), {
      method: 'POST',
      token: 'x'.repeat(32),
    });
    expect(res.status).toBe(401);
    const unsigned = await adminFetch('/v1/edge/commands');
    expect(unsigned.status).toBe(401);
    expect(await commandCount()).toBe(0);
  });
});

describe('ending a call', () => {
  it('queues one hang-up, hands it to one edge poll, and records who ended the call', async () => {
    const callId = await answeredCall();
    const asked = await consolePost(hangupPath('/v1/console', callId), ADMIN);
    expect(asked.status).toBe(202);
    const { hangup } = (await asked.json()) as { hangup: Record<string, any> };
    expect(hangup).toMatchObject({ status: 'queued', requested_by: `zendesk_user:${API_USER_ID}` });

    // A second click (or another admin) queues nothing more.
    const again = await consolePost(hangupPath('/v1/console', callId), ADMIN);
    expect(again.status).toBe(409);
    expect(await errorOf(again)).toBe('hangup_already_requested');

    const first = await pollCommands();
    expect(first).toEqual([
      { id: hangup.id, kind: 'hangup', call_id: callId, expires_at: expect.any(String) },
    ]);
    expect(await pollCommands()).toEqual([]); // at most once

    const listed = (await (await consoleGet('/v1/console/calls/live', ADMIN)).json()) as {
      calls: { hangup: { status: string } | null }[];
    };
    expect(listed.calls[0]!.hangup!.status).toBe('sent');

    // Kamailio ends the dialog: the agent reports, then the ended event arrives.
    const done = await report(hangup.id, { status: 'done' });
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ id: hangup.id, status: 'done', recorded: true });
    // A retried report is acknowledged, not applied again.
    expect(await (await report(hangup.id, { status: 'done' })).json()).toMatchObject({
      recorded: false,
    });
    await events([
      {
        call_id: callId,
        kind: 'ended',
        at: iso(Date.now()),
        ended_by: 'proxy',
        reason: 'ended by the operator',
      },
    ]);
    expect(await callRow(callId)).toMatchObject({
      status: 'completed',
      ended_by: 'admin',
      final_cause: 'admin_hangup',
      ended_by_admin: `zendesk_user:${API_USER_ID}`,
    });
    const live = (await (await consoleGet('/v1/console/calls/live', ADMIN)).json()) as {
      calls: unknown[];
    };
    expect(live.calls).toEqual([]);
  });

  it('records the admin token as the one who ended it, also when the ended event came first', async () => {
    const callId = await answeredCall();
    const asked = await adminFetch(hangupPath('/v1/admin', callId), { method: 'POST' });
    expect(asked.status).toBe(202);
    const [command] = await pollCommands();
    await events([
      {
        call_id: callId,
        kind: 'ended',
        at: iso(Date.now()),
        ended_by: 'proxy',
        reason: 'ended by the operator',
      },
    ]);
    expect((await callRow(callId))!.ended_by).toBe('proxy');
    expect((await report(command!.id, { status: 'done' })).status).toBe(200);
    expect(await callRow(callId)).toMatchObject({
      ended_by: 'admin',
      final_cause: 'admin_hangup',
      ended_by_admin: 'admin_token',
    });
  });

  it('records a failure the edge reports, leaves the call live and lets the admin try again', async () => {
    const callId = await answeredCall();
    await adminFetch(hangupPath('/v1/admin', callId), { method: 'POST' });
    const [command] = await pollCommands();
    const failed = await report(command!.id, { status: 'failed', failure: 'kamailio_unreachable' });
    expect(await failed.json()).toMatchObject({ status: 'failed', recorded: true });
    const [call] = await listLiveCalls(env.DB, Date.now());
    expect(call!.hangup).toMatchObject({ status: 'failed', failure: 'kamailio_unreachable' });
    expect((await callRow(callId))!.ended_by_admin).toBeNull();
    // A done result after the failure is refused: a command has one result.
    const late = await report(command!.id, { status: 'done' });
    expect(late.status).toBe(409);
    expect(await errorOf(late)).toBe('command_not_sent');
    expect((await adminFetch(hangupPath('/v1/admin', callId), { method: 'POST' })).status).toBe(
      202,
    );
  });

  it('expires a hang-up no edge picked up in time, and never hands it out after', async () => {
    const callId = await answeredCall();
    await adminFetch(hangupPath('/v1/admin', callId), { method: 'POST' });
    const later = Date.now() + COMMAND_TTL_S * 1000 + 1;
    // The admin sees it expired while no edge polls at all.
    const [call] = await listLiveCalls(env.DB, later);
    expect(call!.hangup!.status).toBe('expired');
    expect(await claimCommands(env.DB, later)).toEqual([]);
    expect(await pollCommands()).toEqual([]);
    // And may ask again.
    expect((await adminFetch(hangupPath('/v1/admin', callId), { method: 'POST' })).status).toBe(
      202,
    );
  });

  it('fails a sent hang-up whose result never came', async () => {
    const callId = await answeredCall();
    await adminFetch(hangupPath('/v1/admin', callId), { method: 'POST' });
    const [command] = await pollCommands();
    await env.DB.batch(expireCommands(env.DB, Date.now() + COMMAND_TTL_S * 1000 + 1));
    const [call] = await listLiveCalls(env.DB, Date.now());
    expect(call!.hangup).toMatchObject({ id: command!.id, status: 'failed', failure: 'no_result' });
  });

  it('answers a call that is not live with a precise 404 or 409, queuing nothing', async () => {
    const unknown = await adminFetch(hangupPath('/v1/admin', 'no-such-call@edge.test'), {
      method: 'POST',
    });
    expect(unknown.status).toBe(404);
    expect(await errorOf(unknown)).toBe('call_not_found');

    const ringing = invite();
    await decide(ringing);
    const early = await adminFetch(hangupPath('/v1/admin', ringing.call_id), { method: 'POST' });
    expect(early.status).toBe(409);
    expect(await errorOf(early)).toBe('call_not_answered');

    const ended = await answeredCall();
    await events([{ call_id: ended, kind: 'ended', at: iso(Date.now()), ended_by: 'callee' }]);
    const over = await adminFetch(hangupPath('/v1/admin', ended), { method: 'POST' });
    expect(over.status).toBe(409);
    const body = (await over.json()) as { error: string; message: string };
    expect(body.error).toBe('call_not_live');
    expect(body.message).not.toContain(ended);

    const bad = await adminFetch(`/v1/admin/calls/${'x'.repeat(300)}/hangup`, { method: 'POST' });
    expect(bad.status).toBe(400);
    expect(await commandCount()).toBe(0);
  });

  it('refuses a result that is not one the edge can send, or for an unknown command', async () => {
    const callId = await answeredCall();
    await adminFetch(hangupPath('/v1/admin', callId), { method: 'POST' });
    const [command] = await pollCommands();
    const invalid = await report(command!.id, { status: 'failed', failure: 'because' });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { issues: { path: string }[] }).issues[0]!.path).toBe(
      'failure',
    );
    const unknown = await report(crypto.randomUUID(), { status: 'done' });
    expect(unknown.status).toBe(404);
    expect(await errorOf(unknown)).toBe('command_not_found');
  });
});

describe('the OpenAPI document', () => {
  it('describes the live calls, hang-up and command routes', async () => {
    const doc = (await (await adminFetch('/openapi.json')).json()) as {
      paths: Record<string, unknown>;
    };
    for (const path of [
      '/v1/console/calls/live',
      '/v1/console/calls/{call_id}/hangup',
      '/v1/admin/calls/live',
      '/v1/admin/calls/{call_id}/hangup',
      '/v1/edge/commands',
      '/v1/edge/commands/{id}/result',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
  });
});
