// The agent's command runner against Kamailio's JSON-RPC as the typed client sees it (a fake
// jsonrpcs over HTTP) and a Worker that hands out commands: polling, ending the call, reporting,
// Kamailio's failures reported as such, and each command executed at most once.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createKamailioRpc } from 'kamailio-jsonrpc';
import type { CommandResult, EdgeCommand } from '@sip-bridge/contract/edge-commands';
import {
  closedPortUrl,
  rawDialog,
  RpcFault,
  startFakeKamailio,
  type FakeServer,
} from '../cli/testing/fake-servers';
import { startCommandRunner, type CommandRunner } from './commands';
import { silentLogger } from './log';
import { createFakeTimers } from './testing/fake-timers';

const command = (id: string, callId: string): EdgeCommand => ({
  id,
  kind: 'hangup',
  call_id: callId,
  expires_at: '2026-12-02T16:00:30.000Z',
});
const ID_A = '0b6f3c2e-5d1a-4c57-9a39-3c1e2f4d5a6b';
const ID_B = '1c7f4d3f-6e2b-4d68-8b4a-4d2f3e5a6b7c';

/** A Worker's edge command API: each poll answers the next prepared list; results are kept. */
function fakeWorker() {
  const answers: { status: number; body: unknown }[] = [];
  const results: { path: string; body: CommandResult }[] = [];
  const resultStatuses: number[] = [];
  return {
    answers,
    results,
    resultStatuses,
    polls: 0,
    async get(path: string) {
      expect(path).toBe('/v1/edge/commands');
      this.polls += 1;
      return {
        ...(answers.shift() ?? { status: 200, body: { commands: [] } }),
        headers: new Headers(),
      };
    },
    async post(path: string, body: unknown) {
      results.push({ path, body: body as CommandResult });
      return { status: resultStatuses.shift() ?? 200, body: {} };
    },
  };
}

let dialogs: unknown[] = [];
let endAnswer: unknown = {};
const ended: unknown[][] = [];
let kamailio: FakeServer & { calls: string[] };
let runner: CommandRunner | undefined;

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
afterEach(async () => {
  await runner?.stop();
  runner = undefined;
  ended.length = 0;
  endAnswer = {};
});

function start(worker: ReturnType<typeof fakeWorker>, rpcUrl = kamailio.url) {
  const timers = createFakeTimers();
  runner = startCommandRunner(
    { rpcUrl, intervalMs: 1000 },
    { worker, log: silentLogger, rpc: createKamailioRpc({ url: rpcUrl, timeoutMs: 2000 }), timers },
  );
  return { runner, timers };
}

describe('the command runner', () => {
  it('polls on its interval, ends the answered call in Kamailio and reports it done', async () => {
    dialogs = [
      rawDialog({ callId: 'other@x', hEntry: 1, hId: 1 }),
      rawDialog({ callId: 'live@x', hEntry: 3017, hId: 42, startTs: 1_800_000_000 }),
    ];
    const worker = fakeWorker();
    worker.answers.push({ status: 200, body: { commands: [command(ID_A, 'live@x')] } });
    const { timers } = start(worker);
    // The first poll is due at once, the next after the interval.
    timers.advance(0);
    await vi.waitFor(() => expect(worker.results).toHaveLength(1));
    expect(ended).toEqual([[3017, 42]]);
    expect(worker.results[0]).toEqual({
      path: `/v1/edge/commands/${ID_A}/result`,
      body: { status: 'done' },
    });
    await vi.waitFor(() => expect(timers.pending).toBe(1));
    timers.advance(1000);
    await vi.waitFor(() => expect(worker.polls).toBe(2));
    expect(runner!.snapshot()).toMatchObject({ executed: 1, failed: 0, last_error: null });
  });

  it('executes a command at most once, even when the Worker hands it out again', async () => {
    dialogs = [rawDialog({ callId: 'live@x', hEntry: 7, hId: 8 })];
    const worker = fakeWorker();
    worker.answers.push(
      { status: 200, body: { commands: [command(ID_A, 'live@x')] } },
      { status: 200, body: { commands: [command(ID_A, 'live@x')] } },
    );
    const { runner } = start(worker);
    await runner.pollNow();
    await runner.pollNow();
    expect(ended).toEqual([[7, 8]]);
    expect(worker.results).toHaveLength(1);
  });

  it('reports a call Kamailio no longer has, or one still ringing, as failed with why', async () => {
    dialogs = [rawDialog({ callId: 'ringing@x', state: 2 })];
    const worker = fakeWorker();
    worker.answers.push({
      status: 200,
      body: { commands: [command(ID_A, 'gone@x'), command(ID_B, 'ringing@x')] },
    });
    const { runner } = start(worker);
    await runner.pollNow();
    expect(ended).toEqual([]);
    expect(worker.results.map((r) => r.body)).toEqual([
      { status: 'failed', failure: 'no_such_call' },
      { status: 'failed', failure: 'not_answered' },
    ]);
  });

  it('reports a Kamailio error as a failure, and an unreachable Kamailio as such', async () => {
    dialogs = [rawDialog({ callId: 'live@x' })];
    endAnswer = new RpcFault(500, 'internal error');
    const worker = fakeWorker();
    worker.answers.push({ status: 200, body: { commands: [command(ID_A, 'live@x')] } });
    const { runner } = start(worker);
    await runner.pollNow();
    expect(worker.results[0]!.body).toEqual({ status: 'failed', failure: 'kamailio_error' });
    expect(runner.snapshot()).toMatchObject({ executed: 0, failed: 1 });
    await runner.stop();

    const down = fakeWorker();
    down.answers.push({ status: 200, body: { commands: [command(ID_B, 'live@x')] } });
    const second = start(down, await closedPortUrl('/RPC')).runner;
    await second.pollNow();
    expect(down.results[0]!.body).toEqual({ status: 'failed', failure: 'kamailio_unreachable' });
  });

  it('reports again after a Worker error, and stops when the Worker has its own answer', async () => {
    dialogs = [rawDialog({ callId: 'live@x' })];
    const worker = fakeWorker();
    worker.answers.push({ status: 200, body: { commands: [command(ID_A, 'live@x')] } });
    worker.resultStatuses.push(503, 409);
    const { runner, timers } = start(worker);
    const polled = runner.pollNow();
    await vi.waitFor(() => expect(worker.results).toHaveLength(1));
    timers.advance(1000);
    await polled;
    expect(worker.results).toHaveLength(2); // 409 (expired meanwhile, say): no third attempt
    expect(ended).toHaveLength(1);
  });

  it('gives a result up after five failed reports, leaving it to the Worker to fail', async () => {
    dialogs = [rawDialog({ callId: 'live@x' })];
    const worker = fakeWorker();
    worker.answers.push({ status: 200, body: { commands: [command(ID_A, 'live@x')] } });
    worker.resultStatuses.push(503, 503, 503, 503, 503, 200);
    const { runner, timers } = start(worker);
    const polled = runner.pollNow();
    for (let n = 1; n < 5; n++) {
      await vi.waitFor(() => expect(worker.results).toHaveLength(n));
      timers.advance(1000);
    }
    await polled;
    expect(worker.results).toHaveLength(5);
    expect(ended).toHaveLength(1);
  });

  it('executes nothing the Worker sends that is not a command, and says so in /health', async () => {
    const worker = fakeWorker();
    worker.answers.push(
      { status: 200, body: { commands: [{ id: 'x', kind: 'reboot', call_id: 'live@x' }] } },
      { status: 401, body: { error: 'unauthorized' } },
    );
    const { runner } = start(worker);
    await runner.pollNow();
    expect(runner.snapshot().last_error).toMatch(/^invalid/);
    await runner.pollNow();
    expect(runner.snapshot().last_error).toMatch(/HTTP 401 .*EDGE_SECRET/);
    expect(ended).toEqual([]);
    expect(worker.results).toEqual([]);
  });
});
