import { beforeAll, describe, expect, it } from 'vitest';
import { runInNamespace } from './harness/netns';
import { sipToolsAvailable } from './harness/tools';

// A hostile trunk against the whole path (real Kamailio, agent, Worker and local D1; the Zendesk
// stand-in), inside a loopback-only network namespace: netns/hostile.run.ts plays the calls and
// reports what every side saw; each case here is one defence of docs/security.md.
const RUNNER = new URL('./netns/hostile.run.ts', import.meta.url).pathname;

describe.skipIf(!sipToolsAvailable())('the edge policy against a hostile trunk', () => {
  let r: any;
  let output = '';

  beforeAll(async () => {
    const run = await runInNamespace(RUNNER, 240_000);
    output = run.output;
    r = run.result;
  }, 250_000);

  const why = () => `${JSON.stringify(r, null, 1).slice(0, 6000)}\n${output.slice(-3000)}`;

  it('ran, and the agent synced the block list into Kamailio', () => {
    expect(r.error, why()).toBeUndefined();
    expect(r.blockedSynced).toBe(true);
  });

  it('refuses a blocked caller with 603 whatever their headers (non-UTF-8 From or PAI, long UA)', () => {
    expect(r.blocked, why()).toEqual(['603 Decline', '603 Decline', '603 Decline']);
    expect(r.blockedRecords).toEqual([603, 603]);
  });

  it('decides and records callers whose headers were not UTF-8 or too long, with the facts made safe', () => {
    expect(r.relayed, why()).toEqual(['486 Busy Here', '486 Busy Here']);
    expect(r.relayedReachedTarget).toBe(2);
    expect(r.relayedRecords).toMatchObject({
      latin1Caller: '+14155550123',
      latin1Decision: { action: 'relay', degraded: [] },
      longUaLength: 512,
      longUaDecision: 'relay',
    });
    expect(r.relayedRecords.latin1From).toMatch(/^"M\uFFFDller" <sip:\+14155550123@127\.0\.0\.1>/);
  });

  it('refuses over-long identity headers and a Call-ID with a space, asking nobody', () => {
    expect(r.refused, why()).toEqual({
      longFrom: '400 From or To header too long',
      longPai: '400 P-Asserted-Identity too long',
      callIdWithSpace: '400 Invalid Call-ID',
    });
    expect(r.refusedRecorded).toBe(0);
  });

  it("refuses an INVITE reusing another line's Call-ID, and leaves that call's record alone", () => {
    expect(r.callIdReuse, why()).toEqual({
      first: '486 Busy Here',
      reused: '400 Call-ID already in use',
      records: [{ line: 'demo', status: 'failed', final: 486 }],
    });
  });

  it('relays only the SDP part of a multipart body (SDP + ISUP)', () => {
    expect(r.multipart, why()).toEqual({
      final: '486 Busy Here',
      contentType: ['application/sdp'],
      hasIsup: false,
      hasSdp: true,
    });
  });

  it('refuses bodies it cannot vet (415 with Accept) and SRTP in any form (488)', () => {
    expect(r.refusedBodies, why()).toEqual({
      mixedSrtp: '488 SRTP not supported',
      noSdp: '415 Unsupported Media Type',
      noSdpAccept: ['application/sdp'],
      otherLabel: '415 Unsupported Media Type',
      gzip: '415 Unsupported Media Type',
      crypto: '488 SRTP not supported',
      noType: '415 Unsupported Media Type',
    });
    // Only the control call of that step reached the target.
    expect(r.bodiesControl).toBe('486 Busy Here');
    expect(r.bodiesTargetInvites).toBe(1);
  });

  it.each([
    ['an SRTP re-INVITE', 'reinvite_srtp', 'SIP/2.0 488 SRTP not supported'],
    ['a G.729-only re-INVITE', 'reinvite_g729', 'SIP/2.0 488 PCMU or PCMA required'],
    [
      'a re-INVITE whose SDP is labelled text/plain',
      'reinvite_otherLabel',
      'SIP/2.0 415 Unsupported Media Type',
    ],
  ])('refuses %s mid-dialog; the target never sees it and the call goes on', (_, key, status) => {
    const c = r[key];
    expect(c.callerCode, why()).toBe(0);
    expect(c.responses).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 200 OK', status, 'SIP/2.0 200 OK']);
    expect(c.targetInvites).toBe(1);
  });

  it('ends a call whose late-offer answer (in the ACK) breaks the media policy: BYE to both sides', () => {
    expect(r.badAckAnswer, why()).toMatchObject({
      callerCode: 0,
      callerGotBye: true,
      targetGotBye: true,
      targetGotAck: false,
    });
  });

  it('ends a call whose target answers outside the media policy (G.729 in the 200): BYE to both', () => {
    expect(r.badReplyAnswer, why()).toMatchObject({
      callerCode: 0,
      callerGotBye: true,
      targetGotBye: true,
    });
  });

  it('records both calls as ended by the proxy, with the media policy as the reason', () => {
    expect(r.policyEnds, why()).toEqual([
      {
        code: 200,
        reason: 'media policy: PCMU or PCMA required',
        ended_by: 'proxy',
        cause: null,
        ended_by_admin: null,
      },
      {
        code: 200,
        reason: 'media policy: SDP answer outside the media policy',
        ended_by: 'proxy',
        cause: null,
        ended_by_admin: null,
      },
    ]);
  });

  it('keeps both breakers closed under a stream of hostile but well-formed calls', () => {
    expect(r.stream, why()).toEqual(Array.from({ length: 20 }, () => '486 Busy Here'));
    expect(r.streamBreaker).toEqual({ kamailioFailures: 0, agent: 'closed' });
  });

  it('with the Worker frozen: relays and later records every call, and still refuses blocked callers', () => {
    expect(r.frozen, why()).toEqual(Array.from({ length: 8 }, () => '486 Busy Here'));
    expect(r.breakerWhileFrozen).toBe('open');
    // E.164 and the national form the caller may send.
    expect(r.blockedWhileFrozen).toEqual(['603 Decline', '603 Decline']);
    expect(r.frozenRecords).toHaveLength(8);
    for (const decision of r.frozenRecords) {
      expect(decision).toMatchObject({ action: 'relay', degraded: ['decision:not_received'] });
    }
  });

  it('closes the breaker by its own probe once the Worker answers (no call needed), and decides', () => {
    // Polled (bounded, 4 s) before any call was placed after the Worker came back.
    expect(r.breakerClosedAfterMs, why()).not.toBeNull();
    expect(r.afterRecovery).toEqual({ action: 'relay', code: null, reason: null, degraded: [] });
  });

  it('with the agent stopped: Kamailio refuses a blocked caller on its own', () => {
    expect(r.blockedWhileAgentDown, why()).toBe('603 Decline');
  });

  it('dispatches only the JSON-RPC methods the agent and CLI use', () => {
    expect(r.rpc, why()).toEqual({
      listcon: 403,
      leaked: false,
      version: expect.stringMatching(/^kamailio \d/),
    });
  });

  it("never bans a line's own target, even under a spoofed flood; bans a stranger", () => {
    expect(r.floodFromTarget, why()).toBe(50);
    expect(r.floodFromStranger).toBeLessThan(50);
  });
});
