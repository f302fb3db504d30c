// End to end against the real Worker: wrangler dev (workerd + local D1) and the Zendesk stand-in,
// all on 127.0.0.1. Slow (wrangler starts in a few seconds), so everything shares one Worker.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  freePort,
  randomWorkerSecrets,
  startLocalWorker,
  type LocalWorker,
} from '../scripts/lib/local-worker.mjs';
import { silentLogger } from '@sip-bridge/edge/agent/log';
import { startEdgeAgent } from '@sip-bridge/edge/agent/server';
import { callFacts, tempDir, TOKEN } from '@sip-bridge/edge/agent/testing/fixtures';

const ROOT = join(__dirname, '..');
const secrets = randomWorkerSecrets('e2e-token');

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  await vi.waitFor(
    async () => {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      expect(res.status, `${url} is not up yet`).toBeLessThan(500);
    },
    { timeout: timeoutMs, interval: 200 },
  );
}

const state = tempDir('agent-e2e-d1-');
const spool = tempDir('agent-e2e-spool-');
let standin: ChildProcess | undefined;
let standinUrl = '';
let worker: LocalWorker | undefined;
let workerUrl = '';
let workerPort = 0;

async function startWorker(): Promise<void> {
  worker = await startLocalWorker({
    port: workerPort,
    persistTo: state.dir,
    vars: { ...secrets, ZENDESK_BASE_URL: standinUrl, ZENDESK_REQUESTS_PER_MINUTE: '100000' },
  });
}

async function stopWorker(): Promise<void> {
  await worker?.stop();
  worker = undefined;
}

async function exportedCalls(): Promise<any[]> {
  const res = await fetch(`${workerUrl}/v1/reports/calls/export?start_time=0`, {
    headers: { Authorization: `Bearer ${secrets.ADMIN_TOKEN}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { calls: any[] }).calls;
}

beforeAll(async () => {
  // Its own process (as `npm start` runs it), so this project needs no types from test/.
  const standinPort = await freePort();
  standinUrl = `http://127.0.0.1:${standinPort}`;
  standin = spawn(process.execPath, ['--import', 'tsx', 'test/zendesk-standin/server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ZENDESK_STANDIN_PORT: String(standinPort),
      ZENDESK_API_TOKEN: secrets.ZENDESK_API_TOKEN,
      ZENDESK_STANDIN_LOG: 'false',
    },
    stdio: 'ignore',
  });
  await waitForHttp(`${standinUrl}/__standin/state`, 20_000);
  workerPort = await freePort();
  workerUrl = `http://127.0.0.1:${workerPort}`;
  await startWorker();
  const line = await fetch(`${workerUrl}/v1/admin/lines`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${secrets.ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      slug: 'demo',
      name: 'Agent end-to-end',
      sip_targets: ['sip:zendesk@127.0.0.1:5070'],
      default_country: 'US',
      acl: [{ cidr: '127.0.0.1/32' }],
    }),
  });
  expect(line.status).toBe(201);
}, 120_000);

afterAll(async () => {
  await stopWorker();
  if (standin && standin.exitCode === null) {
    const exited = new Promise((r) => standin!.once('exit', r));
    standin.kill('SIGTERM');
    await exited;
  }
  state.remove();
  spool.remove();
}, 30_000);

describe('edge agent against the real Worker', () => {
  const agentOptions = () => ({
    port: 0,
    token: TOKEN,
    workerUrl,
    edgeSecret: secrets.EDGE_SECRET,
    spoolDir: spool.dir,
    budgetMs: 3000, // the first requests to a fresh wrangler dev are slow
    delivery: { backoff: { initialMs: 100, maxMs: 500 } },
    log: silentLogger,
  });

  async function post(url: string, path: string, body: unknown) {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  }

  it('gets a decision from the Worker, with the verified ticket header', async () => {
    const { url, close } = await startEdgeAgent(agentOptions());
    try {
      const res = await post(url, '/v1/decide', callFacts('e2e-decide@127.0.0.1', '1001'));
      expect(res.body).toEqual({
        action: 'relay',
        code: 0,
        reason: '',
        headers: 'X-Zendesk-Ticket-Id: 1001\r\n',
        source: 'worker',
      });
    } finally {
      await close();
    }
  }, 30_000);

  it('delivers lifecycle events into the Worker call record', async () => {
    const { url, close, agent } = await startEdgeAgent(agentOptions());
    try {
      const callId = 'e2e-events@127.0.0.1';
      expect((await post(url, '/v1/decide', callFacts(callId, ''))).body.source).toBe('worker');
      const answered = {
        call_id: callId,
        kind: 'answered',
        at: '2026-11-21T09:30:00.000Z',
        sip_code: 200,
        reason: 'OK',
      };
      const ended = {
        call_id: callId,
        kind: 'ended',
        at: '2026-11-21T09:31:05.000Z',
        ended_by: 'caller',
      };
      expect((await post(url, '/v1/events', answered)).status).toBe(202);
      expect((await post(url, '/v1/events', ended)).status).toBe(202);
      await expect.poll(() => agent.spool.depth, { timeout: 20_000 }).toBe(0);
      expect(agent.delivery.stats).toMatchObject({ applied: 2, duplicate: 0 });
      const call = (await exportedCalls()).find((c) => c.call_id === callId);
      expect(call).toMatchObject({
        status: 'completed',
        timeline: { answered_at: '2026-11-21T09:30:00.000Z', ended_at: '2026-11-21T09:31:05.000Z' },
        duration_s: 65,
        final: { ended_by: 'caller' },
      });
    } finally {
      await close();
    }
  }, 30_000);

  it('keeps events through a Worker outage and an agent restart, each applied once', async () => {
    await stopWorker();
    let running = await startEdgeAgent(agentOptions());
    const calls = Array.from({ length: 30 }, (_, n) => `e2e-outage-${n}@127.0.0.1`);
    for (const [n, callId] of calls.entries()) {
      // The decision never reached the Worker (it was down): the event carries the call facts.
      const res = await post(running.url, '/v1/events', {
        call_id: callId,
        kind: 'cancelled',
        sip_code: 487,
        reason: 'Request Terminated',
        call: callFacts(callId, n % 2 ? '1001' : ''),
      });
      expect(res.status).toBe(202);
      if (n === 14) {
        await running.close(); // the agent restarts in the middle of the outage
        running = await startEdgeAgent(agentOptions());
        expect(running.agent.spool.depth).toBe(15);
      }
    }
    expect(running.agent.spool.depth).toBe(30);
    const health = (await (await fetch(`${running.url}/health`)).json()) as any;
    expect(health.status).toBe('degraded');

    await startWorker();
    try {
      await expect.poll(() => running.agent.spool.depth, { timeout: 30_000 }).toBe(0);
      expect(running.agent.delivery.stats).toMatchObject({
        applied: 30,
        duplicate: 0,
        rejected: 0,
      });
      const recorded = (await exportedCalls()).filter((c) => calls.includes(c.call_id));
      expect(recorded).toHaveLength(30);
      expect(recorded.every((c) => c.status === 'cancelled')).toBe(true);
    } finally {
      await running.close();
    }
  }, 120_000);
});
