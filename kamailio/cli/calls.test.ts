import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerOf, lineOf } from './dialogs';
import { runSipbridge } from './main';
import {
  closedPortUrl,
  rawDialog,
  RpcFault,
  startFakeKamailio,
  type FakeServer,
} from './testing/fake-servers';
import { createKamailioRpc } from 'kamailio-jsonrpc';

const NOW = 1_800_000_100_000;
const now = () => NOW;

describe('sipbridge calls', () => {
  let dialogs: unknown[] = [];
  let kamailio: FakeServer;
  beforeAll(async () => {
    kamailio = await startFakeKamailio({ 'dlg.list': () => dialogs });
  });
  afterAll(() => kamailio.close());

  const run = (...extra: string[]) =>
    runSipbridge(['calls', '--rpc', kamailio.url, ...extra], {}, { now });

  it('lists the active calls with line, caller, state and how long they have been answered', async () => {
    dialogs = [
      rawDialog({ callId: 'short@10.0.0.1', startTs: 1_800_000_095 }),
      rawDialog({ callId: 'ringing@10.0.0.2', state: 2, from: 'sip:bob@10.0.0.2', hId: 2 }),
      rawDialog({
        callId: 'long@10.0.0.3',
        startTs: 1_800_000_000 - 3600,
        call: '{"line":"sales-eu"}',
        hId: 3,
      }),
      rawDialog({ callId: 'gone@10.0.0.4', state: 5, hId: 4 }),
    ];
    const result = await run();
    expect(result.code).toBe(0);
    expect(result.stderr).toEqual([]);
    expect(result.stdout).toEqual([
      'CALL-ID           LINE      FROM          STATE      ANSWERED',
      'long@10.0.0.3     sales-eu  +14155550100  confirmed  1h 01m 40s',
      'short@10.0.0.1    demo      +14155550100  confirmed  5s',
      'ringing@10.0.0.2  demo      bob           early      0s',
      '',
      '3 active calls',
    ]);
  });

  it('--json gives the calls as one object, seconds since the answer (0 while ringing)', async () => {
    dialogs = [
      rawDialog({ callId: 'short@10.0.0.1', startTs: 1_800_000_095 }),
      rawDialog({ callId: 'ringing@10.0.0.2', state: 1, call: null, hId: 2 }),
    ];
    const result = await run('--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.join('\n'))).toEqual({
      calls: [
        {
          call_id: 'short@10.0.0.1',
          line: 'demo',
          from: '+14155550100',
          from_uri: 'sip:+14155550100@127.0.0.1:5070',
          state: 'confirmed',
          answered_s: 5,
        },
        {
          call_id: 'ringing@10.0.0.2',
          line: 'unknown',
          from: '+14155550100',
          from_uri: 'sip:+14155550100@127.0.0.1:5070',
          state: 'unconfirmed',
          answered_s: 0,
        },
      ],
    });
  });

  it('says so when there are no calls', async () => {
    dialogs = [];
    expect(await run()).toEqual({ code: 0, stdout: ['no active calls'], stderr: [] });
    expect(JSON.parse((await run('--json')).stdout[0]!)).toEqual({ calls: [] });
  });

  it('exits 3 with one line when Kamailio cannot be reached', async () => {
    const rpc = await closedPortUrl('/RPC');
    const result = await runSipbridge(['calls', '--rpc', rpc], {});
    expect(result).toEqual({
      code: 3,
      stdout: [],
      stderr: [
        `sipbridge: cannot reach Kamailio JSON-RPC at ${rpc} (ECONNREFUSED); is kamailio running?`,
      ],
    });
  });

  it('uses KAMAILIO_RPC_URL when --rpc is not given', async () => {
    dialogs = [];
    const result = await runSipbridge(['calls'], { KAMAILIO_RPC_URL: kamailio.url });
    expect(result.stdout).toEqual(['no active calls']);
  });
});

describe('sipbridge hangup', () => {
  let dialogs: unknown[] = [];
  let endAnswer: unknown = {};
  let kamailio: FakeServer & { calls: string[] };
  const ended: unknown[][] = [];
  beforeAll(async () => {
    kamailio = await startFakeKamailio({
      'dlg.list': () => dialogs,
      'dlg.end_dlg': (params) => {
        ended.push(params);
        return endAnswer;
      },
    });
  });
  afterAll(() => kamailio.close());

  const run = (...extra: string[]) => runSipbridge(['hangup', '--rpc', kamailio.url, ...extra], {});

  it('ends the call by its dialog ids and says so', async () => {
    dialogs = [
      rawDialog({ callId: 'other@x', hEntry: 1, hId: 1 }),
      rawDialog({ callId: 'target@x', hEntry: 3017, hId: 42, startTs: 1_800_000_000 }),
    ];
    ended.length = 0;
    const result = await run('target@x');
    expect(result).toEqual({
      code: 0,
      stdout: ['ended call target@x on line demo: BYE sent to both sides'],
      stderr: [],
    });
    expect(ended).toEqual([[3017, 42]]);
    const json = await run('target@x', '--json');
    expect(JSON.parse(json.stdout[0]!)).toEqual({ ended: true, call_id: 'target@x', line: 'demo' });
  });

  it('exits 4 for a Call-ID Kamailio does not have (or only as an ended dialog)', async () => {
    dialogs = [rawDialog({ callId: 'ended@x', state: 5 })];
    ended.length = 0;
    for (const id of ['nope@x', 'ended@x']) {
      const result = await run(id);
      expect(result).toEqual({
        code: 4,
        stdout: [],
        stderr: [`sipbridge: no active call with Call-ID ${id} (sipbridge calls lists them)`],
      });
    }
    expect(ended).toEqual([]);
  });

  it('exits 4 when the call ended between the lookup and the hangup', async () => {
    dialogs = [rawDialog({ callId: 'racing@x' })];
    endAnswer = new RpcFault(404, 'Dialog not found');
    const result = await run('racing@x');
    endAnswer = {};
    expect(result.code).toBe(4);
  });

  it('refuses to end a call that is still ringing (exit 1)', async () => {
    dialogs = [rawDialog({ callId: 'ringing@x', state: 2 })];
    ended.length = 0;
    const result = await run('ringing@x');
    expect(result).toEqual({
      code: 1,
      stdout: [],
      stderr: [
        'sipbridge: call ringing@x is not answered yet (early): Kamailio can end only answered calls',
      ],
    });
    expect(ended).toEqual([]);
  });

  it("exits 1 with Kamailio's reason when it refuses", async () => {
    dialogs = [rawDialog({ callId: 'refused@x' })];
    endAnswer = new RpcFault(500, 'Internal error');
    const result = await run('refused@x');
    endAnswer = {};
    expect(result).toEqual({
      code: 1,
      stdout: [],
      stderr: ['sipbridge: Kamailio refused dlg.end_dlg: Internal error'],
    });
  });

  it('exits 3 when Kamailio cannot be reached', async () => {
    const result = await runSipbridge(['hangup', 'x@y', '--rpc', await closedPortUrl('/RPC')], {});
    expect(result.code).toBe(3);
  });
});

describe('dialog details', () => {
  it('takes the line from the call facts and tolerates anything else', async () => {
    const k = await startFakeKamailio({
      'dlg.list': () => [
        rawDialog({ callId: '1', call: '{"line":"demo","call_id":"1"}' }),
        rawDialog({ callId: '2', call: null }),
        rawDialog({ callId: '3', call: '{"line":' }),
        rawDialog({ callId: '4', call: '"demo"' }),
        rawDialog({ callId: '5', call: '{"line":42}' }),
        rawDialog({ callId: '6', call: 'null' }),
      ],
    });
    const list = await createKamailioRpc({ url: k.url }).dialogs();
    await k.close();
    expect(list.map(lineOf)).toEqual([
      'demo',
      'unknown',
      'unknown',
      'unknown',
      'unknown',
      'unknown',
    ]);
  });

  it('shows the caller as the user part of the From URI, else the URI', () => {
    expect(callerOf('sip:+14155550100@10.0.0.1:5060')).toBe('+14155550100');
    expect(callerOf('<sips:alice@example.com>')).toBe('alice');
    expect(callerOf('sip:%2B4930123@x')).toBe('+4930123');
    expect(callerOf('sip:%zz@x')).toBe('%zz');
    expect(callerOf('sip:10.0.0.1:5060')).toBe('sip:10.0.0.1:5060');
    expect(callerOf('tel:+14155550100')).toBe('tel:+14155550100');
  });
});
