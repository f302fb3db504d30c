import { createHash } from 'node:crypto';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EdgeLineAuth } from '@sip-bridge/contract/caller-auth';
import { createBlocklistSync } from '@sip-bridge/edge/agent/blocklist-sync';
import { createCallerAuthSync } from '@sip-bridge/edge/agent/caller-auth-sync';
import { callIdOf, startFullStack, type FullStack } from './harness/full-stack';
import { rawInvite } from './harness/raw-sip';
import { received } from './harness/sipp';
import { explain, startSuite, type SipSuite } from './harness/suite';
import { sipToolsAvailable } from './harness/tools';
import { PORT_BLOCKS } from './harness/ports';

// Lines without an IP allowlist (auth.ip false, docs/caller-auth.md), through the real Kamailio
// from the rendered template: a caller from an address in no line's ACL reaches such a line by
// its digest username or its tech prefix (with a token), and by nothing else; a line with its
// ACL stays out of reach from anywhere else; the block list, the failed-attempt limit and the
// media policy hold as for any caller. The lines' auth reaches Kamailio through the agent's sync.
const BASE = PORT_BLOCKS.authNoIp;
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const REALM = 'edge.test';
const PASSWORD = 'correct-horse-battery';
const TOKEN = 'line-token-Hn3kR8wQ5vB2';
// Addresses in no line's ACL: a carrier calling from wherever it is today.
const ROAMING = '127.0.0.7';
const token = { header: 'X-Line-Token', sha256: sha256(TOKEN) };
const user = (username: string, realm = REALM) => ({
  username,
  ha1: md5(`${username}:${realm}:${PASSWORD}`),
});

const AUTH: Record<string, EdgeLineAuth> = {
  carrier: { ip: false, digest: { realm: REALM, users: [user('carrier1')] } },
  prefixed: { ip: false, tech_prefix: '4321', token },
  // Found by its ACL only: its credentials open nothing from another address.
  fenced: {
    ip: true,
    digest: { realm: 'fenced.test', users: [user('fenced1', 'fenced.test')] },
  },
  'fenced-prefix': { ip: true, tech_prefix: '9999', token },
};

describe.skipIf(!sipToolsAvailable())('lines without an IP allowlist', () => {
  let s: SipSuite;
  let groups: Record<string, number>;
  const syncAuth = async (slugs: string[]) =>
    createCallerAuthSync(join(s.edge.dir, 'etc'), s.edge.rpc).apply(
      slugs.map((slug) => ({ slug, acl: [], targets: [], maxCps: 0, auth: AUTH[slug]! })),
      false,
      groups,
    );

  beforeAll(async () => {
    s = await startSuite(
      BASE,
      (target) => [
        // The renderer wants a network on every line: these two have one no caller uses. Their
        // dispatcher set, media row and id come from the render like any line's.
        { slug: 'carrier', targets: [target(0)], acl: ['127.0.0.250/32'] },
        { slug: 'prefixed', targets: [target(0)], acl: ['127.0.0.251/32'] },
        { slug: 'fenced', targets: [target(0)], acl: ['127.0.0.1/32'] },
        { slug: 'fenced-prefix', targets: [target(0)], acl: ['127.0.0.2/32'] },
      ],
      {},
      [],
      { failed_attempts: 3, failed_window_seconds: 600 },
    );
    groups = (
      JSON.parse(readFileSync(join(s.edge.dir, 'etc', 'line-ids.json'), 'utf8')) as {
        ids: Record<string, number>;
      }
    ).ids;
    await syncAuth(Object.keys(AUTH));
    await s.agent.setMode({ kind: 'relay', headers: '' });
  }, 30_000);
  afterAll(() => s?.stop());

  /** The last final response sipp received. */
  const finalOf = (caller: Awaited<ReturnType<SipSuite['uac']>>) =>
    caller.messages
      .filter((m) => m.direction === 'received' && /^SIP\/2\.0 [2-6]\d\d /.test(m.startLine))
      .map((m) => m.startLine)
      .at(-1);

  async function refused(
    vars: Record<string, string>,
    code: number,
    ip: string,
    scenario = 'uac-reject',
  ) {
    const caller = await s.uac(scenario, { ...vars, CODE: String(code) }, ip);
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    return finalOf(caller);
  }

  /** A raw INVITE from `ip` answered 407, then again with the digest answer for `username`. */
  async function digestInvite(ip: string, username: string, password: string, body?: string) {
    const port = BASE + 68;
    const uri = `sip:zendesk@127.0.0.1:${BASE}`;
    const callId = `no-ip-${Date.now()}-${Math.random()}@auth-no-ip.test`;
    const first = await rawInvite({ ip, port, edgePort: BASE, callId, ...(body ? { body } : {}) });
    expect(first.final?.code, s.edge.log().slice(-2000)).toBe(407);
    const challenge = first.final!.header('Proxy-Authenticate')[0]!;
    const nonce = /nonce="([^"]+)"/.exec(challenge)![1]!;
    const realm = /realm="([^"]+)"/.exec(challenge)![1]!;
    const ha1 = md5(`${username}:${realm}:${password}`);
    const cnonce = 'abcdef01';
    const response = md5(`${ha1}:${nonce}:00000001:${cnonce}:auth:${md5(`INVITE:${uri}`)}`);
    const authorization =
      `Proxy-Authorization: Digest username="${username}", realm="${realm}", nonce="${nonce}", ` +
      `uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="${cnonce}"`;
    return rawInvite({
      ip,
      port,
      edgePort: BASE,
      callId,
      headers: [authorization],
      ...(body ? { body } : {}),
    });
  }

  it('relays a call from an address in no ACL once its digest credentials name and prove the line', async () => {
    const before = s.agent.decisions.length;
    const uas = s.uas(0, 'uas-answer');
    const caller = await s.uac('uac-digest-call', { USER: 'carrier1', PASSWORD }, ROAMING);
    const served = await uas.done;
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    const challenge = received(caller, /^SIP\/2\.0 407 /)!;
    expect(challenge.headers('Proxy-Authenticate')[0]).toContain(`realm="${REALM}"`);
    const invite = received(served, /^INVITE /)!;
    expect(invite, explain(served)).toBeDefined();
    expect(invite.headers('Proxy-Authorization')).toEqual([]);
    const facts = s.agent.decisions[before]!.body;
    expect(facts.line).toBe('carrier');
    expect(facts.source.ip).toBe(ROAMING);
  });

  it('refuses a wrong password or a user of no such line with 403 Wrong Credentials', async () => {
    const ip = '127.0.0.8';
    expect(
      await refused(
        { USER: 'carrier1', PASSWORD: 'not-the-password' },
        403,
        ip,
        'uac-digest-reject',
      ),
    ).toBe('SIP/2.0 403 Wrong Credentials');
    const unknown = await digestInvite(ip, 'nobody99', PASSWORD);
    expect(unknown.final?.code).toBe(403);
    expect(unknown.final?.reason).toBe('Wrong Credentials');
    expect(s.edge.log()).toMatch(/line carrier: INVITE from 127\.0\.0\.8:\d+ refused: digest/);
    expect(s.edge.log()).toMatch(/INVITE from 127\.0\.0\.8:\d+ refused: digest user of no line/);
    expect(s.edge.log()).not.toContain('not-the-password');
  });

  it('challenges an INVITE with no credential, and refuses an OPTIONS from outside every ACL', async () => {
    const { final } = await rawInvite({ ip: '127.0.0.9', port: BASE + 67, edgePort: BASE });
    expect(final?.code).toBe(407);
    expect(final!.header('Proxy-Authenticate')[0]).toContain(`realm="${REALM}"`);
    expect(
      finalOf(
        await s.uac('uac-request', { METHOD: 'OPTIONS', USER: '', CODE: '403' }, '127.0.0.9'),
      ),
    ).toBe('SIP/2.0 403 Forbidden');
  });

  it('reaches a line by its tech prefix with its token, stripped, and refuses it without the token', async () => {
    const before = s.agent.decisions.length;
    const uas = s.uas(0, 'uas-answer');
    const caller = await s.uac(
      'uac-call',
      {
        RURI: 'sip:4321zendesk@[remote_ip]:[remote_port]',
        HEADERS: `      X-Line-Token: ${TOKEN}`,
      },
      '127.0.0.10',
    );
    const served = await uas.done;
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    expect(received(served, /^INVITE /)!.headers('X-Line-Token')).toEqual([]);
    const facts = s.agent.decisions[before]!.body;
    expect(facts.line).toBe('prefixed');
    expect(facts.sip.request_uri).toMatch(/^sip:zendesk@127\.0\.0\.1:/);
    expect(
      await refused({ RURI: 'sip:4321zendesk@[remote_ip]:[remote_port]' }, 403, '127.0.0.11'),
    ).toBe('SIP/2.0 403 Token Required');
  });

  it('never lets a line with its ACL be reached from another address, whatever it presents', async () => {
    const ip = '127.0.0.12';
    const invites = s.agent.decisions.length;
    // fenced1 is a user of an ip: true line only: from outside its ACL it names nothing.
    const fenced = await digestInvite(ip, 'fenced1', PASSWORD);
    expect(fenced.final?.code).toBe(403);
    expect(fenced.final?.reason).toBe('Wrong Credentials');
    // Its tech prefix and token neither: the edge challenges, as for any unknown caller.
    expect(
      await refused(
        {
          RURI: 'sip:9999zendesk@[remote_ip]:[remote_port]',
          HEADERS: `X-Line-Token: ${TOKEN}`,
        },
        407,
        '127.0.0.13',
      ),
    ).toBe('SIP/2.0 407 Proxy Authentication Required');
    expect(s.agent.decisions.length).toBe(invites);
    // From its own ACL the line works as before: challenged with its own realm.
    const own = await rawInvite({ ip: '127.0.0.1', port: BASE + 66, edgePort: BASE });
    expect(own.final?.code).toBe(407);
    expect(own.final!.header('Proxy-Authenticate')[0]).toContain('realm="fenced.test"');
  });

  it('still holds the media policy and the block list for a caller found by its credential', async () => {
    const srtp = [
      'v=0',
      `o=caller 1 1 IN IP4 ${ROAMING}`,
      's=-',
      `c=IN IP4 ${ROAMING}`,
      't=0 0',
      'm=audio 40000 RTP/SAVP 0',
      'a=rtpmap:0 PCMU/8000',
      'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz',
      '',
    ].join('\r\n');
    const media = await digestInvite('127.0.0.14', 'carrier1', PASSWORD, srtp);
    expect(media.final?.code).toBe(488);
    expect(media.final?.reason).toBe('SRTP not supported');

    // The agent is down, so Kamailio decides alone: its copy of the block list refuses the caller.
    const blocklist = createBlocklistSync(join(s.edge.dir, 'etc'), s.edge.rpc);
    await blocklist.apply(['carrier/14155550100'], false);
    await s.agent.setMode({ kind: 'down' });
    try {
      const blocked = await digestInvite('127.0.0.14', 'carrier1', PASSWORD);
      expect(blocked.final?.code, s.edge.log().slice(-2000)).toBe(603);
    } finally {
      await s.agent.setMode({ kind: 'relay', headers: '' });
      await blocklist.apply([], false);
    }
  });

  it('counts failed credentials of an unknown address, then refuses it even with the right ones', async () => {
    const ip = '127.0.0.15';
    for (let i = 0; i < 3; i++) {
      const res = await digestInvite(ip, 'carrier1', `wrong-password-${i}`);
      expect(res.final?.code).toBe(403);
    }
    // No credential (no challenge any more), or carrier1's: refused before any check.
    for (const headers of [
      [],
      ['Proxy-Authorization: Digest username="carrier1", realm="edge.test"'],
    ]) {
      const { final } = await rawInvite({ ip, port: BASE + 65, edgePort: BASE, headers });
      expect(final?.code).toBe(403);
      expect(final?.reason).toBe('Too Many Failed Attempts');
    }
    expect(s.edge.log()).toMatch(/INVITE from 127\.0\.0\.15:\d+ in no allowlist refused: too many/);
  });

  it('refuses a line found by its credential when nothing proved the caller (never fails open)', async () => {
    // A table the agent would never write (a tech prefix without a token), written by hand.
    const file = join(s.edge.dir, 'etc', 'callerauth');
    const rows = [
      `prefixed/group:0:0:${groups.prefixed}`,
      'prefixed/prefix:0:0:4321',
      '_any/prefix/4321:0:0:prefixed',
    ];
    writeFileSync(
      file,
      ['key_name(str) key_type(int) value_type(int) key_value(str)', ...rows, ''].join('\n'),
    );
    const later = Math.floor(Date.now() / 1000) + 30;
    utimesSync(file, later, later);
    await s.edge.rpc.call('htable.reload', ['callerauth']);
    try {
      const invites = s.agent.decisions.length;
      expect(
        await refused({ RURI: 'sip:4321zendesk@[remote_ip]:[remote_port]' }, 403, '127.0.0.17'),
      ).toBe('SIP/2.0 403 Forbidden');
      expect(s.agent.decisions.length).toBe(invites);
      expect(s.edge.log()).toMatch(
        /line prefixed: INVITE from 127\.0\.0\.17:\d+ refused: found by credential, proved by none/,
      );
    } finally {
      await createCallerAuthSync(join(s.edge.dir, 'etc'), s.edge.rpc).apply(
        Object.keys(AUTH).map((slug) => ({
          slug,
          acl: [],
          targets: [],
          maxCps: 0,
          auth: AUTH[slug]!,
        })),
        true,
        groups,
      );
    }
  });

  it('refuses an unknown address as before once no line takes callers without its ACL', async () => {
    await syncAuth(['fenced', 'fenced-prefix']);
    try {
      const { final } = await rawInvite({ ip: '127.0.0.16', port: BASE + 64, edgePort: BASE });
      expect(final?.code).toBe(403);
      expect(final?.reason).toBe('Forbidden');
      expect(
        await refused(
          { RURI: 'sip:4321zendesk@[remote_ip]:[remote_port]', HEADERS: `X-Line-Token: ${TOKEN}` },
          403,
          '127.0.0.16',
        ),
      ).toBe('SIP/2.0 403 Forbidden');
    } finally {
      await syncAuth(Object.keys(AUTH));
    }
  });
});

// Set through the Worker's admin API: a line created without an ACL, synced by the real agent
// (a new line id, its dispatcher set, media row and credential rows), then called from an
// address in no ACL; the call record holds no credential.
describe.skipIf(!sipToolsAvailable())(
  'lines without an IP allowlist: Worker → agent → Kamailio',
  () => {
    let f: FullStack;

    beforeAll(async () => {
      f = await startFullStack(BASE, [{ slug: 'demo', acl: ['127.0.0.1/32'] }], {
        aclSync: { intervalMs: 300 },
      });
      await vi.waitFor(
        async () => expect((await f.agentHealth()).acl?.last_sync_at).not.toBeNull(),
        {
          timeout: 30_000,
          interval: 200,
        },
      );
    }, 90_000);
    afterAll(() => f?.stop(), 30_000);

    it('relays a digest caller from anywhere to a line created with ip false, and records no secret', async () => {
      const before = (await f.agentHealth()).acl!.etag;
      const created = await f.admin('POST', '/v1/admin/lines', {
        slug: 'carrier',
        name: 'BYOC carrier',
        sip_targets: [`sip:zendesk@127.0.0.1:${BASE + 70}`],
        default_country: 'US',
        auth: {
          ip: false,
          digest: { realm: REALM, users: [{ username: 'acmetrunk1', password: PASSWORD }] },
        },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      await vi.waitFor(
        async () => {
          const acl = (await f.agentHealth()).acl!;
          expect(acl.etag !== before && acl.last_error === null, JSON.stringify(acl)).toBe(true);
        },
        { timeout: 15_000, interval: 200 },
      );
      await f.warmUp('carrier');

      const uas = f.uas(0, 'uas-answer');
      const caller = await f.uac(
        'uac-digest-call',
        { HOLD_MS: '50', USER: 'acmetrunk1', PASSWORD },
        ROAMING,
      );
      const served = await uas.done;
      expect(caller.code, explain(caller, f.edge)).toBe(0);
      expect(received(served, /^INVITE /)!.headers('Proxy-Authorization')).toEqual([]);
      const callId = callIdOf(caller);
      const records = await f.waitForRecords([callId], (r) => r.status === 'completed');
      const record = records.get(callId)!;
      expect(record.line).toBe('carrier');
      expect(JSON.stringify(record)).not.toContain(PASSWORD);
      expect(JSON.stringify(record)).not.toMatch(/Proxy-Authorization|response=/i);
      expect(f.agentLog()).not.toContain(PASSWORD);
    }, 60_000);
  },
);
