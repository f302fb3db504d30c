// The line and ACL sync as a whole: polling the Worker's edge config (ETags, refusals, a Worker
// that cannot be reached) and applying lines, block list and ACL in order. The ACL file itself
// is tested in acl-sync.test.ts.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateEdgeConfig } from './edge-config';
import { startEdgeConfigSync, type EdgeConfigSyncRpc } from './edge-config-sync';
import { silentLogger, type Logger } from './log';
import { fakeKamailio } from './testing/fake-kamailio';
import { createWorkerClient } from './worker-client';

const SECRET = 'acl-sync-test-secret-0123456789';

const acl = (...cidrs: string[]) => cidrs.map((cidr) => ({ cidr, label: '' }));

/** The demo line of the edge config as the Worker sends it, with these networks and CPS limit. */
const demoLine = (cidrs: string[] = [], maxCps = 0) => ({
  slug: 'demo',
  sip_targets: ['sip:zendesk@127.0.0.1:5070'],
  max_cps: maxCps,
  acl: acl(...cidrs),
});
/** An edge config with the demo line only. */
const demoOnly = (cidrs: string[] = [], maxCps = 0) => ({ lines: [demoLine(cidrs, maxCps)] });

describe('line and ACL sync', () => {
  let dir: string;
  let server: Server;
  let url: string;
  let config: unknown;
  let requests: { inm: string | undefined }[];
  /** The applied reports the agent sent (POST /v1/edge/config/applied), and what they get. */
  let reports: { etag: string; applied_at: string }[];
  let reportStatus: number;
  let logs: string[];
  const log: Logger = (level, event, fields) =>
    logs.push(`${level} ${event} ${JSON.stringify(fields)}`);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'acl-sync-'));
    writeFileSync(join(dir, 'line-ids.json'), JSON.stringify({ version: 1, ids: { demo: 1 } }));
    writeFileSync(join(dir, 'address.list'), '1 127.0.0.1 32 0 demo\n');
    requests = [];
    reports = [];
    reportStatus = 200;
    logs = [];
    config = demoOnly();
    server = createServer((req, res) => {
      if (req.method === 'POST' && req.url === '/v1/edge/config/applied') {
        let text = '';
        req.on('data', (chunk: Buffer) => (text += String(chunk)));
        req.on('end', () => {
          if (!req.headers['x-bridge-signature']) return res.writeHead(401).end();
          reports.push(JSON.parse(text) as { etag: string; applied_at: string });
          res.writeHead(reportStatus, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(reportStatus === 200 ? { recorded: true } : { error: 'x' }));
        });
        return;
      }
      requests.push({ inm: req.headers['if-none-match'] as string | undefined });
      if (!req.headers['x-bridge-signature']) return res.writeHead(401).end();
      const body = JSON.stringify(config);
      const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
      const inm = String(req.headers['if-none-match'] ?? '');
      if (inm.split(',').some((t) => t.trim() === etag)) return res.writeHead(304).end();
      res.writeHead(200, { ETag: etag, 'Content-Type': 'application/json' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (
    rpc: EdgeConfigSyncRpc,
    extra: Partial<Parameters<typeof startEdgeConfigSync>[0]> = {},
  ) =>
    startEdgeConfigSync(
      { renderDir: dir, rpcUrl: 'http://127.0.0.1:1/RPC', intervalMs: 60_000, ...extra },
      { worker: createWorkerClient({ baseUrl: url, secret: SECRET }), log, rpc },
    );

  it('applies a new ACL, proves it, then polls with If-None-Match', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    config = demoOnly(['127.0.0.3/32', '10.1.0.0/16']);
    const sync = start(k.rpc);
    try {
      await sync.syncNow();
      expect(sync.snapshot()).toMatchObject({ entries: 2, last_error: null });
      expect(sync.snapshot().etag).toMatch(/^"/);
      expect(k.rows().map((r) => `${r.ip}/${r.mask}`)).toEqual(['127.0.0.3/32', '10.1.0.0/16']);
      // The entry that admits a source, for the call record (Kamailio only knows the group).
      expect(sync.entryFor('demo', '10.1.200.7')).toBe('10.1.0.0/16');
      expect(sync.entryFor('demo', '127.0.0.3')).toBe('127.0.0.3/32');
      expect(sync.entryFor('demo', '127.0.0.4')).toBeNull();
      expect(sync.entryFor('other', '10.1.200.7')).toBeNull();
      const reloads = k.state.reloads;
      await sync.syncNow();
      expect(requests.at(-1)!.inm).toBe(sync.snapshot().etag);
      expect(k.state.reloads).toBe(reloads);
    } finally {
      await sync.stop();
    }
  });

  it('writes the line block list for Kamailio, reloads it, and empties it when unblocked', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    config = { lines: [{ ...demoLine(['127.0.0.3/32']), blocked: ['33612345678', '0612345678'] }] };
    const sync = start(k.rpc);
    try {
      await sync.syncNow();
      expect(sync.snapshot().last_error).toBeNull();
      expect(k.state.blocked.sort()).toEqual(['demo/0612345678', 'demo/33612345678']);
      expect(readFileSync(join(dir, 'blocked'), 'utf8')).toMatch(
        /^key_name\(str\) key_type\(int\) value_type\(int\) key_value\(str\)\n/,
      );
      config = demoOnly(['127.0.0.3/32']);
      await sync.syncNow();
      expect(k.state.blocked).toEqual([]);
    } finally {
      await sync.stop();
    }
  });

  it("writes each line's caller auth for Kamailio (0640), proves it, and removes it", async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    const ha1 = 'a'.repeat(32);
    const sha256 = 'b'.repeat(64);
    config = {
      lines: [
        {
          ...demoLine(['127.0.0.3/32']),
          auth: {
            ip: true,
            digest: { realm: 'edge.example.com', users: [{ username: 'carrier1', ha1 }] },
            token: { header: 'X-Line-Token', sha256 },
            tech_prefix: '1234',
            p_charge_info: { numbers: ['14155550100'] },
          },
        },
      ],
    };
    const sync = start(k.rpc);
    try {
      await sync.syncNow();
      expect(sync.snapshot()).toMatchObject({ last_error: null, caller_auth_entries: 7 });
      expect(k.state.callerauth).toEqual({
        'demo/realm': 'edge.example.com',
        'demo/ha1/carrier1': ha1,
        'demo/token_header': 'X-Line-Token',
        'demo/token_sha256': sha256,
        'demo/prefix': '1234',
        'demo/pci': '1',
        'demo/pci/14155550100': '1',
      });
      expect(statSync(join(dir, 'callerauth')).mode & 0o777).toBe(0o640);
      config = demoOnly(['127.0.0.3/32']);
      await sync.syncNow();
      expect(k.state.callerauth).toEqual({});
      expect(sync.snapshot().caller_auth_entries).toBe(0);
    } finally {
      await sync.stop();
    }
  });

  it('names a line without an ACL by its credentials, with the id line-ids.json gave it', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    const ha1 = 'a'.repeat(32);
    const carrier = {
      slug: 'carrier',
      sip_targets: ['sip:zendesk@127.0.0.1:5070'],
      max_cps: 0,
      acl: [],
      auth: { ip: false, digest: { realm: 'edge.test', users: [{ username: 'carrier1', ha1 }] } },
    };
    config = { lines: [demoLine(['127.0.0.3/32']), carrier] };
    const sync = start(k.rpc);
    try {
      await sync.syncNow();
      expect(sync.snapshot().last_error).toBeNull();
      const ids = JSON.parse(readFileSync(join(dir, 'line-ids.json'), 'utf8')) as {
        ids: Record<string, number>;
      };
      expect(ids.ids.carrier).toBe(2);
      expect(k.state.callerauth).toEqual({
        'carrier/group': '2',
        '_any/realm': 'edge.test',
        '_any/user/carrier1': 'carrier',
        'carrier/realm': 'edge.test',
        'carrier/ha1/carrier1': ha1,
      });
      // A line without an ACL is refused its media no more than any other: it has its row.
      expect(k.state.linemedia).toEqual({ demo: 'rtp', carrier: 'rtp' });
      // Two such lines sharing a username: the whole config is refused, nothing changes.
      const reloads = k.state.reloads;
      config = { lines: [demoLine(['127.0.0.3/32']), carrier, { ...carrier, slug: 'other' }] };
      await sync.syncNow();
      expect(sync.snapshot().last_error).toBe(
        'edge config: line other: auth digest.users[0].username is a user of line carrier, ' +
          'which also takes callers without an IP allowlist',
      );
      expect(k.state.reloads).toBe(reloads);
      expect(k.state.callerauth['_any/user/carrier1']).toBe('carrier');
    } finally {
      await sync.stop();
    }
  });

  it('refuses a line whose caller auth is malformed before admitting anyone, without echoing it', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    config = {
      lines: [
        {
          ...demoLine(['127.0.0.3/32']),
          auth: { ip: true, token: { header: 'X-Line-Token', sha256: 'secret-token-value' } },
        },
      ],
    };
    const sync = start(k.rpc);
    try {
      await sync.syncNow();
      expect(sync.snapshot().last_error).toBe(
        'edge config: line demo: auth token.sha256 is not 64 lower-case hex digits',
      );
      expect(logs.join('\n')).not.toContain('secret-token-value');
      expect(k.state.reloads).toBe(0);
      expect(k.state.callerauth).toEqual({});
    } finally {
      await sync.stop();
    }
  });

  it("writes every line's media for Kamailio before the ACL admits it, secure and rtp", async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    const secureLine = {
      slug: 'vault',
      sip_targets: ['sips:zendesk@127.0.0.1:5071', 'sip:zendesk@127.0.0.1:5072;transport=tls'],
      max_cps: 0,
      acl: acl('127.0.0.4/32'),
      media: 'secure',
    };
    config = { lines: [demoLine(['127.0.0.3/32']), secureLine] };
    const sync = start(k.rpc);
    try {
      await sync.syncNow();
      expect(sync.snapshot()).toMatchObject({ last_error: null, secure_media_lines: 1 });
      expect(k.state.linemedia).toEqual({ demo: 'rtp', vault: 'secure' });
      expect(k.rows().map((r) => r.tag)).toContain('vault');
      config = { lines: [demoLine(['127.0.0.3/32']), { ...secureLine, media: 'rtp' }] };
      await sync.syncNow();
      expect(k.state.linemedia).toEqual({ demo: 'rtp', vault: 'rtp' });
      expect(sync.snapshot().secure_media_lines).toBe(0);
    } finally {
      await sync.stop();
    }
  });

  it('refuses a secure line with a target not reached over TLS, and admits no one', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    config = {
      lines: [
        {
          ...demoLine(['127.0.0.3/32']),
          sip_targets: ['sips:zendesk@127.0.0.1:5071', 'sip:zendesk@127.0.0.1:5070'],
          media: 'secure',
        },
      ],
    };
    const sync = start(k.rpc);
    try {
      await sync.syncNow();
      expect(sync.snapshot().last_error).toBe(
        'edge config: line demo: sip_targets[1] is not sips: or ;transport=tls on a secure line',
      );
      expect(k.state.reloads).toBe(0);
      expect(k.state.linemedia).toEqual({});
    } finally {
      await sync.stop();
    }
  });

  it('a media table Kamailio did not load fails the sync before the ACL, and is put back', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    config = demoOnly(['127.0.0.3/32']);
    const sync = start(k.rpc);
    try {
      await sync.syncNow();
      expect(k.state.linemedia).toEqual({ demo: 'rtp' });
      const reloads = k.state.reloads;
      const before = readFileSync(join(dir, 'linemedia'), 'utf8');
      k.state.linemediaSkips = 1;
      config = {
        lines: [
          {
            ...demoLine(['127.0.0.3/32', '127.0.0.5/32']),
            sip_targets: ['sips:z@127.0.0.1:5071'],
            media: 'secure',
          },
        ],
      };
      await sync.syncNow();
      expect(sync.snapshot().last_error).toBe('Kamailio holds 0 of 1 line media rows');
      expect(k.state.reloads).toBe(reloads);
      expect(readFileSync(join(dir, 'linemedia'), 'utf8')).toBe(before);
      expect(k.state.linemedia).toEqual({ demo: 'rtp' });
    } finally {
      await sync.stop();
    }
  });

  it('refuses a block list entry that is not digits, and changes nothing', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    config = { lines: [{ ...demoLine(['127.0.0.3/32']), blocked: ['+33 6 12'] }] };
    const sync = start(k.rpc);
    try {
      await sync.syncNow();
      expect(sync.snapshot().last_error).toBe(
        'edge config: line demo: blocked[0] is not 3-20 digits',
      );
      expect(k.state.reloads).toBe(0);
    } finally {
      await sync.stop();
    }
  });

  it('forced: ignores the ETag and puts back a file someone edited by hand', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    config = demoOnly(['127.0.0.3/32']);
    const sync = start(k.rpc);
    try {
      await sync.syncNow();
      writeFileSync(join(dir, 'address.list'), '1 192.0.2.66 32 0 demo\n');
      await k.rpc.addressReload();
      const reloads = k.state.reloads;
      await sync.syncNow(); // 304: a plain poll does not notice
      expect(k.rows().map((r) => r.ip)).toEqual(['192.0.2.66']);
      await sync.syncNow({ force: true });
      expect(requests.at(-1)!.inm).toBeUndefined();
      expect(k.state.reloads).toBe(reloads + 1);
      expect(k.rows().map((r) => r.ip)).toEqual(['127.0.0.3']);
      expect(sync.snapshot()).toMatchObject({ entries: 1, last_error: null });
    } finally {
      await sync.stop();
    }
  });

  it('adds a new line: a persisted id, its targets in the dispatcher, its CPS limit', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    config = {
      lines: [
        demoLine(),
        {
          slug: 'carrier',
          sip_targets: ['sip:line@192.0.2.10:5060', 'sip:line@192.0.2.11:5060'],
          max_cps: 12,
          acl: acl('198.51.100.0/24'),
        },
      ],
    };
    // dispatcher, like permissions, refuses reloads within 5 s of the last one ("Ongoing reload").
    k.state.dispatcherBusy = 2;
    const sync = start(k.rpc);
    try {
      await sync.syncNow();
      expect(sync.snapshot()).toMatchObject({ entries: 1, lines: 2, last_error: null });
      expect(k.state.dispatcherBusy).toBe(0);
      // The id goes to line-ids.json (the renderer keeps it on the next render).
      const ids = JSON.parse(readFileSync(join(dir, 'line-ids.json'), 'utf8')).ids;
      expect(ids).toEqual({ demo: 1, carrier: 2 });
      expect(k.state.targets).toEqual([
        { set: 1, uri: 'sip:zendesk@127.0.0.1:5070' },
        { set: 2, uri: 'sip:line@192.0.2.10:5060' },
        { set: 2, uri: 'sip:line@192.0.2.11:5060' },
      ]);
      expect(k.state.linecps).toEqual({ demo: 0, carrier: 12 });
      expect(k.rows().map((r) => `${r.group} ${r.ip}/${r.mask} ${r.tag}`)).toEqual([
        '2 198.51.100.0/24 carrier',
      ]);

      // Removing it keeps its id (in-flight dialogs keep their group) and drops its set.
      config = demoOnly([], 3);
      await sync.syncNow();
      expect(JSON.parse(readFileSync(join(dir, 'line-ids.json'), 'utf8')).ids).toEqual(ids);
      expect(k.state.targets).toEqual([{ set: 1, uri: 'sip:zendesk@127.0.0.1:5070' }]);
      expect(k.state.linecps.demo).toBe(3);
      expect(sync.snapshot()).toMatchObject({ entries: 0, lines: 1, last_error: null });
    } finally {
      await sync.stop();
    }
  });

  it('applies everything again after Kamailio restarts (its htable starts from the render)', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    config = demoOnly(['127.0.0.3/32'], 9);
    const sync = start(k.rpc);
    try {
      await sync.syncNow();
      expect(k.state.linecps).toEqual({ demo: 9 });
      const reloads = [k.state.reloads, k.state.dispatcherReloads];
      await sync.syncNow(); // 304, same Kamailio: nothing to do
      expect([k.state.reloads, k.state.dispatcherReloads]).toEqual(reloads);

      k.state.linecps = {}; // what a restart loses
      k.state.upSince = 'Sat Nov 21 09:05:00 2026';
      await sync.syncNow();
      expect(k.state.linecps).toEqual({ demo: 9 });
      expect([k.state.reloads, k.state.dispatcherReloads]).toEqual([
        reloads[0]! + 1,
        reloads[1]! + 1,
      ]);
      expect(requests.at(-1)!.inm).toBeUndefined();
      expect(logs.some((l) => l.includes('acl.kamailio_restarted'))).toBe(true);
    } finally {
      await sync.stop();
    }
  });

  it('sets each line’s routing in the lineroute htable, and the edge’s defaults when the Worker sends none', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    config = {
      lines: [
        {
          ...demoLine(),
          routing: {
            mode: 'round_robin',
            no_ringback_ms: 800,
            no_answer_ms: 20_000,
            max_concurrent_calls: 4,
          },
        },
      ],
    };
    const sync = start(k.rpc);
    try {
      await sync.syncNow();
      expect(sync.snapshot().last_error).toBeNull();
      expect(k.state.lineroute).toEqual({
        'demo::mode': 1,
        'demo::ringback': 800,
        'demo::answer': 20_000,
        'demo::calls': 4,
      });
      // An older Worker: targets in order, the edge's own timers (0), no concurrent limit.
      config = demoOnly();
      await sync.syncNow();
      expect(k.state.lineroute).toEqual({
        'demo::mode': 0,
        'demo::ringback': 0,
        'demo::answer': 0,
        'demo::calls': 0,
      });
    } finally {
      await sync.stop();
    }
  });

  it.each([
    [{ mode: 'random' }, /line demo: routing\.mode is not sequential or round_robin/],
    [{ no_ringback_ms: 5 }, /line demo: routing\.no_ringback_ms is not 100-60000/],
    [{ max_concurrent_calls: -1 }, /line demo: routing\.max_concurrent_calls is not 0-100000/],
  ])('refuses routing %j, naming the field, and changes nothing', async (change, message) => {
    const k = fakeKamailio(join(dir, 'address.list'));
    const routing = {
      mode: 'sequential',
      no_ringback_ms: 5000,
      no_answer_ms: 300_000,
      max_concurrent_calls: 0,
      ...change,
    };
    config = { lines: [{ ...demoLine(), routing }] };
    const sync = start(k.rpc);
    try {
      await sync.syncNow();
      expect(sync.snapshot().last_error).toMatch(message);
      expect(k.state.lineroute).toEqual({});
      expect(k.state.dispatcherReloads).toBe(0);
    } finally {
      await sync.stop();
    }
  });

  it('gives each routing rule a dispatcher set of its own, stable, named in linerules', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    const vip = { id: 'vip', sip_targets: ['sip:vip@192.0.2.20:5060', 'sip:vip@192.0.2.21:5060'] };
    const first = { id: 'first-time', sip_targets: ['sip:new@192.0.2.30:5060'] };
    config = { lines: [{ ...demoLine(), rules: [vip, first] }] };
    const sync = start(k.rpc);
    try {
      await sync.syncNow();
      expect(sync.snapshot().last_error).toBeNull();
      const ids = JSON.parse(readFileSync(join(dir, 'line-ids.json'), 'utf8')).ids;
      expect(ids).toEqual({ demo: 1, 'demo/first-time': 2, 'demo/vip': 3 });
      expect(k.state.targets).toEqual([
        { set: 1, uri: 'sip:zendesk@127.0.0.1:5070' },
        { set: 3, uri: 'sip:vip@192.0.2.20:5060' },
        { set: 3, uri: 'sip:vip@192.0.2.21:5060' },
        { set: 2, uri: 'sip:new@192.0.2.30:5060' },
      ]);
      expect(k.state.linerules).toEqual({ 'demo/vip': 3, 'demo/first-time': 2 });
      expect(sync.hasRule('demo', 'vip')).toBe(true);
      expect(sync.hasRule('demo', 'night')).toBe(false);
      expect(sync.hasRule('other', 'vip')).toBe(false);

      // A rule removed keeps its id (never another rule's) and stops being routable; a new rule
      // gets the next id.
      const night = { id: 'night', sip_targets: ['sip:night@192.0.2.40:5060'] };
      config = { lines: [{ ...demoLine(), rules: [night, vip] }] };
      await sync.syncNow();
      expect(JSON.parse(readFileSync(join(dir, 'line-ids.json'), 'utf8')).ids).toEqual({
        ...ids,
        'demo/night': 4,
      });
      expect(k.state.linerules).toEqual({ 'demo/vip': 3, 'demo/first-time': 0, 'demo/night': 4 });
      expect(k.state.targets.filter((t) => t.set === 2)).toEqual([]);
      expect(sync.hasRule('demo', 'first-time')).toBe(false);
      expect(sync.hasRule('demo', 'night')).toBe(true);

      // A restarted Kamailio starts with an empty linerules htable: the next poll fills it again.
      k.state.linerules = {};
      k.state.upSince = 'Sat Nov 21 09:05:00 2026';
      await sync.syncNow();
      expect(k.state.linerules).toEqual({ 'demo/vip': 3, 'demo/first-time': 0, 'demo/night': 4 });
    } finally {
      await sync.stop();
    }
  });

  it.each([
    [{ id: 'VIP', sip_targets: ['sip:a@192.0.2.1'] }, /rules\[0\]\.id is not a rule id/],
    [{ id: 'vip', sip_targets: [] }, /rules\[0\]\.sip_targets is not 1-8 targets/],
    [
      { id: 'vip', sip_targets: ['http://evil.example'] },
      /rules\[0\]\.sip_targets\[0\]: not a SIP URI/,
    ],
  ])(
    'refuses rule %j, naming the field without echoing it, and changes nothing',
    async (rule, message) => {
      const k = fakeKamailio(join(dir, 'address.list'));
      config = { lines: [{ ...demoLine(), rules: [rule] }] };
      const sync = start(k.rpc);
      try {
        await sync.syncNow();
        expect(sync.snapshot().last_error).toMatch(message);
        expect(sync.snapshot().last_error).not.toContain('evil');
        expect(k.state.dispatcherReloads).toBe(0);
        expect(k.state.linerules).toEqual({});
      } finally {
        await sync.stop();
      }
    },
  );

  it('refuses a secure line whose rule target is not TLS', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    config = {
      lines: [
        {
          ...demoLine(),
          sip_targets: ['sips:zendesk@127.0.0.1:5071'],
          media: 'secure',
          rules: [{ id: 'vip', sip_targets: ['sips:vip@192.0.2.20', 'sip:vip@192.0.2.21'] }],
        },
      ],
    };
    const sync = start(k.rpc);
    try {
      await sync.syncNow();
      expect(sync.snapshot().last_error).toMatch(
        /line demo: rules\[0\]\.sip_targets\[1\] is not sips: or ;transport=tls on a secure line/,
      );
      expect(k.state.dispatcherReloads).toBe(0);
    } finally {
      await sync.stop();
    }
  });

  it('refuses a line whose target is not a SIP URI, and changes nothing', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    config = {
      lines: [{ slug: 'demo', sip_targets: ['http://evil.example'], max_cps: 0, acl: [] }],
    };
    const sync = start(k.rpc);
    try {
      await sync.syncNow();
      expect(sync.snapshot().last_error).toMatch(
        /line demo: sip_targets\[0\] "http:\/\/evil.example": not a SIP URI/,
      );
      expect(k.state.dispatcherReloads).toBe(0);
    } finally {
      await sync.stop();
    }
  });

  it('refuses an invalid CIDR or slug and keeps the file', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    const before = readFileSync(join(dir, 'address.list'), 'utf8');
    config = demoOnly(['10.0.0.1/8']);
    const sync = start(k.rpc);
    try {
      await sync.syncNow();
      expect(sync.snapshot().last_error).toMatch(/10\.0\.0\.1\/8.*host bits/);
      expect(readFileSync(join(dir, 'address.list'), 'utf8')).toBe(before);
      expect(k.state.reloads).toBe(0);
      // The rejected ETag is not fetched again...
      await sync.syncNow();
      expect(requests.at(-1)!.inm).toMatch(/^"/);
      // ...and a fixed config clears the error.
      config = demoOnly(['10.0.0.0/8']);
      await sync.syncNow();
      expect(sync.snapshot()).toMatchObject({ entries: 1, last_error: null });
    } finally {
      await sync.stop();
    }
    expect(() => validateEdgeConfig({ lines: [{ slug: 'Bad Slug', acl: [] }] })).toThrow(/slug/);
    expect(() => validateEdgeConfig({})).toThrow(/lines/);
  });

  it('retries a transient failure at the next poll, the same config', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    config = demoOnly(['127.0.0.3/32']);
    k.state.failNext = true;
    const sync = start(k.rpc);
    try {
      await sync.syncNow();
      expect(sync.snapshot().last_error).toMatch(/connection refused/);
      // The poll at start, if it has not run yet, runs after this one; syncNow() waits for both.
      await sync.syncNow();
      expect(sync.snapshot()).toMatchObject({ entries: 1, last_error: null });
      expect(logs.filter((l) => l.includes('acl.sync_failed'))).toEqual([
        expect.stringContaining('connection refused'),
      ]);
      expect(logs.some((l) => l.includes('acl.recovered'))).toBe(true);
      // Not refused for good: the next poll fetched the config again, without its ETag.
      expect(requests[1]!.inm).toBeUndefined();
      expect(k.rows().map((r) => r.ip)).toEqual(['127.0.0.3']);
    } finally {
      await sync.stop();
    }
  });

  it('reports each config to the Worker once it is applied whole, with its ETag and time', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    config = demoOnly(['127.0.0.3/32']);
    const sync = start(k.rpc);
    try {
      await sync.syncNow();
      const { etag, last_sync_at } = sync.snapshot();
      expect(reports).toEqual([{ etag, applied_at: last_sync_at }]);
      expect(sync.pendingReport()).toBeNull();
      // Nothing new applied (304): nothing reported again.
      await sync.syncNow();
      expect(reports).toHaveLength(1);
      config = demoOnly(['127.0.0.3/32', '10.1.0.0/16']);
      await sync.syncNow();
      expect(reports).toHaveLength(2);
      expect(reports[1]!.etag).toBe(sync.snapshot().etag);
      expect(reports[1]!.etag).not.toBe(etag);
    } finally {
      await sync.stop();
    }
  });

  it('never reports a config it failed to apply, nor the one before it once Kamailio may hold a part', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    config = demoOnly(['127.0.0.3/32']);
    reportStatus = 503; // the first report stays owed
    const sync = start(k.rpc);
    try {
      await sync.syncNow();
      expect(reports).toHaveLength(1);
      expect(sync.pendingReport()).not.toBeNull();
      reportStatus = 200;
      // A config Kamailio does not load (its media table is skipped): refused, not reported.
      k.state.linemediaSkips = 1;
      config = {
        lines: [
          {
            ...demoLine(['127.0.0.3/32', '127.0.0.5/32']),
            sip_targets: ['sips:z@127.0.0.1:5071'],
            media: 'secure',
          },
        ],
      };
      await sync.syncNow();
      expect(sync.snapshot().last_error).toBe('Kamailio holds 0 of 1 line media rows');
      // A config refused for good (a bad CIDR): not reported either.
      config = demoOnly(['10.0.0.1/8']);
      await sync.syncNow();
      expect(sync.snapshot().last_error).toMatch(/10\.0\.0\.1\/8|host bits|network/);
      await sync.syncNow();
      expect(reports).toHaveLength(1);
      expect(sync.pendingReport()).toBeNull();
    } finally {
      await sync.stop();
    }
  });

  it('sends a report the Worker did not take again after the next poll, and drops one refused for good', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    config = demoOnly(['127.0.0.3/32']);
    reportStatus = 503;
    const sync = start(k.rpc);
    try {
      await sync.syncNow();
      expect(reports).toHaveLength(1);
      expect(sync.pendingReport()).toEqual(reports[0]);
      expect(logs.filter((l) => l.includes('acl.applied_report_failed'))).toHaveLength(1);
      reportStatus = 200;
      await sync.syncNow(); // 304: the config is unchanged, the report goes again
      expect(reports).toHaveLength(2);
      expect(reports[1]).toEqual(reports[0]);
      expect(sync.pendingReport()).toBeNull();
      expect(logs.some((l) => l.includes('acl.applied_report_recovered'))).toBe(true);

      // 404: a Worker that no longer knows the config (or has no such endpoint): not retried.
      reportStatus = 404;
      config = demoOnly(['127.0.0.4/32']);
      await sync.syncNow();
      expect(reports).toHaveLength(3);
      expect(sync.pendingReport()).toBeNull();
      await sync.syncNow();
      expect(reports).toHaveLength(3);
    } finally {
      await sync.stop();
    }
  });

  it('reports a Worker that cannot be reached without touching the file', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    const sync = startEdgeConfigSync(
      { renderDir: dir, rpcUrl: 'http://127.0.0.1:1/RPC', intervalMs: 60_000 },
      {
        worker: createWorkerClient({ baseUrl: 'http://127.0.0.1:1', secret: SECRET }),
        log: silentLogger,
        rpc: k.rpc,
      },
    );
    try {
      await sync.syncNow();
      expect(sync.snapshot().last_error).toMatch(/^worker: network/);
      expect(k.state.reloads).toBe(0);
    } finally {
      await sync.stop();
    }
  });
});
