import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HealthReport } from '@sip-bridge/edge/agent/health';
import { renderAddressList } from '@sip-bridge/edge/renderer/files';
import { callIdOf, startFullStack, type FullStack } from './harness/full-stack';
import { finalResponse, received } from './harness/sipp';
import { explain } from './harness/suite';
import { sipToolsAvailable } from './harness/tools';
import { PORT_BLOCKS } from './harness/ports';
import { AGENT_TOKEN_HEADER } from '@sip-bridge/contract/app-auth';
import type { LineEdgeStatus } from '@sip-bridge/contract/edge-applied';
import { DEMO_OAUTH_TOKENS } from '@sip-bridge/zendesk-standin/seed';

// The agent's ACL sync against real Kamailio and the real Worker: an ACL entry added or removed
// through the admin API reaches Kamailio's address file within seconds, and a file Kamailio would
// not load as written leaves the previous ACL active and the agent degraded.
const BASE = PORT_BLOCKS.aclSync;
const LINE = 'demo';

describe.skipIf(!sipToolsAvailable())('ACL sync: Worker edge config → Kamailio', () => {
  let s: FullStack;
  /** When set, the rendered file spells 127.0.0.3 in a way Kamailio cannot load. */
  let corrupt = false;

  beforeAll(async () => {
    s = await startFullStack(BASE, [{ slug: LINE, acl: ['127.0.0.1/32'] }], {
      aclSync: {
        intervalMs: 300,
        render: (lines, ids) => {
          const text = renderAddressList(lines, ids, 'the Worker edge config');
          return corrupt ? text.replace(' 127.0.0.3 32 ', ' 127.0.0.300 32 ') : text;
        },
      },
    });
    await waitForAcl((acl) => acl.last_sync_at !== null && acl.last_error === null, 30_000);
  }, 90_000);

  afterAll(async () => {
    await s?.stop();
  }, 30_000);

  /** Polls /health (bounded) until its acl section satisfies `done`. */
  async function waitForAcl(
    done: (acl: NonNullable<HealthReport['acl']>, health: HealthReport) => boolean,
    timeoutMs = 15_000,
  ): Promise<HealthReport> {
    return vi.waitFor(
      async () => {
        const health = await s.agentHealth();
        const why = `acl not as expected: ${JSON.stringify(health)}\n${s.agentLog()}`;
        expect(health.acl !== undefined && done(health.acl, health), why).toBe(true);
        return health;
      },
      { timeout: timeoutMs, interval: 200 },
    );
  }

  async function refusedFrom(ip: string) {
    const caller = await s.uac('uac-reject', { CODE: '403' }, ip);
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    return finalResponse(caller);
  }

  async function admittedFrom(ip: string) {
    const uas = s.uas(0, 'uas-answer');
    const caller = await s.uac('uac-call', { HOLD_MS: '50' }, ip);
    const served = await uas.done;
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    expect(received(served, /^INVITE /), explain(served)).toBeDefined();
    return callIdOf(caller);
  }

  const loaded = async () => (await s.edge.rpc.addressDump()).map((r) => r.ip);

  /** The line's state at the edge as the admin console reads it (a Zendesk admin's request). */
  async function edgeState(slug: string): Promise<LineEdgeStatus> {
    const res = await fetch(`${s.workerUrl}/v1/console/lines/${slug}`, {
      headers: {
        Authorization: `Bearer ${await s.appJwt()}`,
        [AGENT_TOKEN_HEADER]: `Bearer ${DEMO_OAUTH_TOKENS.apiUser}`,
      },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { line: { edge: LineEdgeStatus } }).line.edge;
  }

  it('starts from the Worker config and reports it in /health', async () => {
    const health = await s.agentHealth();
    expect(health.status).toBe('ok');
    expect(health.acl).toMatchObject({ entries: 1, last_error: null });
    expect(health.acl!.etag).toMatch(/^"[0-9a-f]+"$/);
    expect(await loaded()).toEqual(['127.0.0.1']);
  });

  it('admits a source once its ACL entry is added in the Worker, and refuses it once removed', async () => {
    expect(await refusedFrom('127.0.0.3')).toBe('SIP/2.0 403 Forbidden');
    const before = (await s.agentHealth()).acl!.etag;

    const added = await s.admin<{ line: { acl: { id: number; cidr: string }[] } }>(
      'POST',
      `/v1/admin/lines/${LINE}/acl`,
      { cidr: '127.0.0.3/32', label: 'acl sync test' },
    );
    expect(added.status).toBe(201);
    const entry = added.body.line.acl.find((a) => a.cidr === '127.0.0.3/32')!;
    // permissions allows one reload per 5 s: a few seconds at most.
    await waitForAcl((acl) => acl.etag !== before && acl.entries === 2);
    expect((await loaded()).sort()).toEqual(['127.0.0.1', '127.0.0.3']);
    // The agent told the Worker it applied this config: the console shows the change at the edge.
    const synced = (await s.agentHealth()).acl!;
    await expect
      .poll(() => edgeState(LINE), { timeout: 10_000, interval: 200, message: s.agentLog() })
      .toEqual({ state: 'applied', applied_at: synced.last_sync_at });
    expect(s.agentLog()).toMatch(/acl\.applied_reported/);
    const callId = await admittedFrom('127.0.0.3');
    // The agent names the entry that admitted the call (Kamailio only knows the line).
    const records = await s.waitForRecords([callId], (r) => r.status === 'completed');
    expect(records.get(callId)!.source.acl_entry).toBe('127.0.0.3/32');

    const etag = (await s.agentHealth()).acl!.etag;
    const removed = await s.admin('DELETE', `/v1/admin/lines/${LINE}/acl/${entry.id}`);
    expect(removed.status).toBe(204);
    await waitForAcl((acl) => acl.etag !== etag && acl.entries === 1);
    expect(await loaded()).toEqual(['127.0.0.1']);
    expect(await refusedFrom('127.0.0.3')).toBe('SIP/2.0 403 Forbidden');
    await admittedFrom('127.0.0.1');
  }, 60_000);

  it('keeps the previous ACL active and reports degraded when Kamailio skips a line', async () => {
    corrupt = true;
    const added = await s.admin('POST', `/v1/admin/lines/${LINE}/acl`, { cidr: '127.0.0.3/32' });
    expect(added.status).toBe(201);
    const health = await waitForAcl((acl) => acl.last_error !== null, 20_000);
    expect(health.status).toBe('degraded');
    expect(health.acl!.last_error).toMatch(/Kamailio loaded|reload/);
    expect(health.acl!.entries).toBe(1);
    // The restored file is loaded again (after permissions' 5 s reload delay at most).
    await expect.poll(loaded, { timeout: 10_000, interval: 250 }).toEqual(['127.0.0.1']);
    expect(await refusedFrom('127.0.0.3')).toBe('SIP/2.0 403 Forbidden');
    await admittedFrom('127.0.0.1');
  }, 60_000);
  it('routes a line added in the Worker to its own target, without a render or a restart', async () => {
    corrupt = false; // after the test above
    expect(await refusedFrom('127.0.0.5')).toBe('SIP/2.0 403 Forbidden');
    const before = (await s.agentHealth()).acl!.etag;
    const created = await s.admin('POST', '/v1/admin/lines', {
      slug: 'overflow',
      name: 'Overflow line',
      sip_targets: [s.target(1)],
      default_country: 'US',
      max_cps: 7,
      routing: { mode: 'round_robin', no_ringback_ms: 900, max_concurrent_calls: 3 },
      acl: [{ cidr: '127.0.0.5/32' }],
    });
    expect(created.status).toBe(201);
    await waitForAcl((acl) => acl.etag !== before && acl.lines === 2);

    const uas = s.uas(1, 'uas-answer');
    const caller = await s.uac('uac-call', { HOLD_MS: '50' }, '127.0.0.5');
    const served = await uas.done;
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    expect(received(served, /^INVITE /)!.startLine).toBe(`INVITE ${s.target(1)} SIP/2.0`);
    const callId = callIdOf(caller);
    const records = await s.waitForRecords([callId], (r) => r.status === 'completed');
    expect(records.get(callId)).toMatchObject({
      line: 'overflow',
      source: { ip: '127.0.0.5', acl_entry: '127.0.0.5/32' },
    });
    const cps = await s.edge.rpc.htableGet('linecps', 'overflow');
    expect(cps.value).toBe(7);
    // Its routing reached the lineroute htable the cfg reads at each call.
    const routing = await Promise.all(
      ['mode', 'ringback', 'answer', 'calls'].map((key) =>
        s.edge.rpc.htableGet('lineroute', `overflow::${key}`).then((r) => r.value),
      ),
    );
    expect(routing).toEqual([1, 900, 300_000, 3]);
  }, 60_000);

  it('resyncs after Kamailio restarts: the added line keeps its CPS limit and its route', async () => {
    await s.edge.restart();
    // The restarted Kamailio read the files the agent wrote; its linecps htable came from the
    // render (demo only) until the agent noticed the restart and applied everything again.
    await expect
      .poll(
        () =>
          s.edge.rpc
            .htableGet('linecps', 'overflow')
            .then((r) => r.value)
            .catch(() => undefined),
        { timeout: 15_000, interval: 200, message: s.agentLog() },
      )
      .toBe(7);
    expect(s.agentLog()).toMatch(/acl\.kamailio_restarted/);
    // The agent sets linecps for every line, then lineroute key by key: wait for the last one too.
    await expect
      .poll(
        () =>
          s.edge.rpc
            .htableGet('lineroute', 'overflow::calls')
            .then((r) => r.value)
            .catch(() => undefined),
        { timeout: 5_000, interval: 100, message: s.agentLog() },
      )
      .toBe(3);
    const uas = s.uas(1, 'uas-answer');
    const caller = await s.uac('uac-call', { HOLD_MS: '50' }, '127.0.0.5');
    await uas.done;
    expect(caller.code, explain(caller, s.edge)).toBe(0);
  }, 60_000);
});
