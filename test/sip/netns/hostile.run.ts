// Runs INSIDE a loopback-only network namespace (../hostile.test.ts): the whole path, nothing faked
// but Zendesk (Kamailio from the template, the real agent with ACL and block list sync, the real
// Worker on a local D1, the Zendesk stand-in), played by a hostile trunk. Prints one RESULT line.
import { randomBytes } from 'node:crypto';
import { createKamailioRpc, KamailioRpcError } from 'kamailio-jsonrpc';
import { startFullStack, callIdOf, type FullStack } from '../harness/full-stack';
import { G711_SDP, rawBurst, rawInvite, type RawInvite } from '../harness/raw-sip';
import { offer, received, type SippResult } from '../harness/sipp';
import { PORT_BLOCKS } from '../harness/ports';

const BASE = PORT_BLOCKS.hostile;
const EDGE = BASE;
const BLOCKED = '+14155550199';
/** A second line's only target: nothing listens there, it only sends (spoofed) requests. */
const OTHER_TARGET_IP = '127.0.0.9';

type Json = Record<string, unknown>;

/** How many requests of `method` a sipp end received. */
const receivedCount = (result: SippResult, method: string) =>
  result.messages.filter((m) => m.direction === 'received' && m.startLine.startsWith(`${method} `))
    .length;

let port = BASE + 40;
/** A fresh source port per raw call, so retransmissions of one never reach the next. */
const next = () => (port = port >= BASE + 69 ? BASE + 40 : port + 1);

async function main() {
  const s = await startFullStack(
    BASE,
    [
      { slug: 'demo', acl: ['127.0.0.1/32'] },
      {
        slug: 'other',
        acl: ['127.0.0.2/32'],
        settings: { sip_targets: [`sip:zendesk@${OTHER_TARGET_IP}:5060`] },
      },
    ],
    {
      aclSync: { intervalMs: 300 },
      limits: { flood_requests: 30, flood_window_seconds: 2, ban_seconds: 30 },
    },
  );
  const result: Json = {};
  try {
    const block = await s.admin('POST', '/v1/admin/blocked-numbers', {
      number: BLOCKED,
      line: 'demo',
    });
    if (block.status !== 201) throw new Error(`block: ${JSON.stringify(block.body)}`);
    result.blockedSynced = await waitForBlockedKey(s, `demo/${BLOCKED.slice(1)}`);

    Object.assign(result, await headers(s));
    Object.assign(result, await bodies(s));
    Object.assign(result, await midDialog(s));
    Object.assign(result, await failingOpen(s));
    Object.assign(result, await rpcAndFlood());
  } catch (error) {
    result.error = (error as Error).stack;
    result.agentLog = s.agentLog().slice(-3000);
    result.kamailioLog = s.edge.log().slice(-3000);
  } finally {
    await s.stop();
  }
  console.log(`RESULT ${JSON.stringify(result)}`);
}

/** Polls Kamailio's blocked htable (bounded) until the agent's sync has loaded `key`. */
async function waitForBlockedKey(s: FullStack, key: string): Promise<boolean> {
  for (let i = 0; i < 60; i++) {
    const dump = await s.edge.rpc.htableDump('blocked').catch(() => []);
    if (dump.some((item) => item.name === key)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

const latin1 = (text: string) => Buffer.from(text, 'latin1');
const invite = (options: Partial<RawInvite>) =>
  rawInvite({ ip: '127.0.0.1', port: next(), edgePort: EDGE, ...options });
const final = (r: Awaited<ReturnType<typeof rawInvite>>) =>
  r.final ? `${r.final.code} ${r.final.reason}` : 'none';

/** A target that refuses whatever reaches it (486), and what it saw. */
function refusingTarget(s: FullStack, calls = 1) {
  return s.uas(0, 'uas-reject', { CODE: '486', REASON: 'Busy Here' }, calls);
}

async function headers(s: FullStack): Promise<Json> {
  const out: Json = {};
  // Blocked callers whose headers Kamailio cannot put into JSON, or longer than the agent takes.
  const blockedLatin1 = await invite({
    from: latin1(`"M\xfcller" <sip:${BLOCKED}@127.0.0.1>`),
  });
  const blockedLongUa = await invite({
    from: `<sip:${BLOCKED}@127.0.0.1>`,
    userAgent: 'x'.repeat(600),
  });
  const blockedLatin1Pai = await invite({
    from: `<sip:anonymous@anonymous.invalid>`,
    headers: [
      Buffer.concat([latin1(`P-Asserted-Identity: "J\xe9r\xf4me" <sip:${BLOCKED}@127.0.0.1>`)]),
    ],
  });
  out.blocked = [final(blockedLatin1), final(blockedLongUa), final(blockedLatin1Pai)];

  // The same kinds of headers from a caller nobody blocked: decided, relayed, recorded.
  const uas = refusingTarget(s, 2);
  const relayedLatin1 = await invite({ from: latin1('"M\xfcller" <sip:+14155550123@127.0.0.1>') });
  const relayedLongUa = await invite({ userAgent: `Bot/${'y'.repeat(700)}` });
  const served = await uas.done;
  out.relayed = [final(relayedLatin1), final(relayedLongUa)];
  out.relayedReachedTarget = receivedCount(served, 'INVITE');
  const records = await s.waitForRecords(
    [relayedLatin1.callId, relayedLongUa.callId],
    (r) => r.status === 'failed',
  );
  const latin = records.get(relayedLatin1.callId)!;
  const longUa = records.get(relayedLongUa.callId)!;
  out.relayedRecords = {
    latin1From: latin.sip.from,
    latin1Caller: latin.caller.e164,
    latin1Decision: latin.decision,
    longUaLength: longUa.sip.user_agent?.length,
    longUaDecision: longUa.decision.action,
  };
  const blockedRecords = await s.waitForRecords(
    [blockedLatin1.callId, blockedLongUa.callId],
    (r) => r.status === 'rejected',
  );
  out.blockedRecords = [...blockedRecords.values()].map((r) => r.decision.code);

  // A Call-ID is global: reusing a call's Call-ID from another line never gets its decision.
  const reuseUas = refusingTarget(s);
  const firstUse = await invite({ headers: ['X-Zendesk-Ticket-Id: 1001'] });
  await reuseUas.done;
  await s.waitForRecords([firstUse.callId], (r) => r.status === 'failed');
  const reused = await invite({ ip: '127.0.0.2', callId: firstUse.callId });
  const original = (await s.exportCalls()).filter((c) => c.call_id === firstUse.callId);
  out.callIdReuse = {
    first: final(firstUse),
    reused: final(reused),
    records: original.map((c) => ({ line: c.line, status: c.status, final: c.final.code })),
  };

  // Refused outright, and never reaching the target or the agent.
  const before = (await s.exportCalls()).length;
  out.refused = {
    longFrom: final(await invite({ from: `"${'a'.repeat(1100)}" <sip:+14155550100@127.0.0.1>` })),
    longPai: final(
      await invite({ headers: [`P-Asserted-Identity: <sip:+1415@${'h'.repeat(1100)}.example>`] }),
    ),
    callIdWithSpace: final(await invite({ callId: 'abc def@hostile.test' })),
  };
  out.refusedRecorded = (await s.exportCalls()).length - before;
  return out;
}

const MULTIPART_BOUNDARY = 'b0undary';
function multipart(parts: { type: string; body: string }[]): string {
  return [
    ...parts.flatMap((p) => [`--${MULTIPART_BOUNDARY}`, `Content-Type: ${p.type}`, '', p.body]),
    `--${MULTIPART_BOUNDARY}--`,
    '',
  ].join('\r\n');
}

async function bodies(s: FullStack): Promise<Json> {
  const out: Json = {};
  const sdp = G711_SDP('127.0.0.1');
  // SDP and ISUP together (SIP-I): the SDP part alone reaches the target.
  let uas = refusingTarget(s);
  const mixed = await invite({
    contentType: `multipart/mixed;boundary=${MULTIPART_BOUNDARY}`,
    body: multipart([
      { type: 'application/sdp', body: sdp },
      { type: 'application/isup;version=itu-t92+', body: 'ISUP-IAM-BYTES' },
    ]),
  });
  let served = await uas.done;
  const seen = received(served, /^INVITE /);
  out.multipart = {
    final: final(mixed),
    contentType: seen?.headers('Content-Type'),
    hasIsup: seen?.text.includes('ISUP') ?? null,
    hasSdp: seen?.text.includes('m=audio') ?? null,
  };
  // A multipart body with an SRTP offer is vetted like any SDP.
  const mixedSrtp = await invite({
    contentType: `multipart/mixed;boundary=${MULTIPART_BOUNDARY}`,
    body: multipart([{ type: 'application/sdp', body: sdp.replace('RTP/AVP', 'RTP/SAVP') }]),
  });
  const noSdp = await invite({
    contentType: `multipart/mixed;boundary=${MULTIPART_BOUNDARY}`,
    body: multipart([{ type: 'application/isup', body: 'ISUP' }]),
  });
  const otherLabel = await invite({ contentType: 'text/plain', body: sdp });
  const gzip = await invite({ headers: ['Content-Encoding: gzip'] });
  const crypto = await invite({
    body: `${sdp}a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${'A'.repeat(40)}\r\n`,
  });
  const noType = await invite({ contentType: null });
  out.refusedBodies = {
    mixedSrtp: final(mixedSrtp),
    noSdp: final(noSdp),
    noSdpAccept: noSdp.final?.header('Accept'),
    otherLabel: final(otherLabel),
    gzip: final(gzip),
    crypto: final(crypto),
    noType: final(noType),
  };
  // None of these reached the target: a UAS that would count them sees nothing.
  uas = refusingTarget(s);
  const control = await invite({});
  served = await uas.done;
  out.bodiesControl = final(control);
  out.bodiesTargetInvites = receivedCount(served, 'INVITE');
  return out;
}

async function midDialog(s: FullStack): Promise<Json> {
  const out: Json = {};
  const cases = {
    srtp: {
      SDP2: offer('RTP/SAVP', [[0, 'PCMU']]),
      REINVITE_CODE: '488',
      CONTENT_TYPE: 'application/sdp',
    },
    g729: {
      SDP2: offer('RTP/AVP', [[18, 'G729']]),
      REINVITE_CODE: '488',
      CONTENT_TYPE: 'application/sdp',
    },
    otherLabel: {
      SDP2: offer('RTP/AVP', [[0, 'PCMU']]),
      REINVITE_CODE: '415',
      CONTENT_TYPE: 'text/plain',
    },
  };
  for (const [name, vars] of Object.entries(cases)) {
    const uas = s.uas(0, 'uas-answer');
    const caller = await s.uac('uac-reinvite', vars);
    const served = await uas.done;
    out[`reinvite_${name}`] = {
      callerCode: caller.code,
      responses: caller.messages.filter((m) => m.direction === 'received').map((m) => m.startLine),
      targetInvites: receivedCount(served, 'INVITE'),
      callId: callIdOf(caller),
    };
  }
  // A late offer answered in the ACK with G.729 only: the ACK cannot be refused, so the call ends.
  const uas = s.uas(0, 'uas-answer-maybe-ack');
  const caller = await s.uac('uac-late-offer-bad-answer', {
    ANSWER: offer('RTP/AVP', [[18, 'G729']]),
  });
  const served = await uas.done;
  out.badAckAnswer = {
    callerCode: caller.code,
    callerGotBye: received(caller, /^BYE /) !== undefined,
    targetGotBye: received(served, /^BYE /) !== undefined,
    targetGotAck: received(served, /^ACK /) !== undefined,
    target: served.messages.map((m) => `${m.direction} ${m.startLine}`),
    callId: callIdOf(caller),
  };

  // A target whose 200 answers with G.729 only: the answer cannot be refused, so the call ends.
  const g729Target = s.uas(0, 'uas-answer-g729');
  const answered = await s.uac('uac-call-ended-by-edge');
  const g729Served = await g729Target.done;
  out.badReplyAnswer = {
    callerCode: answered.code,
    callerGotBye: received(answered, /^BYE /) !== undefined,
    targetGotBye: received(g729Served, /^BYE /) !== undefined,
    caller: answered.messages.map((m) => `${m.direction} ${m.startLine}`),
    target: g729Served.messages.map((m) => `${m.direction} ${m.startLine}`),
    callId: callIdOf(answered),
  };
  const ended = await s.waitForRecords(
    [callIdOf(caller), callIdOf(answered)],
    (r) => r.status === 'completed',
  );
  out.policyEnds = [...ended.values()].map((r) => r.final);
  return out;
}

async function failingOpen(s: FullStack): Promise<Json> {
  const out: Json = {};
  // A stream of hostile but well-formed calls never opens either breaker.
  const uas = refusingTarget(s, 20);
  const stream = [];
  for (let i = 0; i < 20; i++) {
    stream.push(
      await invite({
        from: latin1(`"\xc9ve ${i}" <sip:+1415555${String(1000 + i)}@127.0.0.1>`),
        userAgent: 'z'.repeat(900),
      }),
    );
  }
  await uas.done;
  out.stream = stream.map(final);
  out.streamBreaker = {
    kamailioFailures: await s.edge.rpc
      .htableGet('breaker', 'failures')
      .then((item) => item.value)
      .catch(() => 0),
    agent: (await s.agentHealth()).worker.breaker,
  };

  // The Worker frozen: the agent fails open, and Kamailio's own block list still refuses.
  await s.hangWorker();
  const frozenUas = refusingTarget(s, 8);
  const frozen: string[] = [];
  const frozenIds: string[] = [];
  for (let i = 0; i < 8; i++) {
    const call = await invite({ from: `<sip:+1415555${String(2000 + i)}@127.0.0.1>` });
    frozen.push(final(call));
    frozenIds.push(call.callId);
  }
  const blockedFrozen = await invite({ from: `"Blocked" <sip:${BLOCKED}@127.0.0.1>` });
  const blockedFrozenNational = await invite({
    from: `<sip:${BLOCKED.slice(2)}@127.0.0.1>`,
  });
  await frozenUas.done;
  out.frozen = frozen;
  out.blockedWhileFrozen = [final(blockedFrozen), final(blockedFrozenNational)];
  out.breakerWhileFrozen = (await s.agentHealth()).worker.breaker;

  // The Worker back: decisions resume within 2 s, and health says so (no call needed).
  await s.startWorker();
  const backAt = Date.now();
  let closedAfterMs: number | null = null;
  for (let i = 0; i < 40; i++) {
    if ((await s.agentHealth()).worker.breaker === 'closed') {
      closedAfterMs = Date.now() - backAt;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  out.breakerClosedAfterMs = closedAfterMs;
  const afterUas = refusingTarget(s);
  const after = await invite({});
  await afterUas.done;
  const records = await s.waitForRecords(
    [...frozenIds, after.callId],
    (r) => r.status === 'failed',
  );
  out.frozenRecords = frozenIds.map((id) => records.get(id)!.decision);
  out.afterRecovery = records.get(after.callId)!.decision;

  // The agent stopped: Kamailio fails open by itself, and its block list still refuses.
  await s.stopAgent();
  out.blockedWhileAgentDown = final(await invite({ from: `<sip:${BLOCKED}@127.0.0.1>` }));
  await s.startAgent();
  return out;
}

async function rpcAndFlood(): Promise<Json> {
  const out: Json = {};
  const rpc = createKamailioRpc({ url: `http://127.0.0.1:${BASE + 20}/RPC` });
  // httpclient.listcon would show the agent connection's URL, credentials and all.
  const listcon = await rpc.call('httpclient.listcon').then(
    (result) => ({ refused: null, text: JSON.stringify(result) }),
    (error: Error) => ({
      refused: error instanceof KamailioRpcError ? error.code : -1,
      text: error.message,
    }),
  );
  out.rpc = {
    listcon: listcon.refused,
    leaked: listcon.text.includes('kamailio:'),
    version: await rpc.coreVersion().catch((error: Error) => error.message),
  };

  // A spoofed flood in the name of a line's own target is answered, never banned; the same
  // flood from an address that is nobody's target is banned.
  const options = (ip: string, port: number, i: number) =>
    [
      `OPTIONS sip:ping@127.0.0.1:${EDGE} SIP/2.0`,
      `Via: SIP/2.0/UDP ${ip}:${port};branch=z9hG4bK${randomBytes(6).toString('hex')}`,
      `From: <sip:probe@${ip}>;tag=1`,
      `To: <sip:ping@127.0.0.1>`,
      `Call-ID: ${i}.${randomBytes(6).toString('hex')}@flood`,
      'CSeq: 1 OPTIONS',
      'Max-Forwards: 70',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
  // 50 requests in one burst: well above 30 per 2 s however slow this machine is right now.
  const flood = (ip: string) => rawBurst(options, { ip, port: BASE + 10 }, EDGE, 50);
  out.floodFromTarget = await flood(OTHER_TARGET_IP);
  out.floodFromStranger = await flood('127.0.0.8');
  return out;
}

main().catch((error: unknown) => {
  console.log(`RESULT ${JSON.stringify({ error: (error as Error).stack })}`);
  process.exitCode = 1;
});
