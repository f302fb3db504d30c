import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain, startSuite, type SipSuite } from './harness/suite';
import { sipToolsAvailable } from './harness/tools';
import {
  createKamailioRpc,
  KamailioRpcError,
  KamailioRpcResponseError,
  type Dialog,
  type KamailioRpc,
} from 'kamailio-jsonrpc';
import { PORT_BLOCKS } from './harness/ports';

// The client against a real edge: rendered template, Kamailio 5.6, sipp calls.
const BASE = PORT_BLOCKS.jsonrpcClient;

describe.skipIf(!sipToolsAvailable())('kamailio-jsonrpc against a running edge', () => {
  let s: SipSuite;
  let rpc: KamailioRpc;
  let addressFile: string;
  let rendered: string;

  beforeAll(async () => {
    s = await startSuite(BASE, (t) => [
      {
        slug: 'demo-line',
        targets: [t(0)],
        acl: ['127.0.0.1/32', '10.20.0.0/16', '2001:db8:100::/48'],
      },
      { slug: 'second-line', targets: [t(1)], acl: ['192.0.2.7'] },
    ]);
    rpc = createKamailioRpc({ url: `http://127.0.0.1:${s.edge.rpcPort}/RPC` });
    addressFile = join(s.edge.dir, 'etc', 'address.list');
    rendered = readFileSync(addressFile, 'utf8');
  }, 30_000);
  afterAll(() => s?.stop());

  it('reads the version and uptime', async () => {
    expect(await rpc.coreVersion()).toMatch(/^kamailio 5\.\d+\.\d+ /);
    const uptime = await rpc.coreUptime();
    expect(uptime).toEqual({
      now: expect.any(String),
      up_since: expect.any(String),
      uptime: expect.any(Number),
    });
    expect(uptime.uptime).toBeGreaterThanOrEqual(0);
  });

  it("reads the size of the edge's events queue, and refuses a queue that does not exist", async () => {
    expect(await rpc.queueSize('events')).toBe(0);
    const unknown = await rpc.queueSize('no_such_queue').catch((e) => e);
    expect(unknown).toBeInstanceOf(KamailioRpcError);
    expect(unknown).toMatchObject({ code: 404 });
  });

  it('reads statistics as numbers, by group, by name and all', async () => {
    const all = await rpc.stats();
    expect(Object.keys(all).length).toBeGreaterThan(50);
    expect(Object.values(all).every((v) => typeof v === 'number')).toBe(true);
    expect(await rpc.stats('dialog')).toMatchObject({ 'dialog.active_dialogs': 0 });
    const one = await rpc.stats('shmem:free_size');
    expect(Object.keys(one)).toEqual(['shmem.free_size']);
    expect(one['shmem.free_size']).toBeGreaterThan(0);
    const unknown = await rpc.stats('no_such_group').catch((e) => e);
    expect(unknown).toBeInstanceOf(KamailioRpcResponseError);
  });

  it('dumps the rendered address list: addresses and IPv4/IPv6 networks, tagged by slug', async () => {
    expect(rendered).toContain('1 2001:db8:100:: 48 0 demo-line');
    expect(await rpc.addressDump()).toEqual(
      expect.arrayContaining([
        { group: 1, ip: '127.0.0.1', port: 0, tag: 'demo-line' },
        { group: 2, ip: '192.0.2.7', port: 0, tag: 'second-line' },
      ]),
    );
    expect((await rpc.addressDump()).length).toBe(2);
    expect(await rpc.subnetDump()).toEqual([
      { group: 1, ip: '10.20.0.0', mask: 16, port: 0, tag: 'demo-line' },
      { group: 1, ip: '2001:db8:100::', mask: 48, port: 0, tag: 'demo-line' },
    ]);
  });

  it('reports a method the edge does not dispatch as KamailioRpcError naming the method', async () => {
    // The template dispatches only the methods the agent and the CLI use (RPC_METHODS).
    const error: any = await rpc.call('sipbridge.no_such_method').catch((e) => e);
    expect(error).toBeInstanceOf(KamailioRpcError);
    expect(error).toMatchObject({
      method: 'sipbridge.no_such_method',
      code: 403,
      kamailioMessage: 'Method Not Allowed',
    });
    expect(error.message).toContain('sipbridge.no_such_method');
  });

  it('has no cfg.get on the edge: the template does not load cfg_rpc (see cfg.test.ts)', async () => {
    const error = await rpc.cfgGet('core', 'debug').catch((e) => e);
    expect(error).toMatchObject({ method: 'cfg.get', kamailioMessage: 'Method Not Found' });
  });

  it('sets, reads and dumps htable items in the linecps table', async () => {
    await rpc.htableSet('linecps', 'jsonrpc-int', 7);
    await rpc.htableSet('linecps', 'jsonrpc-str', 'seven');
    expect(await rpc.htableGet('linecps', 'jsonrpc-int')).toEqual({
      name: 'jsonrpc-int',
      value: 7,
      expire: 'NEVER',
    });
    expect((await rpc.htableGet('linecps', 'jsonrpc-str')).value).toBe('seven');
    expect(await rpc.htableDump('linecps')).toEqual(
      expect.arrayContaining([
        { name: 'demo-line', value: 0, type: 'int' },
        { name: 'jsonrpc-int', value: 7, type: 'int' },
        { name: 'jsonrpc-str', value: 'seven', type: 'str' },
      ]),
    );
    expect(await rpc.htableDump('ipban')).toEqual([]);
    const missing = await rpc.htableGet('linecps', 'no-such-key').catch((e) => e);
    expect(missing).toMatchObject({ method: 'htable.get', code: 500 });
    const noTable = await rpc.htableDump('no_such_table').catch((e) => e);
    expect(noTable).toBeInstanceOf(KamailioRpcError);
  });

  it('reads shared memory in bytes and flushes an htable', async () => {
    const shm = await rpc.coreShmem();
    expect(shm.free).toBeGreaterThan(0);
    expect(shm.real_used).toBeLessThan(shm.total);
    expect(shm.max_used).toBeGreaterThanOrEqual(shm.real_used);
    await rpc.htableSet('breaker', 'failures', 2);
    expect(await rpc.htableDump('breaker')).toEqual([{ name: 'failures', value: 2, type: 'int' }]);
    await rpc.htableFlush('breaker');
    expect(await rpc.htableDump('breaker')).toEqual([]);
  });

  /** Starts a call the callee answers and nobody hangs up; resolves once its dialog is confirmed. */
  async function liveCall() {
    const uas = s.uas(0, 'uas-answer');
    // Kamailio 5.6 sends the second BYE only while the dialog is confirmed: the caller answers
    // the proxy's BYE late so the callee's BYE still goes out (see kamailio/renderer/README.md).
    const caller = s.uac('uac-callee-bye', { BYE_REPLY_DELAY_MS: '300' });
    let dialog: Dialog | undefined;
    for (let i = 0; i < 100 && !dialog; i++) {
      await new Promise((r) => setTimeout(r, 50));
      dialog = (await rpc.dialogs()).find((d) => d.state === 4);
    }
    if (!dialog) throw new Error(`no confirmed dialog\n${s.edge.log().slice(-3000)}`);
    return { dialog, done: Promise.all([caller, uas.done]) };
  }

  it('lists a live call and ends it by hash entry and id', async () => {
    const { dialog, done } = await liveCall();
    expect(dialog).toMatchObject({
      state: 4,
      stateName: 'confirmed',
      fromUri: expect.stringMatching(/^sip:\+14155550100@127\.0\.0\.1:/),
      toUri: `sip:zendesk@127.0.0.1:${BASE}`,
      fromTag: expect.stringMatching(/SIPpTag00/),
      toTag: expect.stringMatching(/SIPpTag01/),
    });
    expect(dialog.callId).toMatch(/@127\.0\.0\.1$/);
    expect(dialog.timeout).toBeGreaterThan(dialog.startTs);
    expect(JSON.parse(dialog.variables.call!)).toMatchObject({ line: 'demo-line' });
    expect(await rpc.activeDialogs()).toMatchObject({ ongoing: 1, all: 1 });

    await rpc.endDialog(dialog.hEntry, dialog.hId);
    const [caller, callee] = await done;
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    expect(callee.code, explain(callee, s.edge)).toBe(0);
    const gone = await rpc.endDialog(dialog.hEntry, dialog.hId).catch((e) => e);
    expect(gone).toMatchObject({ method: 'dlg.end_dlg', code: 404 });
  }, 20_000);

  it('ends a live call by Call-ID and tags', async () => {
    const { dialog, done } = await liveCall();
    const wrongTag = await rpc
      .endDialogByCallId(dialog.callId, 'not-the-tag', dialog.toTag!)
      .catch((e) => e);
    expect(wrongTag).toBeInstanceOf(KamailioRpcError);
    await rpc.endDialogByCallId(dialog.callId, dialog.fromTag!, dialog.toTag!);
    const [caller, callee] = await done;
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    expect(callee.code, explain(callee, s.edge)).toBe(0);
    for (let i = 0; i < 40 && (await rpc.activeDialogs()).all > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await rpc.activeDialogs()).toMatchObject({ all: 0 });
  }, 20_000);
  it('reloads a rewritten address file, at most once per reload_delta (5 s)', async () => {
    try {
      writeFileSync(
        addressFile,
        '1 127.0.0.1 32 0 demo-line\n2 198.51.100.0 24 5060 second-line\n2 2001:db8:2::1 128 0 second-line\n',
      );
      await rpc.addressReload();
      expect(await rpc.subnetDump()).toEqual([
        { group: 2, ip: '198.51.100.0', mask: 24, port: 5060, tag: 'second-line' },
      ]);
      expect(await rpc.addressDump()).toEqual(
        expect.arrayContaining([{ group: 2, ip: '2001:db8:2::1', port: 0, tag: 'second-line' }]),
      );
      const tooSoon = await rpc.addressReload().catch((e) => e);
      expect(tooSoon).toBeInstanceOf(KamailioRpcError);
      expect(tooSoon).toMatchObject({ code: 500, kamailioMessage: 'ongoing reload' });
    } finally {
      writeFileSync(addressFile, rendered);
      await reloadWhenAllowed();
    }
    expect(await rpc.subnetDump()).toHaveLength(2);
  }, 15_000);

  /** permissions refuses a reload within reload_delta seconds of the last one. */
  async function reloadWhenAllowed(): Promise<void> {
    for (let i = 0; ; i++) {
      try {
        return await rpc.addressReload();
      } catch (error) {
        const again =
          error instanceof KamailioRpcError && error.kamailioMessage === 'ongoing reload';
        if (!again || i >= 40) throw error;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }
});
