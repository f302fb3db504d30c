// The ACL file on its own: render, write, reload, prove, put back. Polling the Worker and the
// order of lines, block list and ACL are tested in edge-config-sync.test.ts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAclSync, type RenderAddressList } from './acl-sync';
import { SyncError, validateEdgeConfig } from './edge-config';
import { createReload } from './kamailio-reload';
import type { Logger } from './log';
import { fakeKamailio } from './testing/fake-kamailio';

const IDS = { version: 1 as const, ids: { demo: 1 } };

/** The demo line, validated as the sync hands it over, with these networks. */
const demoLine = (...cidrs: string[]) =>
  validateEdgeConfig({
    lines: [
      {
        slug: 'demo',
        sip_targets: ['sip:zendesk@127.0.0.1:5070'],
        max_cps: 0,
        acl: cidrs.map((cidr) => ({ cidr, label: '' })),
      },
    ],
  });

describe('ACL sync', () => {
  let dir: string;
  let logs: string[];
  let stop: AbortController;
  const log: Logger = (level, event, fields) =>
    logs.push(`${level} ${event} ${JSON.stringify(fields)}`);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'acl-sync-'));
    writeFileSync(join(dir, 'address.list'), '1 127.0.0.1 32 0 demo\n');
    logs = [];
    stop = new AbortController();
  });

  afterEach(() => {
    stop.abort();
    rmSync(dir, { recursive: true, force: true });
  });

  const create = (rpc: ReturnType<typeof fakeKamailio>['rpc'], render?: RenderAddressList) =>
    createAclSync({
      renderDir: dir,
      rpc,
      reload: createReload({ waitMs: 3000, signal: stop.signal }),
      log,
      ...(render ? { render } : {}),
    });

  it('writes, reloads and proves a new ACL, and leaves an unchanged one alone', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    const acl = create(k.rpc);
    const lines = demoLine('127.0.0.3/32', '10.1.0.0/16');
    expect(await acl.apply(lines, IDS, false)).toEqual({ count: 2, reloaded: true });
    expect(k.rows().map((r) => `${r.group} ${r.ip}/${r.mask} ${r.tag}`)).toEqual([
      '1 127.0.0.3/32 demo',
      '1 10.1.0.0/16 demo',
    ]);
    expect(await acl.apply(lines, IDS, false)).toEqual({ count: 2, reloaded: false });
    expect(k.state.reloads).toBe(1);
  });

  it('says which entry admitted a source: the most specific one Kamailio loaded', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    const acl = create(k.rpc);
    expect(acl.entryFor('demo', '10.1.200.7')).toBeNull();
    await acl.apply(demoLine('10.0.0.0/8', '10.1.0.0/16', '127.0.0.3/32'), IDS, false);
    expect(acl.entryFor('demo', '10.1.200.7')).toBe('10.1.0.0/16');
    expect(acl.entryFor('demo', '10.2.0.1')).toBe('10.0.0.0/8');
    expect(acl.entryFor('demo', '127.0.0.3')).toBe('127.0.0.3/32');
    expect(acl.entryFor('demo', '127.0.0.4')).toBeNull();
    expect(acl.entryFor('other', '10.1.200.7')).toBeNull();
  });

  it('forced: reloads and proves an unchanged file, putting back what Kamailio lost', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    const acl = create(k.rpc);
    const lines = demoLine('127.0.0.3/32');
    await acl.apply(lines, IDS, false);
    writeFileSync(join(dir, 'address.list'), '1 192.0.2.66 32 0 demo\n');
    await k.rpc.addressReload();
    expect(await acl.apply(lines, IDS, true)).toEqual({ count: 1, reloaded: true });
    expect(k.rows().map((r) => r.ip)).toEqual(['127.0.0.3']);
    expect(readFileSync(join(dir, 'address.list'), 'utf8')).toContain('127.0.0.3 32');
  });

  it('restores the previous file when Kamailio skipped lines, and says so for good', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    await k.rpc.addressReload();
    const before = readFileSync(join(dir, 'address.list'), 'utf8');
    const acl = create(k.rpc, (_lines, ids) => `${ids.ids.demo} 127.0.0.3 thirty-two 0 demo\n`);
    const err = await acl.apply(demoLine('127.0.0.3/32'), IDS, false).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SyncError);
    expect((err as SyncError).message).toMatch(/loaded 0 of 1 entries/);
    expect((err as SyncError).permanent).toBe(true);
    expect(readFileSync(join(dir, 'address.list'), 'utf8')).toBe(before);
    expect(k.rows().map((r) => r.ip)).toEqual(['127.0.0.1']);
    // What admitted sources before still does.
    expect(acl.entryFor('demo', '127.0.0.3')).toBeNull();
  });

  it('waits out "ongoing reload" and restores after a reload error', async () => {
    const k = fakeKamailio(join(dir, 'address.list'));
    k.state.delta = 600;
    await k.rpc.addressReload();
    const acl = create(k.rpc);
    // permissions refuses reloads within its reload_delta of the last one.
    expect(await acl.apply(demoLine('127.0.0.3/32'), IDS, false)).toEqual({
      count: 1,
      reloaded: true,
    });
    expect(k.state.reloads).toBe(2);
    k.state.failNext = true;
    await expect(acl.apply(demoLine('127.0.0.4/32'), IDS, false)).rejects.toThrow(
      /connection refused/,
    );
    expect(readFileSync(join(dir, 'address.list'), 'utf8')).toContain('127.0.0.3 32');
    expect(k.rows().map((r) => r.ip)).toEqual(['127.0.0.3']);
    expect(acl.entryFor('demo', '127.0.0.3')).toBe('127.0.0.3/32');
    expect(logs.filter((l) => l.startsWith('error'))).toEqual([]);
  });
});
