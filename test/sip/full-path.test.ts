import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CallRecord } from '@sip-bridge/contract/calls';
import {
  CLOSED_TICKET_ID,
  DEMO_OAUTH_TOKENS,
  OPEN_TICKET_ID,
  PENDING_TICKET_ID,
} from '@sip-bridge/zendesk-standin/seed';
import {
  callIdOf,
  recordSettled as complete,
  startFullStack,
  type FullStack,
} from './harness/full-stack';
import { finalResponse, received } from './harness/sipp';
import { explain, RINGING } from './harness/suite';
import { sipToolsAvailable } from './harness/tools';
import { PORT_BLOCKS } from './harness/ports';

// The whole path with nothing faked but Zendesk: sipp → Kamailio → edge agent → Worker (wrangler
// dev, local D1) → Zendesk stand-in. What a caller, the Zendesk line and an agent reading the
// ticket or the call export would notice, including a Worker outage and an agent restart.
const BASE = PORT_BLOCKS.fullPath;
const ADA = '+14155550100';
const ADA_USER_ID = 20001;
const HOLD_MS = 1200;

describe.skipIf(!sipToolsAvailable())('full path: Kamailio, edge agent, Worker, Zendesk', () => {
  let s: FullStack;
  const suiteStarted = Date.now();

  beforeAll(async () => {
    s = await startFullStack(BASE, [
      { slug: 'demo', acl: ['127.0.0.1/32'], settings: { invalid_ticket: 'drop' } },
      // Its own source address, so the number blocked on it stays callable on the demo line.
      { slug: 'blocked', acl: ['127.0.0.2/32'] },
    ]);
    await s.warmUp('demo');
  }, 90_000);

  afterAll(async () => {
    await s?.stop();
    console.log(`full path suite: ${((Date.now() - suiteStarted) / 1000).toFixed(1)} s`);
  }, 30_000);

  /** Why a call's decision may not have come from the Worker: the agent's log lines about it. */
  const decidedBy = (callId: string) =>
    `agent log for ${callId}:\n${s.agentLog(callId) || '(nothing: the Worker answered in time)'}`;

  async function answeredCall(vars: Record<string, string>, ip = '127.0.0.1') {
    const uas = s.uas(0, 'uas-answer');
    const caller = await s.uac('uac-call', { HOLD_MS: '50', ...vars }, ip);
    const served = await uas.done;
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    const invite = received(served, /^INVITE /);
    expect(invite, explain(served)).toBeDefined();
    return { caller, invite: invite!, callId: callIdOf(caller) };
  }

  it('links the passed ticket, records the completed call and notes it on the ticket', async () => {
    const { caller, invite, callId } = await answeredCall({
      HEADERS: `X-Zendesk-Ticket-Id: ${OPEN_TICKET_ID}`,
      HOLD_MS: String(HOLD_MS),
    });
    expect(caller.messages[0]!.headers('From')[0]).toContain(ADA);
    expect(invite.headers('X-Zendesk-Ticket-Id')).toEqual([String(OPEN_TICKET_ID)]);

    const record = (await s.waitForRecords([callId], complete)).get(callId)!;
    expect(record, decidedBy(callId)).toMatchObject({
      line: 'demo',
      status: 'completed',
      caller: { e164: ADA, match: 'matched', user_id: ADA_USER_ID },
      ticket: { id: OPEN_TICKET_ID, link: 'passed', passed_id: String(OPEN_TICKET_ID) },
      decision: { action: 'relay', degraded: [] },
      final: { code: 200, ended_by: 'caller' },
      cost: { micros: 10_000, usd: '0.01' },
    });
    const { answered_at, ended_at } = record.timeline;
    expect(answered_at).not.toBeNull();
    expect(ended_at).not.toBeNull();
    // Event times are stamped as they arrive, so a loaded machine shifts them: order, not ms.
    expect(Date.parse(ended_at!)).toBeGreaterThan(Date.parse(answered_at!));
    expect(record.duration_s!).toBeGreaterThanOrEqual(1);

    // The sidebar app sees the same call on the ticket.
    const res = await fetch(`${s.workerUrl}/v1/tickets/${OPEN_TICKET_ID}/calls`, {
      headers: {
        Authorization: `Bearer ${await s.appJwt()}`,
        // The agent's OAuth token, as Zendesk's proxy fills in {{setting.token}} (docs/admins.md).
        'X-Zendesk-Agent-Token': `Bearer ${DEMO_OAUTH_TOKENS.graceHopper}`,
      },
    });
    expect(res.status).toBe(200);
    const linked = ((await res.json()) as { calls: CallRecord[] }).calls;
    expect(linked.filter((c) => c.call_id === callId)).toHaveLength(1);

    // The summary is posted after the call ended, asynchronously: a bounded wait for the note.
    const notes = await vi.waitFor(
      async () => {
        const state = await s.zendeskState();
        const found = (state.comments[String(OPEN_TICKET_ID)] ?? []).filter((c) =>
          c.body.includes(callId),
        );
        expect(found.length).toBeGreaterThan(0);
        return found;
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ public: false, type: 'Comment' });
    expect(notes[0]!.body).toContain('SIP call answered');
  }, 30_000);

  it('drops a closed ticket on a drop line: relayed without the header, recorded as dropped', async () => {
    const { invite, callId } = await answeredCall({
      HEADERS: `X-Zendesk-Ticket-Id: ${CLOSED_TICKET_ID}`,
    });
    const record = (await s.waitForRecords([callId], complete)).get(callId)!;
    expect(record, decidedBy(callId)).toMatchObject({
      status: 'completed',
      ticket: { id: null, link: 'dropped', passed_id: String(CLOSED_TICKET_ID) },
      decision: { action: 'relay', degraded: [] },
    });
    // Zendesk Talk must not see the closed ticket's id, or it would not make a fresh ticket.
    expect(invite.headers('X-Zendesk-Ticket-Id'), `${invite.text}\n${decidedBy(callId)}`).toEqual(
      [],
    );
  }, 20_000);

  it('declines a blocked caller with 603 and records the rejection', async () => {
    const block = await s.admin('POST', '/v1/admin/blocked-numbers', {
      number: ADA,
      line: 'blocked',
      reason: 'full-path test',
    });
    expect(block.status, JSON.stringify(block.body)).toBe(201);
    const caller = await s.uac('uac-reject', { CODE: '603' }, '127.0.0.2');
    expect(finalResponse(caller), explain(caller, s.edge)).toBe('SIP/2.0 603 Decline');
    const callId = callIdOf(caller);
    const record = (await s.waitForRecords([callId], complete)).get(callId)!;
    expect(record).toMatchObject({
      line: 'blocked',
      status: 'rejected',
      decision: { action: 'reject', code: 603, reason: 'Decline' },
      final: { code: 603 },
      caller: { e164: ADA },
    });
  }, 20_000);

  it('records a caller who gives up as cancelled (487) and a busy line as failed (486)', async () => {
    const ringing = s.uas(0, 'uas-ring');
    const cancelled = await s.uac('uac-cancel', { DELAY_MS: '200', PROGRESS: RINGING });
    await ringing.done;
    expect(cancelled.code, explain(cancelled, s.edge)).toBe(0);

    const busy = s.uas(0, 'uas-reject', { CODE: '486', REASON: 'Busy Here' });
    const refused = await s.uac('uac-reject', { CODE: '486' });
    await busy.done;
    expect(finalResponse(refused), explain(refused, s.edge)).toBe('SIP/2.0 486 Busy Here');

    const ids = [callIdOf(cancelled), callIdOf(refused)];
    const records = await s.waitForRecords(ids, complete);
    expect(records.get(ids[0]!)).toMatchObject({
      status: 'cancelled',
      final: { code: 487 },
      timeline: { answered_at: null },
      duration_s: 0,
    });
    expect(records.get(ids[1]!)).toMatchObject({
      status: 'failed',
      final: { code: 486, reason: 'Busy Here' },
      timeline: { answered_at: null },
    });
  }, 30_000);

  it('relays within the budget when Zendesk is slow, keeping the passed ticket unverified', async () => {
    await s.zendeskFaults({ latencyMs: 3000 });
    let result: Awaited<ReturnType<typeof answeredCall>>;
    try {
      result = await answeredCall({ HEADERS: `X-Zendesk-Ticket-Id: ${PENDING_TICKET_ID}` });
    } finally {
      await s.zendeskFaults({});
    }
    const { invite, callId } = result;
    expect(invite.headers('X-Zendesk-Ticket-Id')).toEqual([String(PENDING_TICKET_ID)]);
    // The Worker gave up on Zendesk inside the agent's 800 ms budget and still answered itself:
    // the agent did not fail open (it would log decide.fail_open), the record has the Worker's
    // own decision.
    expect(s.agentLog(callId)).not.toContain('decide.fail_open');
    const record = (await s.waitForRecords([callId], complete)).get(callId)!;
    expect(record, decidedBy(callId)).toMatchObject({
      status: 'completed',
      ticket: { id: PENDING_TICKET_ID, link: 'passed_unverified' },
      decision: { action: 'relay', degraded: expect.arrayContaining(['ticket:timeout']) },
    });
    expect(s.agent().agent.breaker.state, decidedBy(callId)).toBe('closed');
  }, 30_000);

  it('relays at once while the Worker hangs: breaker opens, every event arrives later', async () => {
    await s.hangWorker();
    const agent = s.agent().agent;
    const depthBefore = agent.spool.depth;
    /** How the agent decided a call: on the Worker's timeout, or without asking it. */
    const howDecided = (callId: string) => {
      const lines = s.agentLog(callId);
      if (!lines.includes('decide.fail_open')) return 'not asked';
      return /decide\.fail_open \{[^}]*"reason":"timeout"/.test(lines) ? 'timeout' : lines;
    };
    const calls: { callId: string; breaker: string; decided: string }[] = [];
    for (let i = 0; i < 8; i++) {
      const { invite, callId } = await answeredCall({
        HEADERS: `X-Zendesk-Ticket-Id: ${OPEN_TICKET_ID}`,
      });
      // Failing open keeps the ticket header Kamailio validated itself.
      expect(invite.headers('X-Zendesk-Ticket-Id')).toEqual([String(OPEN_TICKET_ID)]);
      calls.push({ callId, breaker: agent.breaker.state, decided: howDecided(callId) });
    }
    // Five decisions wait out the agent's 800 ms budget (each fails open on its timeout); then
    // the breaker is open and the calls after it are relayed without asking the Worker at all.
    expect(calls.map((c) => c.decided)).toEqual([
      ...Array(5).fill('timeout'),
      ...Array(3).fill('not asked'),
    ]);
    const breaker = calls.map((c) => (c.breaker === 'closed' ? 'closed' : 'open'));
    expect(breaker).toEqual([...Array(4).fill('closed'), ...Array(4).fill('open')]);

    // Every call's answered and ended events wait in the spool.
    await expect
      .poll(() => agent.spool.depth, { timeout: 5000 })
      .toBeGreaterThanOrEqual(depthBefore + 16);
    const down = await s.agentHealth();
    expect(down).toMatchObject({
      status: 'degraded',
      worker: { reachable: false, breaker: 'open' },
    });
    expect(down.spool.depth).toBe(depthBefore + 16);

    await s.startWorker();
    const ids = calls.map((c) => c.callId);
    const records = await s.waitForRecords(ids, complete, 30_000);
    for (const id of ids) {
      const record = records.get(id)!;
      expect(record, id).toMatchObject({
        status: 'completed',
        final: { code: 200, ended_by: 'caller' },
        ticket: { id: OPEN_TICKET_ID, link: 'passed_unverified' },
        decision: { action: 'relay', degraded: ['decision:not_received'] },
        cost: { micros: 10_000 },
      });
      expect(record.timeline.answered_at).not.toBeNull();
      expect(record.timeline.ended_at).not.toBeNull();
    }
    await expect.poll(async () => (await s.agentHealth()).spool.depth, { timeout: 10_000 }).toBe(0);

    // The agent's own /health probe closes the breaker once the Worker answers, before any call;
    // decisions come from the Worker again.
    await expect.poll(() => agent.breaker.state, { timeout: 6000 }).toBe('closed');
    const back = await answeredCall({ HEADERS: `X-Zendesk-Ticket-Id: ${OPEN_TICKET_ID}` });
    const probed = (await s.waitForRecords([back.callId], complete)).get(back.callId)!;
    expect(probed).toMatchObject({ ticket: { link: 'passed' }, decision: { degraded: [] } });
    expect((await s.agentHealth()).status).toBe('ok');
  }, 60_000);

  it('keeps spooled events through an agent restart and applies each once', async () => {
    await s.stopWorker();
    const before = s.agent();
    const first = [];
    for (let i = 0; i < 2; i++) {
      first.push(
        (await answeredCall({ HEADERS: `X-Zendesk-Ticket-Id: ${OPEN_TICKET_ID}` })).callId,
      );
    }
    await expect.poll(() => before.agent.spool.depth, { timeout: 5000 }).toBeGreaterThanOrEqual(4);
    expect(before.agent.spool.depth).toBe(4);

    await s.stopAgent();
    await expect(s.agentHealth()).rejects.toThrow();
    const after = await s.startAgent();
    expect(after.agent.spool.depth).toBe(4);

    const last = await answeredCall({ HEADERS: `X-Zendesk-Ticket-Id: ${OPEN_TICKET_ID}` });
    await expect.poll(() => after.agent.spool.depth, { timeout: 5000 }).toBeGreaterThanOrEqual(6);

    await s.startWorker();
    const ids = [...first, last.callId];
    await expect.poll(async () => (await s.agentHealth()).spool.depth, { timeout: 30_000 }).toBe(0);
    expect(after.agent.delivery.stats).toMatchObject({
      applied: 6,
      duplicate: 0,
      unknown_call: 0,
      rejected: 0,
    });
    expect(before.agent.delivery.stats.duplicate).toBe(0);

    const records = await s.waitForRecords(ids, complete, 10_000);
    for (const id of ids) {
      expect(records.get(id), id).toMatchObject({
        status: 'completed',
        final: { code: 200, ended_by: 'caller' },
        ticket: { id: OPEN_TICKET_ID },
      });
    }
    // Each call appears once in the export, whatever was delivered before or after the restart.
    const exported = (await s.exportCalls()).map((c) => c.call_id);
    expect(ids.map((id) => exported.filter((x) => x === id).length)).toEqual([1, 1, 1]);
  }, 60_000);

  // Kamailio keeps the events of calls made while the agent is stopped and posts them later.
  it('records a call made while the agent is stopped, with the times Kamailio saw', async () => {
    await s.stopAgent();
    const during = await answeredCall({ HEADERS: `X-Zendesk-Ticket-Id: ${OPEN_TICKET_ID}` });
    const backAt = Date.now();
    await s.startAgent();
    const record = (await s.waitForRecords([during.callId], complete, 20_000)).get(during.callId)!;
    expect(record).toMatchObject({
      status: 'completed',
      final: { code: 200, ended_by: 'caller' },
      decision: { degraded: ['decision:not_received'] },
    });
    expect(Date.parse(record.timeline.answered_at!)).toBeLessThan(backAt);
    expect(Date.parse(record.timeline.ended_at!)).toBeLessThan(backAt);
  }, 60_000);
});
