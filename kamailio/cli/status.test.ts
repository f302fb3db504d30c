import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runSipbridge } from './main';
import {
  closedPortUrl,
  rawDialog,
  RpcFault,
  startFakeAgent,
  startFakeKamailio,
  startSilentServer,
  type FakeServer,
  type RpcMethods,
} from './testing/fake-servers';

const dir = mkdtempSync(join(tmpdir(), 'sipbridge-cli-status-'));
writeFileSync(
  join(dir, 'line-ids.json'),
  JSON.stringify({ version: 1, ids: { demo: 1, sales: 2 } }),
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEALTHY = {
  status: 'ok',
  spool: { depth: 0, oldest_at: null },
  worker: {
    reachable: true,
    last_ok_at: '2026-11-21T08:00:00.000Z',
    last_error: null,
    breaker: 'closed',
  },
  acl: { last_sync_at: '2026-11-21T08:00:01.000Z', etag: '"abc"', entries: 3, last_error: null },
};

function kamailioMethods(overrides: RpcMethods = {}): RpcMethods {
  let processed = 100;
  return {
    'core.version': () => 'kamailio 5.6.3 (x86_64/linux)\n',
    'core.uptime': () => ({
      now: 'Sat Nov 21 08:00:00 2026',
      up_since: 'Sat Nov 21 06:59:55 2026',
      uptime: 3605,
    }),
    // Ten new dialogs between the two samples.
    'stats.fetchn': () => ({ 'dialog.processed_dialogs': (processed += 10) - 10 }),
    'dlg.list': () => [
      rawDialog({ callId: 'a@x', state: 4, startTs: 1_800_000_000 }),
      rawDialog({ callId: 'b@x', state: 2, hId: 2 }),
      rawDialog({ callId: 'c@x', state: 4, call: '{"line":"sales"}', hId: 3 }),
      rawDialog({ callId: 'd@x', state: 4, call: 'not json', hId: 4 }),
      rawDialog({ callId: 'e@x', state: 5, hId: 5 }),
    ],
    'permissions.addressDump': () => [
      { group: 1, item: { ip: '127.0.0.1', port: 0, tag: 'demo' } },
      { group: 7, item: { ip: '10.9.9.9', port: 0, tag: 'legacy' } },
    ],
    'permissions.subnetDump': () => [
      { group: 1, item: { ip: '10.0.0.0', mask: 8, port: 0, tag: 'demo' } },
      { group: 1, item: { ip: '2001:db8::', mask: 32, port: 0, tag: 'demo' } },
      { group: 9, item: { ip: '192.0.2.0', mask: 24, port: 0, tag: null } },
    ],
    'mqueue.get_size': () => ({ name: 'events', size: 3 }),
    // demo's second target failed its OPTIONS probes: calls skip it.
    'dispatcher.list': () => ({
      NRSETS: 1,
      RECORDS: [
        {
          SET: {
            ID: 1,
            TARGETS: [
              { DEST: { URI: 'sip:a@192.0.2.1', FLAGS: 'AP', ATTRS: { BODY: 'line=demo' } } },
              { DEST: { URI: 'sip:b@192.0.2.2', FLAGS: 'IP', ATTRS: { BODY: 'line=demo' } } },
            ],
          },
        },
      ],
    }),
    ...overrides,
  };
}

describe('sipbridge status', () => {
  const servers: FakeServer[] = [];
  let kamailio: FakeServer;
  let agent: FakeServer;
  let health: unknown = HEALTHY;

  beforeAll(async () => {
    kamailio = await startFakeKamailio(kamailioMethods());
    agent = await startFakeAgent({ 'GET /health': () => [200, health] });
    servers.push(kamailio, agent);
  });
  afterEach(() => {
    health = HEALTHY;
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  /** A sample clock that moves only when the CLI sleeps: each sample lasts what it asked for. */
  function sampleClock() {
    let at = 0;
    const sleeps: number[] = [];
    return {
      sleeps,
      monotonicNow: () => at,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        at += ms;
      },
    };
  }

  const run = (extra: string[] = [], env: Record<string, string> = {}, clock = sampleClock()) =>
    runSipbridge(
      [
        'status',
        '--rpc',
        kamailio.url,
        '--agent',
        agent.url,
        '--dir',
        dir,
        '--sample-ms',
        '100',
        ...extra,
      ],
      env,
      clock,
    );

  it('shows Kamailio, the calls per line, calls per second and the agent in aligned tables', async () => {
    const result = await run();
    expect(result.stderr).toEqual([]);
    expect(result.code).toBe(0);
    const text = result.stdout.join('\n');
    expect(result.stdout.slice(0, 3)).toEqual([
      'Status: OK',
      'Kamailio  kamailio 5.6.3 (x86_64/linux), up 1h 00m 05s (since Sat Nov 21 06:59:55 2026)',
      'Calls     4 active (confirmed 3, early 1)',
    ]);
    // Ten new dialogs over the 0.1 s sample.
    expect(text).toMatch(/^Calls\/s {3}100\.00 \(new calls over 0\.1 s\)$/m);
    expect(text).toContain('Events    3 queued in Kamailio for the agent');
    expect(text).toContain('Agent     ok');
    expect(text).toContain('Spool     0 events waiting');
    expect(text).toContain('Worker    reachable, breaker closed');
    expect(text).toContain('ACL sync  3 entries, last sync 2026-11-21T08:00:01.000Z');
    expect(text).toContain('Targets   1 up, 1 DOWN (probing, skipped): sip:b@192.0.2.2 (demo)');
    expect(result.stdout.slice(-6)).toEqual([
      'LINE     GROUP  ACL ENTRIES  TARGETS     CALLS  STATES',
      'demo     1                3  2 (1 DOWN)      2  confirmed 1, early 1',
      'sales    2                0  0               1  confirmed 1',
      'legacy   7                1  0               0',
      'group 9  9                1  0               0',
      'unknown  -                0  0               1  confirmed 1',
    ]);
  });

  it('--json prints one object with stable snake_case keys', async () => {
    const result = await run(['--json']);
    expect(result.code).toBe(0);
    expect(result.stdout).toHaveLength(1);
    const report = JSON.parse(result.stdout[0]!);
    expect(report).toEqual({
      status: 'ok',
      kamailio: {
        url: kamailio.url,
        reachable: true,
        error: null,
        version: 'kamailio 5.6.3 (x86_64/linux)',
        uptime_s: 3605,
        up_since: 'Sat Nov 21 06:59:55 2026',
        calls_per_second: 100,
        sample_ms: 100,
        active_calls: 4,
        calls_by_state: { confirmed: 3, early: 1 },
        events_queued: 3,
        targets_down: 1,
      },
      lines: [
        {
          line: 'demo',
          group: 1,
          acl_entries: 3,
          active_calls: 2,
          calls_by_state: { confirmed: 1, early: 1 },
          targets: 2,
          targets_down: ['sip:b@192.0.2.2'],
        },
        {
          line: 'sales',
          group: 2,
          acl_entries: 0,
          active_calls: 1,
          calls_by_state: { confirmed: 1 },
          targets: 0,
          targets_down: [],
        },
        ...[
          ['legacy', 7],
          ['group 9', 9],
        ].map(([line, group]) => ({
          line,
          group,
          acl_entries: 1,
          active_calls: 0,
          calls_by_state: {},
          targets: 0,
          targets_down: [],
        })),
        {
          line: 'unknown',
          group: null,
          acl_entries: 0,
          active_calls: 1,
          calls_by_state: { confirmed: 1 },
          targets: 0,
          targets_down: [],
        },
      ],
      line_ids: { path: join(dir, 'line-ids.json'), error: null },
      agent: {
        url: agent.url,
        reachable: true,
        error: null,
        status: 'ok',
        spool_depth: 0,
        spool_oldest_at: null,
        worker_reachable: true,
        worker_last_ok_at: '2026-11-21T08:00:00.000Z',
        worker_last_error: null,
        breaker: 'closed',
        acl_sync: {
          enabled: true,
          last_sync_at: '2026-11-21T08:00:01.000Z',
          etag: '"abc"',
          entries: 3,
          last_error: null,
        },
      },
    });
  });

  it('waits --sample-ms to measure calls per second, and not at all with 0', async () => {
    const sampled = sampleClock();
    const measured = await run(['--sample-ms', '400', '--json'], {}, sampled);
    expect(sampled.sleeps).toEqual([400]);
    // Ten new dialogs over 0.4 s.
    expect(JSON.parse(measured.stdout[0]!).kamailio).toMatchObject({
      calls_per_second: 25,
      sample_ms: 400,
    });
    const unsampled = sampleClock();
    const skipped = await run(['--sample-ms', '0', '--json'], {}, unsampled);
    expect(unsampled.sleeps).toEqual([]);
    expect(JSON.parse(skipped.stdout[0]!).kamailio.calls_per_second).toBeNull();
  });

  it('says when the rendered cfg predates the events queue', async () => {
    const old = await startFakeKamailio(
      kamailioMethods({ 'mqueue.get_size': () => new RpcFault(404, 'No such queue') }),
    );
    servers.push(old);
    const result = await runSipbridge(
      ['status', '--rpc', old.url, '--agent', agent.url, '--dir', dir, '--sample-ms', '0'],
      {},
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'Events    unknown (this cfg has no events queue: render it again)',
    );
  });

  it('exits 1 and says why when the agent is degraded', async () => {
    health = {
      ...HEALTHY,
      status: 'degraded',
      spool: { depth: 42, oldest_at: '2026-11-21T07:55:00.000Z' },
      worker: { reachable: false, last_ok_at: null, last_error: 'timeout', breaker: 'open' },
      acl: { ...HEALTHY.acl, last_error: 'Kamailio loaded 1 of 2 entries' },
      reconcile: {
        last_scan_at: null,
        open_calls: 0,
        reconciled: 0,
        last_error: 'dlg.list: timeout',
      },
    };
    const result = await run();
    expect(result.code).toBe(1);
    const text = result.stdout.join('\n');
    expect(text).toContain('Status: DEGRADED');
    expect(text).toContain(
      'Agent     DEGRADED: Worker unreachable, breaker open, ACL sync error, call reconciliation: dlg.list: timeout',
    );
    expect(text).toContain('Spool     42 events waiting, oldest from 2026-11-21T07:55:00.000Z');
    expect(text).toContain('Worker    UNREACHABLE (timeout; last ok never), breaker open');
    expect(text).toContain('ACL sync  ERROR: Kamailio loaded 1 of 2 entries (3 entries in force');
    const json = JSON.parse((await run(['--json'])).stdout[0]!);
    expect(json.status).toBe('degraded');
    expect(json.agent).toMatchObject({ status: 'degraded', spool_depth: 42, breaker: 'open' });
  });

  it('says when the agent cannot fetch hang-up commands from the Worker', async () => {
    health = {
      ...HEALTHY,
      status: 'degraded',
      commands: {
        last_poll_at: null,
        executed: 0,
        failed: 0,
        last_error: 'HTTP 401 from the Worker',
      },
    };
    const result = await run();
    expect(result.code).toBe(1);
    expect(result.stdout.join('\n')).toContain(
      'Agent     DEGRADED: hang-up commands: HTTP 401 from the Worker',
    );
  });

  it('ignores parts of the health report it does not know', async () => {
    health = { ...HEALTHY, reconcile: 'a shape from some other version', metrics: { up: 1 } };
    const result = await run(['--sample-ms', '0']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Agent     ok');
  });

  it('says when the agent runs without ACL sync', async () => {
    const { acl: _acl, ...withoutAcl } = HEALTHY;
    health = withoutAcl;
    const result = await run();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('ACL sync  off (EDGE_ACL_SYNC_DIR not set in the agent)');
    health = withoutAcl;
    const json = JSON.parse((await run(['--json'])).stdout[0]!);
    expect(json.agent.acl_sync).toEqual({
      enabled: false,
      last_sync_at: null,
      etag: null,
      entries: null,
      last_error: null,
    });
  });

  it('still shows the agent when Kamailio is down, marks Kamailio UNREACHABLE and exits 3', async () => {
    const rpc = await closedPortUrl('/RPC');
    const result = await runSipbridge(['status', '--rpc', rpc, '--agent', agent.url, '--dir', dir]);
    expect(result.code).toBe(3);
    expect(result.stderr).toEqual([
      `sipbridge: cannot reach Kamailio JSON-RPC at ${rpc} (ECONNREFUSED); is kamailio running?`,
    ]);
    const text = result.stdout.join('\n');
    expect(text).toContain('Status: UNREACHABLE');
    expect(text).toContain('Kamailio  UNREACHABLE: cannot reach Kamailio JSON-RPC');
    expect(text).toContain('Agent     ok');
    expect(text).toContain('Lines: unknown (Kamailio could not be asked)');

    const json = await runSipbridge(['status', '--json', '--rpc', rpc, '--agent', agent.url]);
    const report = JSON.parse(json.stdout[0]!);
    expect(report.status).toBe('unreachable');
    expect(report.kamailio).toMatchObject({ reachable: false, version: null, active_calls: null });
    expect(report.kamailio.error).toMatch(/ECONNREFUSED/);
    expect(report.lines).toBeNull();
    expect(report.agent).toMatchObject({ reachable: true, status: 'ok' });
  });

  it('still shows Kamailio when the agent is down, and exits 3', async () => {
    const down = await closedPortUrl();
    const result = await runSipbridge(
      ['status', '--rpc', kamailio.url, '--agent', down, '--dir', dir, '--sample-ms', '0'],
      {},
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toEqual([
      `sipbridge: cannot reach the edge agent at ${down} (ECONNREFUSED); is sipbridge-agent running?`,
    ]);
    const text = result.stdout.join('\n');
    expect(text).toContain('Kamailio  kamailio 5.6.3');
    expect(text).toMatch(/^Agent {5}UNREACHABLE: cannot reach the edge agent/m);
    expect(text).toContain('Spool     unknown');
    expect(text).toContain('demo     1                3  2 (1 DOWN)      2');
  });

  it('treats a Kamailio that does not answer within the timeout as unreachable', async () => {
    const silent = await startSilentServer();
    servers.push(silent);
    const result = await runSipbridge(
      ['status', '--rpc', `${silent.url}/RPC`, '--agent', agent.url, '--json'],
      {},
      { rpcTimeoutMs: 150 },
    );
    expect(result.code).toBe(3);
    expect(result.stderr[0]).toBe(
      `sipbridge: Kamailio JSON-RPC at ${silent.url}/RPC did not answer within 150 ms; is kamailio running (and is that its RPC port)?`,
    );
  });

  it('exits 1 when --agent points at something that is not the agent', async () => {
    const result = await runSipbridge(
      ['status', '--rpc', kamailio.url, '--agent', kamailio.url, '--sample-ms', '0'],
      {},
    );
    expect(result.code).toBe(1);
    expect(result.stderr[0]).toMatch(
      /\/health answered HTTP 404 without a health report; is .* the edge agent\?/,
    );
  });

  it('names lines by their ACL tag when line-ids.json cannot be read, else "group N"', async () => {
    const result = await runSipbridge([
      'status', '--rpc', kamailio.url, '--agent', agent.url, '--dir', join(dir, 'nope'), '--sample-ms', '0',
    ]); // prettier-ignore
    expect(result.code).toBe(0);
    expect(result.stdout.slice(-7)).toEqual([
      'LINE     GROUP  ACL ENTRIES  TARGETS     CALLS  STATES',
      'demo     1                3  2 (1 DOWN)      2  confirmed 1, early 1',
      'legacy   7                1  0               0',
      'group 9  9                1  0               0',
      'sales    -                0  0               1  confirmed 1',
      'unknown  -                0  0               1  confirmed 1',
      `(line names: ${join(dir, 'nope', 'line-ids.json')}: no such file; pass --dir with the render directory)`,
    ]);
  });

  it('is degraded (exit 1) when every target of a line is down, and names the line', async () => {
    const down = (uri: string) => ({
      DEST: { URI: uri, FLAGS: 'IP', ATTRS: { BODY: 'line=demo' } },
    });
    const stranded = await startFakeKamailio(
      kamailioMethods({
        'dispatcher.list': () => ({
          NRSETS: 1,
          RECORDS: [
            { SET: { ID: 1, TARGETS: [down('sip:a@192.0.2.1'), down('sip:b@192.0.2.2')] } },
          ],
        }),
      }),
    );
    servers.push(stranded);
    const args = [
      'status',
      '--rpc',
      stranded.url,
      '--agent',
      agent.url,
      '--dir',
      dir,
      '--sample-ms',
      '0',
    ];
    const result = await runSipbridge(args, {});
    expect(result.code).toBe(1);
    expect(result.stdout[0]).toBe('Status: DEGRADED');
    expect(result.stderr).toEqual(['sipbridge: line demo has no target up (2 of 2 down)']);
    expect(result.stdout).toContain(
      'demo     1                3  2 (2 DOWN)      2  confirmed 1, early 1',
    );
    const json = JSON.parse((await runSipbridge([...args, '--json'], {})).stdout[0]!);
    expect(json.status).toBe('degraded');
  });

  it("is not degraded when only a routing rule's targets are all down (its calls go to the line's)", async () => {
    const ruleDir = mkdtempSync(join(tmpdir(), 'sipbridge-cli-status-rules-'));
    writeFileSync(
      join(ruleDir, 'line-ids.json'),
      JSON.stringify({ version: 1, ids: { demo: 1, 'demo/vip': 3 } }),
    );
    const target = (uri: string, flags: string, body: string) => ({
      DEST: { URI: uri, FLAGS: flags, ATTRS: { BODY: body } },
    });
    const k = await startFakeKamailio(
      kamailioMethods({
        'dispatcher.list': () => ({
          NRSETS: 2,
          RECORDS: [
            { SET: { ID: 1, TARGETS: [target('sip:a@192.0.2.1', 'AP', 'line=demo')] } },
            {
              SET: { ID: 3, TARGETS: [target('sip:vip@192.0.2.9', 'IP', 'line=demo;rule=vip')] },
            },
          ],
        }),
      }),
    );
    servers.push(k);
    try {
      const result = await runSipbridge(
        ['status', '--rpc', k.url, '--agent', agent.url, '--dir', ruleDir, '--sample-ms', '0'],
        {},
      );
      expect(result.stderr).toEqual([]);
      expect(result.code).toBe(0);
      expect(result.stdout.join('\n')).toMatch(/^demo\/vip +3 +0 +1 \(1 DOWN\)/m);
    } finally {
      rmSync(ruleDir, { recursive: true, force: true });
    }
  });

  it('reads the connection settings from the environment', async () => {
    const result = await runSipbridge(['status', '--json', '--sample-ms', '0'], {
      KAMAILIO_RPC_URL: kamailio.url,
      EDGE_AGENT_URL: agent.url,
      EDGE_ACL_SYNC_DIR: dir,
    });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout[0]!);
    expect(report.kamailio.url).toBe(kamailio.url);
    expect(report.agent.url).toBe(agent.url);
    expect(report.line_ids.path).toBe(join(dir, 'line-ids.json'));
  });
});
