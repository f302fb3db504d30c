import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KamailioRpcError } from '../jsonrpc/src/index';
import { parseAddressList, startAclSync, validateEdgeConfig, type AclRpc } from './acl-sync';
import { silentLogger, type Logger } from './log';
import { createWorkerClient } from './worker-client';

const SECRET = 'acl-sync-test-secret-0123456789';

/** Kamailio's permissions module as far as the sync sees it: loads the file, skips bad lines. */
function fakeKamailio(file: string) {
  let rows: ReturnType<typeof parseAddressList> = [];
  let lastReload = 0;
  const state = { reloads: 0, delta: 0, failNext: false };
  const rpc: AclRpc = {
    async addressReload() {
      if (state.failNext) {
        state.failNext = false;
        throw new Error('connection refused');
      }
      if (Date.now() - lastReload < state.delta) {
        throw new KamailioRpcError('permissions.addressReload', 500, 'ongoing reload');
      }
      lastReload = Date.now();
      state.reloads++;
      rows = parseAddressList(readFileSync(file, 'utf8')).filter(
        (r) => Number.isInteger(r.group) && Number.isInteger(r.mask) && /^[\d.:a-f]+$/.test(r.ip),
      );
    },
    async addressDump() {
      return rows
        .filter((r) => r.mask === 32 || r.mask === 128)
        .map(({ group, ip, port, tag }) => ({ group, ip, port, tag }));
    },
    async subnetDump() {
      return rows.filter((r) => r.mask !== 32 && r.mask !== 128);
    },
  };
  return { rpc, state, rows: () => rows };
}

describe('ACL sync', () => {
  let dir: string;
  let server: Server;
  let url: string;
  let config: unknown;
  let requests: { inm: string | undefined }[];
  let logs: string[];
  const log: Logger = (level, event, fields) =>
    logs.push(`${level} ${event} ${JSON.stringify(fields)}`);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'acl-sync-'));
    writeFileSync(join(dir, 'line-ids.json'), JSON.stringify({ version: 1, ids: { demo: 1 } }));
    writeFileSync(join(dir, 'address.list'), '1 127.0.0.1 32 0 demo\n');
    requests = [];
    logs = [];
    config = { lines: [{ slug: 'demo', sip_targets: [], max_cps: 0, acl: [] }] };
    server = createServer((req, res) => {
      requests.push({ inm: req.headers['if-none-match'] as string | undefined });
      if (!req.headers['x-bridge-signature']) return res.writeHead(401).end();
      const body = JSON.stringify(config);
      const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
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

  const start = (rpc: AclRpc, extra: Partial<Parameters<typeof startAclSync>[0]> = {}) =>
    startAclSync(
      { renderDir: dir, rpcUrl: 'http://127.0.0.1:1/RPC', intervalMs: 60_000, ...extra },
      { worker: createWorkerClient({ baseUrl: url, secret: SECRET }), log, rpc },
    );

  const acl = (...cidrs: string[]) => cidrs.map((cidr) => ({ cidr, label: '' }));

  it('applies a new ACL, proves it, then polls with If-None-Match', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    config = {
      lines: [
        { slug: 'demo', sip_targets: [], max_cps: 0, acl: acl('127.0.0.3/32', '10.1.0.0/16') },
      ],
    };
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

  it('forced: ignores the ETag and puts back a file someone edited by hand', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    config = { lines: [{ slug: 'demo', sip_targets: [], max_cps: 0, acl: acl('127.0.0.3/32') }] };
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

  it('skips a slug without a line id, with a warning', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    config = {
      lines: [
        { slug: 'demo', sip_targets: [], max_cps: 0, acl: acl('127.0.0.3/32') },
        { slug: 'newline', sip_targets: [], max_cps: 0, acl: acl('192.0.2.0/24') },
      ],
    };
    const sync = start(k.rpc);
    try {
      await sync.syncNow();
      expect(sync.snapshot()).toMatchObject({ entries: 1, last_error: null });
      expect(logs.some((l) => l.includes('acl.unknown_line') && l.includes('newline'))).toBe(true);
    } finally {
      await sync.stop();
    }
  });

  it('refuses an invalid CIDR or slug and keeps the file', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    const before = readFileSync(join(dir, 'address.list'), 'utf8');
    config = { lines: [{ slug: 'demo', sip_targets: [], max_cps: 0, acl: acl('10.0.0.1/8') }] };
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
      config = { lines: [{ slug: 'demo', sip_targets: [], max_cps: 0, acl: acl('10.0.0.0/8') }] };
      await sync.syncNow();
      expect(sync.snapshot()).toMatchObject({ entries: 1, last_error: null });
    } finally {
      await sync.stop();
    }
    expect(() => validateEdgeConfig({ lines: [{ slug: 'Bad Slug', acl: [] }] })).toThrow(/slug/);
    expect(() => validateEdgeConfig({})).toThrow(/lines/);
  });

  it('restores the previous file when Kamailio skipped lines, and reports it', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    await k.rpc.addressReload();
    const before = readFileSync(join(dir, 'address.list'), 'utf8');
    config = { lines: [{ slug: 'demo', sip_targets: [], max_cps: 0, acl: acl('127.0.0.3/32') }] };
    const sync = start(k.rpc, {
      render: (_lines, ids) => `${ids.ids.demo} 127.0.0.3 thirty-two 0 demo\n`,
    });
    try {
      await sync.syncNow();
      expect(sync.snapshot().last_error).toMatch(/loaded 0 of 1 entries/);
      expect(readFileSync(join(dir, 'address.list'), 'utf8')).toBe(before);
      expect(k.rows().map((r) => r.ip)).toEqual(['127.0.0.1']);
    } finally {
      await sync.stop();
    }
  });

  it('waits out "ongoing reload" and restores after a reload error', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    k.state.delta = 600;
    await k.rpc.addressReload();
    config = { lines: [{ slug: 'demo', sip_targets: [], max_cps: 0, acl: acl('127.0.0.3/32') }] };
    const sync = start(k.rpc, { reloadWaitMs: 3000 });
    try {
      // The first poll runs on its own at start; the second call waits for it too.
      await sync.syncNow();
      await sync.syncNow();
      expect(sync.snapshot()).toMatchObject({ entries: 1, last_error: null });
      config = { lines: [{ slug: 'demo', sip_targets: [], max_cps: 0, acl: acl('127.0.0.4/32') }] };
      k.state.failNext = true;
      await sync.syncNow();
      expect(sync.snapshot().last_error).toMatch(/connection refused/);
      expect(readFileSync(join(dir, 'address.list'), 'utf8')).toContain('127.0.0.3 32');
      // A transient failure is retried at the next poll.
      await sync.syncNow();
      expect(sync.snapshot()).toMatchObject({ entries: 1, last_error: null });
      expect(k.rows().map((r) => r.ip)).toEqual(['127.0.0.4']);
    } finally {
      await sync.stop();
    }
  });

  it('reports a Worker that cannot be reached without touching the file', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    const sync = startAclSync(
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
