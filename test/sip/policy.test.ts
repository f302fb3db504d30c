import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKamailioRpc, KamailioRpcResponseError } from 'kamailio-jsonrpc';
import { finalResponse, offer, received } from './harness/sipp';
import { explain, startSuite, type SipSuite } from './harness/suite';
import { sipToolsAvailable } from './harness/tools';
import { PORT_BLOCKS } from './harness/ports';

// SIP policy at the edge: ACL, header hygiene, SDP policy, methods, CPS and flood limits.
// Real Kamailio from the rendered template, sipp on both sides, a fake agent. Loopback only.
const BASE = PORT_BLOCKS.policy;

describe.skipIf(!sipToolsAvailable())('edge SIP policy', () => {
  let s: SipSuite;

  beforeAll(async () => {
    s = await startSuite(
      BASE,
      (target) => [
        { slug: 'demo', targets: [target(0)], acl: ['127.0.0.1/32', '::1/128'] },
        { slug: 'burst', targets: [target(1)], acl: ['127.0.0.3'], max_cps: 2 },
      ],
      { flood_requests: 30, flood_window_seconds: 2, ban_seconds: 30 },
      [{ transport: 'udp', address: '::1', port: BASE }],
    );
    await s.agent.setMode({ kind: 'relay', headers: 'X-Zendesk-Ticket-Id: 1001\r\n' });
  }, 30_000);
  afterAll(() => s?.stop());

  /** Runs one call through to the UAS and returns the INVITE the UAS saw. */
  async function callThrough(vars: Record<string, string>) {
    const uas = s.uas(0, 'uas-answer');
    const caller = await s.uac('uac-call', vars);
    const served = await uas.done;
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    const invite = received(served, /^INVITE /);
    expect(invite, explain(served)).toBeDefined();
    return { caller, invite: invite! };
  }

  async function refused(vars: Record<string, string>, code: number, ip = '127.0.0.1') {
    const caller = await s.uac('uac-reject', { ...vars, CODE: String(code) }, ip);
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    return finalResponse(caller);
  }

  it('relays a call from an allowed source with the ticket header from the decision', async () => {
    const before = s.agent.decisions.length;
    const { invite } = await callThrough({ HEADERS: 'X-Zendesk-Ticket-Id: 42' });
    expect(invite.headers('X-Zendesk-Ticket-Id')).toEqual(['1001']);
    expect(invite.startLine).toBe(`INVITE ${s.target(0)} SIP/2.0`);
    expect(invite.headers('Record-Route')[0]).toContain(`127.0.0.1:${BASE};lr`);
    const decision = s.agent.decisions[before]!;
    expect(decision.headers['content-type']).toBe('application/json');
    expect(decision.body).toMatchObject({
      line: 'demo',
      source: { ip: '127.0.0.1', transport: 'udp' },
      acl_entry: null,
      ticket_id: '42',
      codecs: ['PCMU', 'PCMA', 'telephone-event'],
      sip: { p_asserted_identity: null, user_agent: 'VoiceBot/2.1' },
    });
    expect(decision.body.sip.from).toContain('"Ada" <sip:+14155550100@127.0.0.1');
    expect(s.agent.unauthorized).toEqual([]);
  });

  it('admits an IPv6 source by its ACL entry and relays to the IPv4 target', async () => {
    const before = s.agent.decisions.length;
    const uas = s.uas(0, 'uas-answer');
    const caller = await s.uac('uac-call', {}, '::1');
    await uas.done;
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    expect(s.agent.decisions[before]!.body.source).toMatchObject({ ip: '::1', transport: 'udp' });
  });

  it('relays a call that arrives over TCP (Record-Route on both transports)', async () => {
    const uas = s.uas(0, 'uas-answer');
    const caller = await s.uac('uac-call', {}, '127.0.0.1', 't1');
    const served = await uas.done;
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    const routes = received(served, /^INVITE /)!.headers('Record-Route');
    expect(routes.join(' ')).toMatch(/transport=tcp/);
  });

  it('refuses a source outside every ACL with 403, without asking the agent', async () => {
    const before = s.agent.decisions.length;
    expect(await refused({}, 403, '127.0.0.2')).toBe('SIP/2.0 403 Forbidden');
    expect(s.agent.decisions.length).toBe(before);
  });

  it.each([
    ['letters', ['X-Zendesk-Ticket-Id: 12ab'], 'Invalid X-Zendesk-Ticket-Id'],
    ['20 digits', ['X-Zendesk-Ticket-Id: 12345678901234567890'], 'Invalid X-Zendesk-Ticket-Id'],
    ['an empty value', ['X-Zendesk-Ticket-Id: '], 'Invalid X-Zendesk-Ticket-Id'],
    [
      'two headers',
      ['X-Zendesk-Ticket-Id: 1', 'x-zendesk-ticket-id: 2'],
      'Duplicate X-Zendesk-Ticket-Id',
    ],
  ])('answers 400 to a ticket header with %s', async (_, headers, reason) => {
    expect(await refused({ HEADERS: headers.join('\n') }, 400)).toBe(`SIP/2.0 400 ${reason}`);
  });

  it('removes caller-supplied X-Zendesk-*, X-Bridge-* and context headers before the target', async () => {
    await s.agent.setMode({ kind: 'relay', headers: '' });
    try {
      const { invite } = await callThrough({
        HEADERS: [
          'X-Zendesk-Ticket-Id: 7',
          'X-Zendesk-Foo: bar',
          'x-bridge-internal: 1',
          'X-Carrier: context',
          'User-to-User: 56a390f3;encoding=hex',
        ].join('\n'),
      });
      expect(invite.text).not.toMatch(/x-zendesk-foo|x-bridge-/i);
      // The agent's answer carried no ticket header: the caller's is not relayed either.
      expect(invite.headers('X-Zendesk-Ticket-Id')).toEqual([]);
      // Context headers are the Worker's (sip.context): none reaches Zendesk.
      expect(invite.headers('X-Carrier')).toEqual([]);
      expect(invite.headers('User-to-User')).toEqual([]);
    } finally {
      await s.agent.setMode({ kind: 'relay', headers: 'X-Zendesk-Ticket-Id: 1001\r\n' });
    }
  });

  it.each([
    ['RTP/SAVP', 'SRTP not supported'],
    ['RTP/SAVPF', 'SRTP not supported'],
    ['UDP/TLS/RTP/SAVPF', 'SRTP not supported'],
  ])('answers 488 to an %s offer', async (transport, reason) => {
    const sdp = offer(transport, [[0, 'PCMU']]);
    expect(await refused({ SDP: sdp }, 488)).toBe(`SIP/2.0 488 ${reason}`);
  });

  it('answers 488 to an offer without PCMU or PCMA', async () => {
    const sdp = offer('RTP/AVP', [[18, 'G729']]);
    expect(await refused({ SDP: sdp }, 488)).toBe('SIP/2.0 488 PCMU or PCMA required');
  });

  it('keeps only PCMU, PCMA and telephone-event in the offer the target sees', async () => {
    const sdp = `${offer('RTP/AVP', [
      [0, 'PCMU'],
      [18, 'G729'],
      [101, 'telephone-event'],
    ])}\nm=video 6002 RTP/AVP 96\na=rtpmap:96 H264/90000`;
    const { invite } = await callThrough({ SDP: sdp });
    expect(invite.body).toMatch(/^m=audio 6000 RTP\/AVP 0 101$/m);
    expect(invite.body).toContain('a=rtpmap:101 telephone-event/8000');
    expect(invite.body).not.toMatch(/G729|H264|m=video/);
    expect(s.agent.decisions.at(-1)!.body.codecs).toEqual(['PCMU', 'telephone-event']);
  });

  it('relays a late offer (INVITE without SDP)', async () => {
    const { invite } = await callThrough({ SDP: '' });
    expect(invite.body.trim()).toBe('');
    expect(s.agent.decisions.at(-1)!.body.codecs).toEqual([]);
  });

  it('answers OPTIONS with 200 and MESSAGE outside a dialog with 405 and Allow', async () => {
    const options = await s.uac('uac-request', { METHOD: 'OPTIONS', USER: '', CODE: '200' });
    expect(finalResponse(options), explain(options, s.edge)).toBe('SIP/2.0 200 OK');
    const message = await s.uac('uac-request', {
      METHOD: 'MESSAGE',
      USER: 'zendesk@',
      CODE: '405',
    });
    expect(finalResponse(message), explain(message, s.edge)).toBe('SIP/2.0 405 Method Not Allowed');
    const reply = message.messages.find((m) => m.startLine.startsWith('SIP/2.0 405'))!;
    expect(reply.headers('Allow')).toEqual(['INVITE, ACK, CANCEL, OPTIONS, BYE']);
  });

  it('serves JSON-RPC only on its own loopback port, with the ACL as rendered', async () => {
    const onSipPort = createKamailioRpc({ url: `http://127.0.0.1:${BASE}/RPC` });
    const refused = await onSipPort.coreVersion().catch((e) => e);
    expect(refused).toBeInstanceOf(KamailioRpcResponseError);
    expect(refused.message).toMatch(/HTTP 403: JSON-RPC is served on the loopback RPC port only/);
    const hosts = await s.edge.rpc.addressDump();
    expect(hosts.map((h) => [h.group, h.ip, h.tag]).sort()).toEqual([
      // Ids in slug order on a first render: burst 1, demo 2.
      [1, '127.0.0.3', 'burst'],
      [2, '127.0.0.1', 'demo'],
      [2, '::1', 'demo'],
    ]);
  });

  it('answers 483 when Max-Forwards runs out', async () => {
    expect(await refused({ MAX_FORWARDS: '0' }, 483)).toBe('SIP/2.0 483 Too Many Hops');
  });

  it('answers 503 Line Busy with Retry-After over the line CPS limit', async () => {
    const uas = s.uas(1, 'uas-answer', {}, 6);
    const calls = await Promise.all(
      Array.from({ length: 6 }, () => s.uac('uac-call', { HOLD_MS: '50' }, '127.0.0.3')),
    );
    await uas.stop();
    const busy = calls.filter((c) => finalResponse(c) === 'SIP/2.0 503 Line Busy');
    const answered = calls.filter((c) => finalResponse(c) === 'SIP/2.0 200 OK');
    // 2 per second: 6 calls within a second or two let 2-4 through.
    expect(busy.length, calls.map((c) => explain(c)).join('\n')).toBeGreaterThanOrEqual(2);
    expect(answered.length).toBeGreaterThanOrEqual(2);
    const reply = busy[0]!.messages.find((m) => m.startLine.startsWith('SIP/2.0 503'))!;
    expect(reply.headers('Retry-After')).toEqual(['1']);
  });

  it('stops answering a flooding source outside every ACL (pike + ban)', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.5', () => resolve()));
    let replies = 0;
    socket.on('message', () => replies++);
    const { port } = socket.address();
    for (let i = 0; i < 80; i++) {
      const msg = [
        `OPTIONS sip:127.0.0.1:${BASE} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.5:${port};branch=z9hG4bK-flood-${i}`,
        `From: <sip:flood@127.0.0.5>;tag=f${i}`,
        `To: <sip:127.0.0.1:${BASE}>`,
        `Call-ID: flood-${i}@127.0.0.5`,
        'CSeq: 1 OPTIONS',
        'Max-Forwards: 70',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      socket.send(msg, BASE, '127.0.0.1');
    }
    await new Promise((r) => setTimeout(r, 800));
    const afterBurst = replies;
    socket.send(`OPTIONS sip:x SIP/2.0\r\n\r\n`, BASE, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 300));
    socket.close();
    // Answered (403) until pike tripped, then silence for the ban.
    expect(afterBurst).toBeGreaterThan(0);
    expect(afterBurst).toBeLessThan(60);
    expect(replies).toBe(afterBurst);
    expect(s.edge.log()).toMatch(/flood from 127\.0\.0\.5/);
  });
});
