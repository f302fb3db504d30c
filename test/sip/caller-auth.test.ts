import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCallerAuthSync } from '@sip-bridge/edge/agent/caller-auth-sync';
import { rawInvite } from './harness/raw-sip';
import { callIdOf, startFullStack, type FullStack } from './harness/full-stack';
import { received } from './harness/sipp';
import { explain, startSuite, type SipSuite } from './harness/suite';
import { sipToolsAvailable } from './harness/tools';
import { PORT_BLOCKS } from './harness/ports';

// How a caller proves it may use a line, enforced by the real Kamailio from the rendered template:
// token header, tech prefix, SIP digest (407), P-Charge-Info, failed attempts per source. The
// lines' auth reaches Kamailio through the agent's own sync (db_text table, htable.reload).
const BASE = PORT_BLOCKS.callerAuth;
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const TOKEN = 'line-token-Zq7uW2pY9sK4';
const REALM = 'edge.test';
const PASSWORD = 'correct-horse-battery';

describe.skipIf(!sipToolsAvailable())('caller auth at the edge', () => {
  let s: SipSuite;

  beforeAll(async () => {
    s = await startSuite(
      BASE,
      (target) => [
        { slug: 'token', targets: [target(0)], acl: ['127.0.0.1/32'] },
        { slug: 'prefix', targets: [target(0)], acl: ['127.0.0.2/32'] },
        { slug: 'digest', targets: [target(0)], acl: ['127.0.0.3/32'] },
        { slug: 'charge', targets: [target(0)], acl: ['127.0.0.4/32'] },
        { slug: 'limited', targets: [target(0)], acl: ['127.0.0.5/32'] },
      ],
      {},
      [],
      { failed_attempts: 3, failed_window_seconds: 600 },
    );
    const token = { header: 'X-Line-Token', sha256: sha256(TOKEN) };
    const sync = createCallerAuthSync(join(s.edge.dir, 'etc'), s.edge.rpc);
    await sync.apply(
      [
        { slug: 'token', acl: [], targets: [], maxCps: 0, auth: { ip: true, token } },
        {
          slug: 'prefix',
          acl: [],
          targets: [],
          maxCps: 0,
          auth: { ip: true, tech_prefix: '1234' },
        },
        {
          slug: 'digest',
          acl: [],
          targets: [],
          maxCps: 0,
          auth: {
            ip: true,
            digest: {
              realm: REALM,
              users: [{ username: 'carrier1', ha1: md5(`carrier1:${REALM}:${PASSWORD}`) }],
            },
          },
        },
        {
          slug: 'charge',
          acl: [],
          targets: [],
          maxCps: 0,
          auth: { ip: true, p_charge_info: { numbers: ['14155550199'] } },
        },
        { slug: 'limited', acl: [], targets: [], maxCps: 0, auth: { ip: true, token } },
      ],
      false,
    );
    await s.agent.setMode({ kind: 'relay', headers: '' });
  }, 30_000);
  afterAll(() => s?.stop());

  /** One call through to the UAS; returns the INVITE the UAS saw and the decision's facts. */
  async function callThrough(vars: Record<string, string>, ip: string, scenario = 'uac-call') {
    const before = s.agent.decisions.length;
    const uas = s.uas(0, 'uas-answer');
    const caller = await s.uac(scenario, vars, ip);
    const served = await uas.done;
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    const invite = received(served, /^INVITE /);
    expect(invite, explain(served)).toBeDefined();
    return { caller, invite: invite!, facts: s.agent.decisions[before]!.body };
  }

  async function refused(
    vars: Record<string, string>,
    code: number,
    ip: string,
    scenario = 'uac-reject',
  ) {
    const caller = await s.uac(scenario, { ...vars, CODE: String(code) }, ip);
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    // The last final response: a digest caller got a 407 first.
    return caller.messages
      .filter((m) => m.direction === 'received' && /^SIP\/2\.0 [2-6]\d\d /.test(m.startLine))
      .map((m) => m.startLine)
      .at(-1);
  }

  it('relays a call with the line token, and neither the Worker nor Zendesk sees the token', async () => {
    const { invite, facts } = await callThrough(
      { HEADERS: `      X-Line-Token: ${TOKEN}\n      X-Intent: billing` },
      '127.0.0.1',
    );
    expect(invite.headers('X-Line-Token')).toEqual([]);
    expect(facts.line).toBe('token');
    expect(facts.sip.context).toEqual([{ name: 'X-Intent', value: 'billing' }]);
    expect(s.edge.log()).not.toContain(TOKEN);
  });

  it('refuses a call without the token (403 Token Required) and with a wrong one (403 Wrong Token)', async () => {
    expect(await refused({}, 403, '127.0.0.1')).toBe('SIP/2.0 403 Token Required');
    expect(await refused({ HEADERS: 'X-Line-Token: guess-1234' }, 403, '127.0.0.1')).toBe(
      'SIP/2.0 403 Wrong Token',
    );
    expect(s.edge.log()).toMatch(/line token: INVITE from 127\.0\.0\.1:\d+ refused: wrong token/);
    expect(s.edge.log()).not.toContain('guess-1234');
  });

  it('checks the tech prefix and strips it before the call goes on', async () => {
    const { facts } = await callThrough(
      { RURI: 'sip:1234zendesk@[remote_ip]:[remote_port]' },
      '127.0.0.2',
    );
    expect(facts.line).toBe('prefix');
    expect(facts.sip.request_uri).toMatch(/^sip:zendesk@127\.0\.0\.1:/);
    expect(await refused({}, 403, '127.0.0.2')).toBe('SIP/2.0 403 Tech Prefix Required');
  });

  it('challenges with 407 and relays once the digest credentials are right', async () => {
    const { caller, invite } = await callThrough(
      { USER: 'carrier1', PASSWORD },
      '127.0.0.3',
      'uac-digest-call',
    );
    const challenge = received(caller, /^SIP\/2\.0 407 /)!;
    const header = challenge.headers('Proxy-Authenticate')[0]!;
    expect(header).toContain(`realm="${REALM}"`);
    expect(header).toContain('qop="auth"');
    // The credentials end at the edge.
    expect(invite.headers('Proxy-Authorization')).toEqual([]);
  });

  it('refuses a wrong digest password or an unknown user with 403 Wrong Credentials', async () => {
    const wrong = { USER: 'carrier1', PASSWORD: 'not-the-password' };
    expect(await refused(wrong, 403, '127.0.0.3', 'uac-digest-reject')).toBe(
      'SIP/2.0 403 Wrong Credentials',
    );
    const unknown = { USER: 'carrier9', PASSWORD };
    expect(await refused(unknown, 403, '127.0.0.3', 'uac-digest-reject')).toBe(
      'SIP/2.0 403 Wrong Credentials',
    );
    expect(s.edge.log()).toMatch(/line digest: INVITE from 127\.0\.0\.3:\d+ refused: digest/);
    expect(s.edge.log()).not.toContain('not-the-password');
  });

  it('challenges again (stale) when a nonce is replayed', async () => {
    const port = BASE + 69;
    const uri = `sip:zendesk@127.0.0.1:${BASE}`;
    const callId = `replay-${Date.now()}@caller-auth.test`;
    const first = await rawInvite({ ip: '127.0.0.3', port, edgePort: BASE, callId });
    expect(first.final?.code).toBe(407);
    const nonce = /nonce="([^"]+)"/.exec(first.final!.header('Proxy-Authenticate')[0]!)![1]!;
    const ha1 = md5(`carrier1:${REALM}:${PASSWORD}`);
    const cnonce = 'abcdef01';
    const response = md5(`${ha1}:${nonce}:00000001:${cnonce}:auth:${md5(`INVITE:${uri}`)}`);
    const authorization =
      `Proxy-Authorization: Digest username="carrier1", realm="${REALM}", nonce="${nonce}", ` +
      `uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="${cnonce}"`;
    const uas = s.uas(0, 'uas-reject', { CODE: '486', REASON: 'Busy Here' });
    const accepted = await rawInvite({
      ip: '127.0.0.3',
      port,
      edgePort: BASE,
      callId,
      headers: [authorization],
    });
    await uas.done;
    expect(accepted.final?.code).toBe(486);
    const replayed = await rawInvite({
      ip: '127.0.0.3',
      port,
      edgePort: BASE,
      callId,
      headers: [authorization],
    });
    expect(replayed.final?.code).toBe(407);
    expect(replayed.final!.header('Proxy-Authenticate')[0]).toMatch(/stale=true/i);

    // A fresh nonce, answered correctly, but in another call: bound to the Call-ID, it is refused.
    const second = await rawInvite({ ip: '127.0.0.3', port, edgePort: BASE, callId });
    const fresh = /nonce="([^"]+)"/.exec(second.final!.header('Proxy-Authenticate')[0]!)![1]!;
    const answer = md5(`${ha1}:${fresh}:00000001:${cnonce}:auth:${md5(`INVITE:${uri}`)}`);
    const elsewhere = await rawInvite({
      ip: '127.0.0.3',
      port,
      edgePort: BASE,
      callId: `other-${callId}`,
      headers: [authorization.replace(nonce, fresh).replace(response, answer)],
    });
    expect(elsewhere.final?.code).toBe(407);
  });

  it('admits P-Charge-Info with a line number, refuses another number and a missing header', async () => {
    const { facts } = await callThrough(
      { HEADERS: '      P-Charge-Info: <sip:+1 415 555 0199@carrier.example>' },
      '127.0.0.4',
    );
    expect(facts.line).toBe('charge');
    expect(
      await refused(
        { HEADERS: 'P-Charge-Info: <sip:+14155550100@carrier.example>' },
        403,
        '127.0.0.4',
      ),
    ).toBe('SIP/2.0 403 P-Charge-Info Not A Line Number');
    expect(await refused({}, 403, '127.0.0.4')).toBe('SIP/2.0 403 P-Charge-Info Required');
    for (const garbage of ['not a uri', '<>', '<tel:>', '<sip:@x>']) {
      expect(await refused({ HEADERS: `P-Charge-Info: ${garbage}` }, 403, '127.0.0.4')).toBe(
        'SIP/2.0 403 P-Charge-Info Not A Line Number',
      );
    }
  });

  it('refuses a source outright after too many failed credentials, even with the right token', async () => {
    for (let i = 0; i < 3; i++) {
      expect(await refused({ HEADERS: `X-Line-Token: wrong-${i}` }, 403, '127.0.0.5')).toBe(
        'SIP/2.0 403 Wrong Token',
      );
    }
    expect(await refused({ HEADERS: `X-Line-Token: ${TOKEN}` }, 403, '127.0.0.5')).toBe(
      'SIP/2.0 403 Too Many Failed Attempts',
    );
    expect(s.edge.log()).toMatch(/line limited: INVITE from 127\.0\.0\.5:\d+ refused: too many/);
  });

  it('still enforces every line after Kamailio restarts (it loads the table at start)', async () => {
    await s.edge.restart();
    expect(await refused({}, 403, '127.0.0.1')).toBe('SIP/2.0 403 Token Required');
    expect(await refused({}, 403, '127.0.0.2')).toBe('SIP/2.0 403 Tech Prefix Required');
    expect(await refused({}, 403, '127.0.0.4')).toBe('SIP/2.0 403 P-Charge-Info Required');
  });
});

// The same checks set through the Worker's admin API: the agent's sync carries them from the
// edge config to Kamailio, and the call record never holds the token.
describe.skipIf(!sipToolsAvailable())('caller auth: Worker admin API → agent → Kamailio', () => {
  let f: FullStack;

  beforeAll(async () => {
    f = await startFullStack(BASE, [{ slug: 'demo', acl: ['127.0.0.1/32'] }], {
      aclSync: { intervalMs: 300 },
    });
    await vi.waitFor(async () => expect((await f.agentHealth()).acl?.last_sync_at).not.toBeNull(), {
      timeout: 30_000,
      interval: 200,
    });
  }, 90_000);
  afterAll(() => f?.stop(), 30_000);

  it('enforces a token and a tech prefix set on the line, and keeps the token out of the record', async () => {
    const before = (await f.agentHealth()).acl!.etag;
    const patched = await f.admin('PATCH', '/v1/admin/lines/demo', {
      auth: { token: { header: 'X-Line-Token', secret: TOKEN }, tech_prefix: '0042' },
    });
    expect(patched.status).toBe(200);
    expect(JSON.stringify(patched.body)).not.toContain(TOKEN);
    await vi.waitFor(
      async () => {
        const acl = (await f.agentHealth()).acl!;
        expect(acl.etag !== before && acl.last_error === null, JSON.stringify(acl)).toBe(true);
      },
      { timeout: 15_000, interval: 200 },
    );

    const refused = await f.uac('uac-reject', { CODE: '403' }, '127.0.0.1');
    expect(refused.code, explain(refused, f.edge)).toBe(0);
    expect(received(refused, /^SIP\/2\.0 403 /)?.startLine).toBe('SIP/2.0 403 Token Required');

    const uas = f.uas(0, 'uas-answer');
    const caller = await f.uac(
      'uac-call',
      {
        HOLD_MS: '50',
        RURI: 'sip:0042zendesk@[remote_ip]:[remote_port]',
        HEADERS: `      X-Line-Token: ${TOKEN}`,
      },
      '127.0.0.1',
    );
    const served = await uas.done;
    expect(caller.code, explain(caller, f.edge)).toBe(0);
    expect(received(served, /^INVITE /)!.headers('X-Line-Token')).toEqual([]);
    const callId = callIdOf(caller);
    const records = await f.waitForRecords([callId], (r) => r.status === 'completed');
    const record = records.get(callId)!;
    expect(record.sip.request_uri).toMatch(/^sip:zendesk@/);
    expect(JSON.stringify(record)).not.toContain(TOKEN);
    expect(f.agentLog()).not.toContain(TOKEN);
  }, 60_000);
});
