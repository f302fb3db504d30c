import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createKamailioRpc } from 'kamailio-jsonrpc';
import { runSipbridge } from '@sip-bridge/edge/cli/main';
import { callIdOf, startFullStack, type FullStack } from './harness/full-stack';
import { received } from './harness/sipp';
import { explain } from './harness/suite';
import { sipToolsAvailable } from './harness/tools';
import { PORT_BLOCKS } from './harness/ports';

// The operator CLI (`npx sipbridge`, kamailio/cli) run as operators run it, through its bin,
// against real Kamailio, the real edge agent with ACL sync and the real Worker, with sipp calls.
const BASE = PORT_BLOCKS.cli;
const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'node_modules/.bin/sipbridge');
const RPC = `http://127.0.0.1:${BASE + 20}/RPC`;
const AGENT = `http://127.0.0.1:${BASE + 90}`;
/** Nothing listens there (inside this suite's port range). */
const CLOSED_RPC = `http://127.0.0.1:${BASE + 21}/RPC`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the sipbridge bin with only these environment variables (plus PATH and HOME). */
function sipbridge(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      BIN,
      args,
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: process.env.HOME ?? '/root',
          ...env,
        },
        timeout: 30_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const show = (r: Run) => `exit ${r.code}\n--- stdout ---\n${r.stdout}--- stderr ---\n${r.stderr}`;

describe.skipIf(!sipToolsAvailable())('sipbridge CLI against a running edge', () => {
  let s: FullStack;
  /** The connection settings as an operator's shell has them. */
  let env: Record<string, string>;

  beforeAll(async () => {
    s = await startFullStack(BASE, [{ slug: 'demo', acl: ['127.0.0.1/32'] }], {
      aclSync: { intervalMs: 1000 },
    });
    env = {
      KAMAILIO_RPC_URL: RPC,
      EDGE_AGENT_URL: AGENT,
      EDGE_ACL_SYNC_DIR: join(s.edge.dir, 'etc'),
      EDGE_AGENT_TOKEN: s.agentToken,
    };
    await vi.waitFor(
      async () => expect((await s.agentHealth()).acl?.last_sync_at, s.agentLog()).toBeTruthy(),
      { timeout: 30_000, interval: 200 },
    );
  }, 90_000);

  afterAll(async () => {
    await s?.stop();
  }, 30_000);

  it('npx sipbridge --help lists the commands and exit codes', { timeout: 30_000 }, async () => {
    const run = await new Promise<Run>((resolve) =>
      execFile('npx', ['sipbridge', '--help'], { cwd: ROOT }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      ),
    );
    expect(run.code, show(run)).toBe(0);
    expect(run.stdout).toMatch(/^usage: sipbridge <command>/);
    expect(run.stdout).toMatch(/exit codes:[\s\S]*4 +no such call/);
  });

  it(
    'status shows Kamailio, the demo line with its ACL entry and an empty spool',
    { timeout: 30_000 },
    async () => {
      const human = await sipbridge(['status', '--rpc', RPC, '--agent', AGENT, '--dir', env.EDGE_ACL_SYNC_DIR!, '--sample-ms', '200']); // prettier-ignore
      expect(human.code, show(human)).toBe(0);
      expect(human.stderr).toBe('');
      expect(human.stdout).toMatch(/^Status: OK$/m);
      expect(human.stdout).toMatch(/^Kamailio +kamailio 5\.6\.\d+ \(.*\), up \d/m);
      expect(human.stdout).toMatch(/^Spool +0 events waiting$/m);
      expect(human.stdout).toMatch(/^Worker +reachable, breaker closed$/m);
      expect(human.stdout).toMatch(/^ACL sync +1 entry, last sync \d{4}-/m);
      expect(human.stdout).toMatch(/^Targets +1 up$/m);
      expect(human.stdout).toMatch(/^LINE +GROUP +ACL ENTRIES +TARGETS +CALLS +STATES$/m);
      expect(human.stdout).toMatch(/^demo +1 +1 +1 +0$/m);

      const json = await sipbridge(['status', '--json', '--sample-ms', '200'], env);
      expect(json.code, show(json)).toBe(0);
      const report = JSON.parse(json.stdout);
      expect(report.status).toBe('ok');
      expect(report.kamailio).toMatchObject({
        url: RPC,
        reachable: true,
        error: null,
        active_calls: 0,
      });
      expect(report.kamailio.version).toMatch(/kamailio 5\.6/);
      expect(report.kamailio.uptime_s).toBeGreaterThanOrEqual(0);
      expect(report.kamailio.calls_per_second).toBe(0);
      expect(report.lines).toEqual([
        {
          line: 'demo',
          group: 1,
          acl_entries: 1,
          active_calls: 0,
          calls_by_state: {},
          targets: 1,
          targets_down: [],
        },
      ]);
      expect(report.agent).toMatchObject({
        url: AGENT,
        reachable: true,
        status: 'ok',
        spool_depth: 0,
        worker_reachable: true,
        breaker: 'closed',
        acl_sync: { enabled: true, entries: 1, last_error: null },
      });
    },
  );

  it(
    "status counts new calls per second from Kamailio's processed_dialogs",
    { timeout: 30_000 },
    async () => {
      const uas = s.uas(0, 'uas-answer');
      // In process, with the sample's wait in the test's hands: the window opens once status has
      // read the counter the first time, and closes once the call is over.
      let windowOpen!: () => void;
      const opened = new Promise<void>((resolve) => (windowOpen = resolve));
      let callOver!: () => void;
      const over = new Promise<void>((resolve) => (callOver = resolve));
      const status = runSipbridge(['status', '--json', '--sample-ms', '3000'], env, {
        sleep: async () => {
          windowOpen();
          await over;
        },
      });
      await opened;
      // Inside the window: one short call, begun and ended.
      const caller = await s.uac('uac-call', { HOLD_MS: '100' });
      expect(caller.code, explain(caller, s.edge)).toBe(0);
      await uas.done;
      callOver();
      const run = await status;
      expect(run.code, run.stderr.join('\n')).toBe(0);
      expect(JSON.parse(run.stdout[0]!).kamailio.calls_per_second).toBeGreaterThan(0);
    },
  );

  // One retry, as for hangup below: Kamailio 5.6 may skip the second BYE of a hang-up.
  it(
    'calls lists a call in progress, in both formats, and status counts it on its line',
    { timeout: 90_000, retry: 1 },
    async () => {
      // The call stays up until this test hangs it up, however long the runs below take to start
      // on a loaded machine (sipp's own limit is 60 s).
      const uas = s.uas(0, 'uas-answer', {}, 1, 60);
      const pending = s.uac('uac-callee-bye', { BYE_REPLY_DELAY_MS: '300' }, '127.0.0.1', 'u1', 60);
      const { callId } = await s.edge.answeredDialog();

      // All three at once: each run starts a Node process.
      const [json, human, status] = await Promise.all([
        sipbridge(['calls', '--json'], env),
        sipbridge(['calls', '--rpc', RPC]),
        sipbridge(['status', '--json', '--sample-ms', '0'], env),
      ]);
      expect(json.code, show(json)).toBe(0);
      const { calls } = JSON.parse(json.stdout);
      expect(calls).toEqual([
        {
          call_id: callId,
          line: 'demo',
          from: '+14155550100',
          from_uri: expect.stringMatching(/^sip:\+14155550100@127\.0\.0\.1:\d+$/),
          state: 'confirmed',
          answered_s: expect.any(Number),
        },
      ]);
      // answered_s counts from Kamailio's own answer time (the dialog's start_ts): two seconds
      // after it, on an injected clock, the in-process CLI says 2.
      const [dialog] = await createKamailioRpc({ url: RPC }).dialogs();
      const later = await runSipbridge(['calls', '--json'], env, {
        now: () => (dialog!.startTs + 2) * 1000,
      });
      expect(JSON.parse(later.stdout[0]!).calls).toMatchObject([
        { call_id: callId, answered_s: 2 },
      ]);

      expect(human.code, show(human)).toBe(0);
      const lines = human.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^CALL-ID +LINE +FROM +STATE +ANSWERED$/);
      expect(lines[1]).toMatch(
        new RegExp(
          `^${callId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +demo +\\+14155550100 +confirmed +\\d+s$`,
        ),
      );
      expect(lines.at(-1)).toBe('1 active call');

      expect(status.code, show(status)).toBe(0);
      expect(JSON.parse(status.stdout).lines).toEqual([
        {
          line: 'demo',
          group: 1,
          acl_entries: 1,
          active_calls: 1,
          calls_by_state: { confirmed: 1 },
          targets: 1,
          targets_down: [],
        },
      ]);

      const ended = await runSipbridge(['hangup', callId], env);
      expect(ended.code, ended.stderr.join('\n')).toBe(0);
      const [caller, served] = await Promise.all([pending, uas.done]);
      expect(caller.code, explain(caller, s.edge)).toBe(0);
      expect(served.code, explain(served)).toBe(0);
      expect(callIdOf(caller)).toBe(callId);
    },
  );

  // One retry, as in lifecycle.test.ts: Kamailio 5.6 skips the second BYE when the first is
  // answered before it is sent; BYE_REPLY_DELAY_MS makes that unlikely, a loaded machine may not.
  it('hangup ends a call: both sides get a BYE', { timeout: 30_000, retry: 1 }, async () => {
    const uas = s.uas(0, 'uas-answer');
    const pending = s.uac('uac-callee-bye', { BYE_REPLY_DELAY_MS: '300' });
    const { callId } = await s.edge.answeredDialog();

    const run = await sipbridge(['hangup', callId], env);
    expect(run.code, show(run)).toBe(0);
    expect(run.stdout).toBe(`ended call ${callId} on line demo: BYE sent to both sides\n`);

    const [caller, served] = await Promise.all([pending, uas.done]);
    expect(caller.code, explain(caller, s.edge)).toBe(0);
    expect(received(caller, /^BYE /), explain(caller)).toBeDefined();
    expect(served.code, explain(served, s.edge)).toBe(0);
    expect(received(served, /^BYE /), explain(served)).toBeDefined();

    const calls = await sipbridge(['calls', '--json'], env);
    expect(JSON.parse(calls.stdout).calls.map((c: { call_id: string }) => c.call_id)).not.toContain(
      callId,
    );
  });

  it('hangup of an unknown call exits 4 and says so', { timeout: 30_000 }, async () => {
    const run = await sipbridge(['hangup', 'no-such-call@127.0.0.1'], env);
    expect(run.code, show(run)).toBe(4);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'sipbridge: no active call with Call-ID no-such-call@127.0.0.1 (sipbridge calls lists them)\n',
    );
  });

  it(
    'sync makes the agent reload the ACL (exit 0), and exits 2 without the token',
    { timeout: 40_000 },
    async () => {
      const run = await sipbridge(['sync', '--json'], env);
      expect(run.code, show(run)).toBe(0);
      const answer = JSON.parse(run.stdout);
      expect(answer).toMatchObject({ synced: true, acl: { entries: 1, last_error: null } });
      expect(answer.acl.etag).toMatch(/^"[0-9a-f]+"$/);
      expect(run.stdout + run.stderr).not.toContain(s.agentToken);

      const human = await sipbridge(['sync', '--agent', AGENT], { EDGE_AGENT_TOKEN: s.agentToken });
      expect(human.code, show(human)).toBe(0);
      expect(human.stdout).toMatch(/^ACL synced: .*\nentries +1\n/);

      const { EDGE_AGENT_TOKEN: _token, ...withoutToken } = env;
      const refused = await sipbridge(['sync'], withoutToken);
      expect(refused.code, show(refused)).toBe(2);
      expect(refused.stderr).toMatch(/^sipbridge: EDGE_AGENT_TOKEN is not set/);

      const wrong = await sipbridge(['sync'], { ...env, EDGE_AGENT_TOKEN: 'not-the-agent-token' });
      expect(wrong.code, show(wrong)).toBe(2);
      expect(wrong.stderr).toMatch(/refused EDGE_AGENT_TOKEN \(401\)/);
    },
  );

  it(
    'exits 3 when Kamailio cannot be reached, and status still reports the agent',
    { timeout: 30_000 },
    async () => {
      const calls = await sipbridge(['calls', '--rpc', CLOSED_RPC], env);
      expect(calls.code, show(calls)).toBe(3);
      expect(calls.stderr).toBe(
        `sipbridge: cannot reach Kamailio JSON-RPC at ${CLOSED_RPC} (ECONNREFUSED); is kamailio running?\n`,
      );

      const status = await sipbridge(['status', '--json', '--rpc', CLOSED_RPC], env);
      expect(status.code, show(status)).toBe(3);
      const report = JSON.parse(status.stdout);
      expect(report.status).toBe('unreachable');
      expect(report.kamailio.reachable).toBe(false);
      expect(report.agent).toMatchObject({ reachable: true, status: 'ok', spool_depth: 0 });
    },
  );
});
