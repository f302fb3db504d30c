import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startEdge, type Edge } from './harness/edge';
import { recordSettled, startFullStack, type FullStack } from './harness/full-stack';
import { startFakeAgent, type FakeAgent } from './harness/fake-agent';
import { G711_SDP, rawInvite } from './harness/raw-sip';
import { tlsInvite } from './harness/tls-caller';
import { makeCertificates, startTlsTarget } from './harness/tls-target';
import { sipToolsAvailable, tlsModuleAvailable } from './harness/tools';
import { PORT_BLOCKS } from './harness/ports';

// Secure media per line (docs/secure-media.md), through the real Kamailio: a `secure` line takes
// calls over TLS with an SDES SRTP offer and relays them to its TLS target with the keys
// untouched; plain RTP, DTLS-SRTP and UDP callers are refused with their reasons; an `rtp` line
// still refuses SRTP. The callers are Node TLS clients: Debian's sipp is built without TLS.
const BASE = PORT_BLOCKS.secureMedia;
const TLS_PORT = BASE + 1;

// A distinctive SDES key per run: found anywhere but the target's INVITE, it leaked.
const KEY = randomBytes(30).toString('base64');
const CRYPTO = `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}`;

const sdp = (ip: string, mLines: string[]) =>
  ['v=0', `o=caller 1 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0', ...mLines, ''].join(
    '\r\n',
  );
const audio = (transport: string, extra: string[] = []) => [
  `m=audio 40000 ${transport} 0 8 101`,
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  ...extra,
];
const SRTP_OFFER = sdp('127.0.0.1', audio('RTP/SAVP', [CRYPTO]));
// Zendesk's side of the keys, in its SRTP answer.
const ANSWER_KEY = randomBytes(30).toString('base64');
const ANSWER_CRYPTO = `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${ANSWER_KEY}`;
const SRTP_ANSWER = sdp('127.0.0.1', audio('RTP/SAVP', [ANSWER_CRYPTO]));
// More keys, for the per-stream checks (route SDES_STREAMS): an 80-bit and a 32-bit tag, an
// AES_256 key (RFC 6188: 46 bytes of key and salt), each distinctive, each to be found nowhere.
const KEY_32 = randomBytes(30).toString('base64');
const KEY_256 = randomBytes(46).toString('base64');
const KEY_OTHER = randomBytes(30).toString('base64');
const SECOND_STREAM = (extra: string[]) => [
  'm=audio 40002 RTP/SAVP 0',
  'a=rtpmap:0 PCMU/8000',
  ...extra,
];

describe.skipIf(!sipToolsAvailable() || !tlsModuleAvailable())('secure media lines', () => {
  let dir: string;
  let ca: string;
  let agent: FakeAgent;
  let edge: Edge;
  let target: Awaited<ReturnType<typeof startTlsTarget>>;
  let rogue: Awaited<ReturnType<typeof startTlsTarget>>;
  let udpTarget: Socket;
  const udpInvites: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sipbridge-secure-media-'));
    const certs = makeCertificates(dir);
    certs.leaf('edge', 'ca');
    certs.leaf('zendesk', 'ca');
    certs.leaf('rogue', 'self');
    ca = readFileSync(certs.path('ca.crt'), 'utf8');
    target = await startTlsTarget(
      readFileSync(certs.path('zendesk.crt'), 'utf8'),
      readFileSync(certs.path('zendesk.key'), 'utf8'),
    );
    rogue = await startTlsTarget(
      readFileSync(certs.path('rogue.crt'), 'utf8'),
      readFileSync(certs.path('rogue.key'), 'utf8'),
    );
    // A plain UDP target: a secure call must never reach it, whatever the edge's tables say.
    udpTarget = createSocket('udp4');
    udpTarget.on('message', (m) => udpInvites.push(m.toString('latin1')));
    await new Promise<void>((resolve) => udpTarget.bind(BASE + 70, '127.0.0.1', resolve));
    const token = randomBytes(18).toString('base64url');
    agent = await startFakeAgent(BASE + 90, token);
    await agent.setMode({ kind: 'relay', headers: '' });
    const tlsTarget = `sips:zendesk@127.0.0.1:${target.port}`;
    edge = await startEdge({
      basePort: BASE,
      agentUrl: agent.url,
      token,
      listen: [{ transport: 'tls', address: '127.0.0.1', port: TLS_PORT }],
      tls: {
        certificate: certs.path('edge.crt'),
        private_key: certs.path('edge.key'),
        ca_list: certs.path('ca.crt'),
      },
      lines: [
        // sip: with ;transport=tls, the other way to name a TLS target.
        {
          slug: 'secure',
          targets: [`sip:zendesk@127.0.0.1:${target.port};transport=tls`],
          acl: ['127.0.0.1/32'],
          media: 'secure',
        },
        { slug: 'plain', targets: [tlsTarget], acl: ['127.0.0.2/32'] },
        // rtp in the YAML with a UDP target; a test marks it secure in Kamailio's table.
        { slug: 'leaky', targets: [`sip:zendesk@127.0.0.1:${BASE + 70}`], acl: ['127.0.0.3/32'] },
        { slug: 'unloaded', targets: [tlsTarget], acl: ['127.0.0.4/32'] },
        // A target whose certificate the configured CAs did not sign.
        {
          slug: 'unverified',
          targets: [`sips:zendesk@127.0.0.1:${rogue.port}`],
          acl: ['127.0.0.5/32'],
          media: 'secure',
        },
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await edge?.stop();
    await agent?.close();
    await target?.close();
    await rogue?.close();
    udpTarget?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const secureCall = (body: string, ip = '127.0.0.1') =>
    tlsInvite({ ip, edgePort: TLS_PORT, ca, body, timeoutMs: 12_000 });

  let tableWrites = 0;
  /** Rewrites Kamailio's linemedia table (as the agent's sync would) and reloads it. */
  async function setMediaTable(rows: string[]) {
    const file = join(edge.dir, 'etc', 'linemedia');
    const header = 'key_name(str) key_type(int) value_type(int) key_value(str)';
    writeFileSync(file, [header, ...rows, ''].join('\n'));
    // db_text reads the file again only when its mtime changed: a new one each time.
    tableWrites += 1;
    const later = Math.floor(Date.now() / 1000) + 10 * tableWrites;
    utimesSync(file, later, later);
    await edge.rpc.call('htable.reload', ['linemedia']);
  }

  it('relays an SDES SRTP offer over TLS to the TLS target, its a=crypto line untouched', async () => {
    const before = target.state.invites;
    const { final } = await secureCall(SRTP_OFFER);
    expect(final?.code, edge.log().slice(-2000)).toBe(486);
    expect(target.state.invites).toBe(before + 1);
    const relayed = target.state.bodies.at(-1)!;
    expect(relayed).toContain('m=audio 40000 RTP/SAVP 0 8 101');
    expect(relayed.split('\r\n')).toContain(CRYPTO);
  });

  it('never relays a secure call to a target whose certificate does not verify', async () => {
    const { final } = await secureCall(sdp('127.0.0.5', audio('RTP/SAVP', [CRYPTO])), '127.0.0.5');
    expect(final?.code, edge.log().slice(-2000)).toBeGreaterThanOrEqual(408);
    expect(rogue.state.invites).toBe(0);
  });

  it('a secure call answered with SRTP stays up, the answer’s keys reach the caller untouched', async () => {
    target.state.answer = SRTP_ANSWER;
    try {
      const call = await secureCall(SRTP_OFFER);
      expect(call.final?.code, edge.log().slice(-2000)).toBe(200);
      expect(call.final!.text.split('\r\n')).toContain(ANSWER_CRYPTO);
      await edge.answeredDialog();
      // The dialog keeps the line's media for its in-dialog requests (MEDIA_POLICY).
      expect(JSON.stringify(await edge.rpc.call('dlg.list'))).toMatch(/"media":"secure"/);
      // Longer than the edge takes to end a call outside the media policy (END_SOON: 1 s).
      await new Promise((r) => setTimeout(r, 1500));
      expect(call.dialog!.requests.filter((r) => r.startsWith('BYE '))).toEqual([]);
      expect((await call.dialog!.bye())?.code).toBe(200);
      call.dialog!.close();
      const events = await agent.eventsFor(call.callId, 2);
      expect(events.map((e) => [e.kind, e.ended_by])).toEqual([
        ['answered', undefined],
        ['ended', 'caller'],
      ]);
    } finally {
      target.state.answer = null;
    }
  });

  it('a secure call answered with plain RTP is ended by the edge', async () => {
    target.state.answer = G711_SDP('127.0.0.1');
    try {
      const call = await secureCall(SRTP_OFFER);
      expect(call.final?.code, edge.log().slice(-2000)).toBe(200);
      const events = await agent.eventsFor(call.callId, 2);
      expect(events.map((e) => [e.kind, e.ended_by, e.reason])).toEqual([
        ['answered', undefined, 'OK'],
        ['ended', 'proxy', 'media policy: SDP answer outside the media policy'],
      ]);
      await vi.waitFor(
        () => expect(call.dialog!.requests.some((r) => r.startsWith('BYE '))).toBe(true),
        { timeout: 5000, interval: 50 },
      );
      call.dialog!.close();
    } finally {
      target.state.answer = null;
    }
  });

  it('in a secure call, a re-INVITE with SRTP is relayed and one with plain RTP refused (488)', async () => {
    target.state.answer = SRTP_ANSWER;
    try {
      const call = await secureCall(SRTP_OFFER);
      expect(call.final?.code, edge.log().slice(-2000)).toBe(200);
      const invites = target.state.invites;
      const srtp = await call.dialog!.reinvite(SRTP_OFFER.replace('o=caller 1 1', 'o=caller 1 2'));
      expect(srtp?.code, edge.log().slice(-2000)).toBe(200);
      expect(target.state.invites).toBe(invites + 1);
      expect(target.state.bodies.at(-1)!.split('\r\n')).toContain(CRYPTO);
      const plain = await call.dialog!.reinvite(G711_SDP('127.0.0.1').replace(' 1 1 ', ' 1 3 '));
      expect(plain?.code).toBe(488);
      expect(plain?.reason).toBe('Secure Media Requires SRTP, Not Plain RTP');
      expect(target.state.invites).toBe(invites + 1);
      expect((await call.dialog!.bye())?.code).toBe(200);
      call.dialog!.close();
    } finally {
      target.state.answer = null;
    }
  });

  it('a late offer on a secure line: SRTP both ways keeps the call, a plain RTP answer in the ACK ends it', async () => {
    // Zendesk offers in its 200 (SRTP_ANSWER), the caller answers in the ACK.
    target.state.answer = SRTP_ANSWER;
    try {
      const kept = await tlsInvite({
        ip: '127.0.0.1',
        edgePort: TLS_PORT,
        ca,
        body: '',
        ackBody: SRTP_OFFER,
      });
      expect(kept.final?.code, edge.log().slice(-2000)).toBe(200);
      expect(target.state.bodies.at(-1)).toBe('');
      await edge.answeredDialog();
      // Longer than the edge takes to end a call outside the media policy (END_SOON: 1 s).
      await new Promise((r) => setTimeout(r, 1500));
      expect((await kept.dialog!.bye())?.code).toBe(200);
      kept.dialog!.close();
      expect((await agent.eventsFor(kept.callId, 2)).map((e) => e.ended_by)).toEqual([
        undefined,
        'caller',
      ]);

      const ended = await tlsInvite({
        ip: '127.0.0.1',
        edgePort: TLS_PORT,
        ca,
        body: '',
        ackBody: G711_SDP('127.0.0.1'),
      });
      expect(ended.final?.code).toBe(200);
      const events = await agent.eventsFor(ended.callId, 2);
      expect(events.map((e) => [e.kind, e.ended_by, e.reason])).toEqual([
        ['answered', undefined, 'OK'],
        ['ended', 'proxy', 'media policy: Secure Media Requires SRTP, Not Plain RTP'],
      ]);
      ended.dialog!.close();
    } finally {
      target.state.answer = null;
    }
  });

  it.each([
    ['plain RTP', audio('RTP/AVP'), 'Secure Media Requires SRTP, Not Plain RTP'],
    ['plain RTP with feedback', audio('RTP/AVPF'), 'Secure Media Requires SRTP, Not Plain RTP'],
    [
      'a mixed offer (SRTP and plain RTP streams)',
      [...audio('RTP/SAVP', [CRYPTO]), ...audio('RTP/AVP')],
      'Secure Media Requires SRTP, Not Plain RTP',
    ],
    [
      'DTLS-SRTP',
      audio('UDP/TLS/RTP/SAVP', ['a=fingerprint:sha-256 AB:CD']),
      'Secure Media Requires SDES SRTP, Not DTLS-SRTP',
    ],
    ['RTP/SAVPF', audio('RTP/SAVPF', [CRYPTO]), 'Secure Media Requires RTP/SAVP On Every Stream'],
    ['RTP/SAVP without keys', audio('RTP/SAVP'), 'Secure Media Requires SDES Keys (a=crypto)'],
  ])('refuses %s on a secure line with 488 and the reason', async (_name, mLines, reason) => {
    const before = target.state.invites;
    const { final } = await secureCall(sdp('127.0.0.1', mLines));
    expect(final?.code, edge.log().slice(-2000)).toBe(488);
    expect(final?.reason).toBe(reason);
    expect(target.state.invites).toBe(before);
  });

  it.each([
    [
      'a second audio stream without its own a=crypto',
      [...audio('RTP/SAVP', [CRYPTO]), ...SECOND_STREAM([])],
      'SRTP Crypto Missing On Stream',
    ],
    [
      'a=crypto at session level only (it keys no stream)',
      [CRYPTO, ...audio('RTP/SAVP')],
      'SRTP Crypto Missing On Stream',
    ],
    [
      'a suite the edge does not take (F8)',
      audio('RTP/SAVP', [`a=crypto:1 F8_128_HMAC_SHA1_80 inline:${KEY_OTHER}`]),
      'Unsupported SRTP Crypto Suite',
    ],
    [
      'an AEAD suite (RFC 7714) on one stream, keys on the other',
      [
        ...audio('RTP/SAVP', [CRYPTO]),
        ...SECOND_STREAM([`a=crypto:1 AEAD_AES_128_GCM inline:${KEY_OTHER}`]),
      ],
      'Unsupported SRTP Crypto Suite',
    ],
    [
      'a key too short for its suite',
      audio('RTP/SAVP', ['a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQta2V5']),
      'Malformed SRTP Crypto Key',
    ],
    [
      'an AES_CM_128 key under an AES_256 suite',
      audio('RTP/SAVP', [`a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:${KEY_OTHER}`]),
      'Malformed SRTP Crypto Key',
    ],
    [
      'a suite without key params',
      audio('RTP/SAVP', ['a=crypto:1 AES_CM_128_HMAC_SHA1_80']),
      'Malformed SRTP Crypto Key',
    ],
    [
      'an a=crypto line that is not one',
      audio('RTP/SAVP', ['a=crypto:one two']),
      'Malformed SRTP Crypto Attribute',
    ],
    [
      'keys that switch encryption off (UNENCRYPTED_SRTP)',
      audio('RTP/SAVP', [
        `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY_OTHER} UNENCRYPTED_SRTP`,
      ]),
      'Unencrypted SRTP Not Allowed',
    ],
    [
      'an SDP of more than 200 lines (the edge reads it line by line)',
      audio('RTP/SAVP', [CRYPTO, ...Array<string>(200).fill('a=sendrecv')]),
      'Secure Media SDP Too Long',
    ],
  ])('refuses %s on a secure line with 488 and the reason', async (_name, mLines, reason) => {
    const before = target.state.invites;
    const { final } = await secureCall(sdp('127.0.0.1', mLines));
    expect(final?.code, edge.log().slice(-2000)).toBe(488);
    expect(final?.reason).toBe(reason);
    expect(target.state.invites).toBe(before);
  });

  it('relays streams each with keys of their own, the suites RFC 4568 and 6188 name, untouched', async () => {
    const first = [
      `a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:${KEY_32}|2^31|1:4`,
      // A suite the edge does not take, next to one it does: the callee picks.
      `a=crypto:2 F8_128_HMAC_SHA1_80 inline:${KEY_OTHER}`,
    ];
    const second = [`a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:${KEY_256}`];
    // A disabled stream (port 0) carries no media and needs no keys.
    const disabled = ['m=audio 0 RTP/SAVP 0'];
    const before = target.state.invites;
    const { final } = await secureCall(
      sdp('127.0.0.1', [...audio('RTP/SAVP', first), ...SECOND_STREAM(second), ...disabled]),
    );
    expect(final?.code, edge.log().slice(-2000)).toBe(486);
    expect(target.state.invites).toBe(before + 1);
    const relayed = target.state.bodies.at(-1)!.split('\r\n');
    for (const line of [...first, ...second]) expect(relayed).toContain(line);
  });

  it('ends a secure call whose answer leaves a stream without its own keys', async () => {
    target.state.answer = sdp('127.0.0.1', [
      ...audio('RTP/SAVP', [ANSWER_CRYPTO]),
      ...SECOND_STREAM([]),
    ]);
    try {
      const call = await secureCall(
        sdp('127.0.0.1', [
          ...audio('RTP/SAVP', [CRYPTO]),
          ...SECOND_STREAM([`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY_OTHER}`]),
        ]),
      );
      expect(call.final?.code, edge.log().slice(-2000)).toBe(200);
      const events = await agent.eventsFor(call.callId, 2);
      expect(events.map((e) => [e.kind, e.ended_by, e.reason])).toEqual([
        ['answered', undefined, 'OK'],
        ['ended', 'proxy', 'media policy: SDP answer outside the media policy'],
      ]);
      call.dialog!.close();
    } finally {
      target.state.answer = null;
    }
  });

  it('refuses a secure line’s caller over UDP with 403, naming TLS', async () => {
    const before = target.state.invites;
    const { final } = await rawInvite({
      ip: '127.0.0.1',
      port: BASE + 30,
      edgePort: BASE,
      body: SRTP_OFFER,
    });
    expect(final?.code, edge.log().slice(-2000)).toBe(403);
    expect(final?.reason).toBe('Secure Media Requires TLS');
    expect(target.state.invites).toBe(before);
  });

  it('an rtp line still refuses SRTP with 488 and relays plain RTP', async () => {
    const before = target.state.invites;
    const srtp = await rawInvite({
      ip: '127.0.0.2',
      port: BASE + 31,
      edgePort: BASE,
      body: sdp('127.0.0.2', audio('RTP/SAVP', [CRYPTO])),
    });
    expect(srtp.final?.code, edge.log().slice(-2000)).toBe(488);
    expect(srtp.final?.reason).toBe('SRTP not supported');
    expect(target.state.invites).toBe(before);
    const plain = await rawInvite({
      ip: '127.0.0.2',
      port: BASE + 32,
      edgePort: BASE,
      body: G711_SDP('127.0.0.2'),
      timeoutMs: 12_000,
    });
    expect(plain.final?.code, edge.log().slice(-2000)).toBe(486);
    expect(target.state.invites).toBe(before + 1);
  });

  it('a line whose media setting Kamailio does not hold is refused, not taken as rtp', async () => {
    await setMediaTable(['leaky:0:0:rtp', 'plain:0:0:rtp', 'secure:0:0:secure']);
    const before = target.state.invites;
    const { final } = await rawInvite({
      ip: '127.0.0.4',
      port: BASE + 33,
      edgePort: BASE,
      body: G711_SDP('127.0.0.4'),
    });
    expect(final?.code, edge.log().slice(-2000)).toBe(503);
    expect(final?.reason).toBe('Media Policy Not Loaded');
    expect(target.state.invites).toBe(before);
  });

  it('a secure call never leaves over a target that is not TLS', async () => {
    // As if the media table turned secure before the targets turned TLS (a sync in between).
    await setMediaTable([
      'leaky:0:0:secure',
      'plain:0:0:rtp',
      'secure:0:0:secure',
      'unloaded:0:0:rtp',
    ]);
    const { final } = await secureCall(sdp('127.0.0.3', audio('RTP/SAVP', [CRYPTO])), '127.0.0.3');
    // tm cannot send it anywhere: an error to the caller (477, the send failure), nothing at the
    // UDP target.
    expect(final?.code, edge.log().slice(-2000)).toBeGreaterThanOrEqual(400);
    expect(edge.log()).toContain('secure media INVITE not sent');
    expect(udpInvites.filter((m) => m.startsWith('INVITE '))).toEqual([]);
  });

  it('a line the agent made secure stays secure across a Kamailio restart, the agent down', async () => {
    // The table as the last test left it (leaky secure, as the agent's sync would have written
    // it); nothing syncs after the restart: Kamailio loads the table itself.
    await edge.restart();
    const udp = await rawInvite({
      ip: '127.0.0.1',
      port: BASE + 34,
      edgePort: BASE,
      body: SRTP_OFFER,
    });
    expect(udp.final?.code, edge.log().slice(-2000)).toBe(403);
    const plain = await secureCall(G711_SDP('127.0.0.3'), '127.0.0.3');
    expect(plain.final?.code).toBe(488);
    expect(plain.final?.reason).toBe('Secure Media Requires SRTP, Not Plain RTP');
  });

  it('keeps the keys out of the call facts, the events and the log', async () => {
    // The facts the Worker records (decisions) and every lifecycle event, after the calls above.
    const sent = JSON.stringify({ decisions: agent.decisions, events: agent.events });
    expect(agent.decisions.length).toBeGreaterThan(0);
    expect(sent).not.toContain(KEY);
    expect(sent).not.toContain('a=crypto');
    expect(sent).not.toContain(ANSWER_KEY);
    expect(edge.log()).not.toContain(KEY);
    expect(edge.log()).not.toContain(ANSWER_KEY);
    expect(edge.log()).not.toContain('inline:');
    // The per-stream checks' keys, refused or relayed.
    for (const key of [KEY_32, KEY_256, KEY_OTHER]) {
      expect(sent).not.toContain(key);
      expect(edge.log()).not.toContain(key);
    }
  });
});

// Set through the Worker's admin API: the agent's sync makes the line secure in Kamailio, and the
// call record the Worker keeps holds no key.
describe.skipIf(!sipToolsAvailable() || !tlsModuleAvailable())(
  'secure media: Worker admin API → agent → Kamailio',
  () => {
    let dir: string;
    let ca: string;
    let f: FullStack;
    let target: Awaited<ReturnType<typeof startTlsTarget>>;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'sipbridge-secure-media-full-'));
      const certs = makeCertificates(dir);
      certs.leaf('edge', 'ca');
      certs.leaf('zendesk', 'ca');
      ca = readFileSync(certs.path('ca.crt'), 'utf8');
      target = await startTlsTarget(
        readFileSync(certs.path('zendesk.crt'), 'utf8'),
        readFileSync(certs.path('zendesk.key'), 'utf8'),
      );
      f = await startFullStack(BASE, [{ slug: 'vault', acl: ['127.0.0.1/32'] }], {
        aclSync: { intervalMs: 300 },
        listen: [{ transport: 'tls', address: '127.0.0.1', port: TLS_PORT }],
        tls: {
          certificate: certs.path('edge.crt'),
          private_key: certs.path('edge.key'),
          ca_list: certs.path('ca.crt'),
        },
      });
      await vi.waitFor(
        async () => expect((await f.agentHealth()).acl?.last_sync_at).not.toBeNull(),
        { timeout: 30_000, interval: 200 },
      );
    }, 90_000);

    afterAll(async () => {
      await f?.stop();
      await target?.close();
      rmSync(dir, { recursive: true, force: true });
    }, 30_000);

    it('a line made secure refuses UDP and plain RTP, relays SRTP over TLS, records no key', async () => {
      const before = (await f.agentHealth()).acl!.etag;
      const patched = await f.admin('PATCH', '/v1/admin/lines/vault', {
        media: 'secure',
        sip_targets: [`sips:zendesk@127.0.0.1:${target.port}`],
      });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      await vi.waitFor(
        async () => {
          const acl = (await f.agentHealth()).acl!;
          expect(acl.etag !== before && acl.last_error === null, JSON.stringify(acl)).toBe(true);
          expect(acl.secure_media_lines).toBe(1);
        },
        { timeout: 15_000, interval: 200 },
      );
      await f.warmUp('vault');

      const udp = await rawInvite({
        ip: '127.0.0.1',
        port: BASE + 40,
        edgePort: BASE,
        body: SRTP_OFFER,
      });
      expect(udp.final?.code, f.edge.log().slice(-2000)).toBe(403);
      const plain = await tlsInvite({
        ip: '127.0.0.1',
        edgePort: TLS_PORT,
        ca,
        body: G711_SDP('127.0.0.1'),
      });
      expect(plain.final?.code).toBe(488);
      expect(plain.final?.reason).toBe('Secure Media Requires SRTP, Not Plain RTP');
      expect(target.state.invites).toBe(0);

      const call = await tlsInvite({
        ip: '127.0.0.1',
        edgePort: TLS_PORT,
        ca,
        body: SRTP_OFFER,
        timeoutMs: 12_000,
      });
      expect(call.final?.code, f.edge.log().slice(-2000)).toBe(486);
      expect(target.state.bodies.at(-1)!.split('\r\n')).toContain(CRYPTO);
      const records = await f.waitForRecords([call.callId], recordSettled);
      const record = records.get(call.callId)!;
      expect(record.final.code).toBe(486);
      expect(JSON.stringify(record)).not.toContain(KEY);
      expect(JSON.stringify(record)).not.toContain('a=crypto');
      expect(f.agentLog()).not.toContain(KEY);
      expect(f.edge.log()).not.toContain(KEY);
    }, 60_000);
  },
);
