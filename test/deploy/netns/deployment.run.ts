// Runs in a booted container's network namespace (../deployment.ts starts it with nsenter -n):
// plays the operator of docs/operators.md on the installed sipbridge-edge package, with the real
// Worker (wrangler dev, local D1) and the Zendesk stand-in on the container's loopback, and sipp
// as the carrier and as Zendesk. Prints one RESULT line; the test asserts on it.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallRecord } from '@sip-bridge/contract/calls';
import { startZendeskStandin } from '@sip-bridge/zendesk-standin/server';
import {
  randomWorkerSecrets,
  startLocalWorker,
  type LocalWorker,
} from '../../../scripts/lib/local-worker.mjs';
import { callIdOf } from '../../sip/harness/full-stack';
import { createSippPool } from '../../sip/harness/sipp-pool';
import { workerAdmin } from '../../sip/harness/worker-admin';
import { finalResponse, received } from '../../sip/harness/sipp';
import { SIPP } from '../../sip/harness/tools';
import { enterContainer } from '../harness/container';

const pid = Number(process.env.CONTAINER_PID);
const rootfs = process.env.CONTAINER_ROOT!;
const upgradeDeb = process.env.UPGRADE_DEB!;
const box = enterContainer(pid);

/** The edge in the container: SIP on 5060, its targets (sipp as Zendesk) on 5130. */
const EDGE_PORT = 5060;
const sipps = createSippPool(EDGE_PORT);
const TARGET = `sip:zendesk@127.0.0.1:${EDGE_PORT + 70}`;
const WORKER_PORT = 8787;

type Json = Record<string, unknown>;

const EDGE_YAML = `listen:
  - { transport: udp, address: 127.0.0.1, port: ${EDGE_PORT} }
rpc: { address: 127.0.0.1, port: 5080 }
agent: { url: http://127.0.0.1:8090, token_env: EDGE_AGENT_TOKEN }
lines:
  - slug: demo
    targets: [${TARGET}]
    acl: [127.0.0.1/32]
`;

async function main() {
  const result: Json = {};
  const persistTo = mkdtempSync(join(tmpdir(), 'sipbridge-deploy-d1-'));
  const apiToken = randomBytes(12).toString('hex');
  const secrets = randomWorkerSecrets(apiToken);
  const standin = await startZendeskStandin({ port: 0, log: false, apiToken });
  let worker: LocalWorker | undefined;
  const startWorker = async () => {
    worker = await startLocalWorker({
      port: WORKER_PORT,
      persistTo,
      vars: { ...secrets, ZENDESK_BASE_URL: standin.url, ZENDESK_REQUESTS_PER_MINUTE: '100000' },
    });
  };
  const admin = workerAdmin(() => `http://127.0.0.1:${WORKER_PORT}`, secrets.ADMIN_TOKEN);
  try {
    await startWorker();
    // The operator's steps, in the order docs/operators.md gives them.
    const line = await admin('POST', '/v1/admin/lines', {
      slug: 'demo',
      name: 'Deployment test',
      sip_targets: [TARGET],
      default_country: 'US',
      acl: [{ cidr: '127.0.0.1/32' }],
    });
    result.lineCreated = line.status;

    const token = randomBytes(24).toString('base64');
    const env = box.run(['cat', '/etc/sipbridge/agent.env']).stdout;
    const edited = env
      .replace(/^WORKER_URL=.*$/m, `WORKER_URL=http://127.0.0.1:${WORKER_PORT}`)
      .replace(/^EDGE_SECRET=.*$/m, `EDGE_SECRET=${secrets.EDGE_SECRET}`)
      .replace(/^EDGE_AGENT_TOKEN=.*$/m, `EDGE_AGENT_TOKEN=${token}`);
    // Written in place (as an editor would), so the file keeps the owner and mode the package set.
    writeFileSync(join(rootfs, 'etc/sipbridge/agent.env'), edited);
    writeFileSync(join(rootfs, 'etc/sipbridge/sipbridge.yaml'), EDGE_YAML);
    result.envFile = box.run(['stat', '-c', '%a %U:%G', '/etc/sipbridge/agent.env']).stdout.trim();

    const render = box.sh(
      'set -a; . /etc/sipbridge/agent.env; set +a; ' +
        'sipbridge render --config /etc/sipbridge/sipbridge.yaml --out /etc/kamailio/sipbridge',
    );
    result.render = { code: render.code, out: `${render.stdout}${render.stderr}`.slice(-2000) };
    result.renderedFiles = box
      .run([
        'stat',
        '-c',
        '%n %a %U:%G',
        ...['kamailio.cfg', 'kamailio-local.cfg', 'address.list'].map(
          (f) => `/etc/kamailio/sipbridge/${f}`,
        ),
      ])
      .stdout.trim()
      .split('\n');

    const enable = box.run(['systemctl', 'enable', '--now', 'sipbridge-agent', 'kamailio'], {
      timeoutMs: 60_000,
    });
    result.enable = { code: enable.code, out: `${enable.stdout}${enable.stderr}`.slice(-2000) };
    result.active = await waitActive(['sipbridge-agent', 'kamailio']);
    result.systemState = box.run(['systemctl', 'is-system-running']).stdout.trim();
    result.failedUnits = box.run(['systemctl', '--failed', '--no-legend', '--plain']).stdout.trim();

    const check = box.sh(
      'set -a; . /etc/sipbridge/agent.env; set +a; sipbridge check --config /etc/sipbridge/sipbridge.yaml',
      { timeoutMs: 60_000 },
    );
    result.check = { code: check.code, out: `${check.stdout}${check.stderr}`.slice(-2000) };
    result.status = await waitStatus();

    // A call from the line's allowed address reaches Zendesk (sipp); a stranger gets 403.
    const uas = sipps.uas(0, 'uas-answer');
    const call = await sipps.uac('uac-call');
    const served = await uas.done;
    const allowedId = callIdOf(call);
    result.allowedCall = {
      caller: finalResponse(call),
      targetGotInvite: received(served, /^INVITE /) !== undefined,
      callId: allowedId,
    };
    const denied = await sipps.uac('uac-call', {}, '127.0.0.2');
    // The hand test of docs/operators.md, with the scenario the package ships.
    const uasHand = sipps.uas(0, 'uas-answer');
    const hand = spawnSync(
      SIPP,
      ['-sf', join(rootfs, 'usr/share/doc/sipbridge-edge/examples/sipp-call.xml'), '-s', 'zendesk',
        `127.0.0.1:${EDGE_PORT}`, '-m', '1', '-i', '127.0.0.1', '-p', '5095', '-mp', '16000',
        '-nostdin', '-timeout', '20s', '-timeout_error'],
      { encoding: 'utf8', timeout: 30_000 },
    ); // prettier-ignore
    const handServed = await uasHand.done;
    result.handCall = {
      code: hand.status,
      targetGotBye: received(handServed, /^BYE /) !== undefined,
      out: `${hand.stdout}${hand.stderr}`.slice(-600),
    };
    result.deniedCall = finalResponse(denied);
    result.allowedRecord = await waitRecord(admin, allowedId);

    // Events survive an agent restart: with the Worker away, a call's events wait in the agent's
    // spool; the agent restarts; the Worker comes back; the call's record completes.
    await worker?.stop();
    const uas2 = sipps.uas(0, 'uas-answer');
    const spooledCall = await sipps.uac('uac-call');
    await uas2.done;
    const spooledId = callIdOf(spooledCall);
    result.spooledCaller = finalResponse(spooledCall);
    result.spoolBeforeRestart = await agentHealth();
    const restart = box.run(['systemctl', 'restart', 'sipbridge-agent'], { timeoutMs: 60_000 });
    result.restart = restart.code;
    await startWorker();
    result.spooledRecord = await waitRecord(admin, spooledId);

    result.journal = {
      agent: journal('sipbridge-agent').split('\n').length,
      kamailio: journal('kamailio').split('\n').length,
    };

    // An upgrade keeps the operator's config and the spool, and restarts the agent.
    copyFileSync(upgradeDeb, join(rootfs, 'var/tmp/upgrade.deb'));
    const envBefore = box.run(['cat', '/etc/sipbridge/agent.env']).stdout;
    const up = box.run(['apt-get', 'install', '-y', '-q', '/var/tmp/upgrade.deb'], {
      timeoutMs: 120_000,
    });
    result.upgrade = {
      code: up.code,
      out: `${up.stdout}${up.stderr}`.slice(-1500),
      version: box.run(['dpkg-query', '-W', '-f=${Version}', 'sipbridge-edge']).stdout,
      envKept: box.run(['cat', '/etc/sipbridge/agent.env']).stdout === envBefore,
      spoolKept: box.run(['test', '-d', '/var/lib/sipbridge/spool']).code === 0,
      active: await waitActive(['sipbridge-agent', 'kamailio']),
    };

    // Purge leaves nothing of the package behind.
    const files = box
      .run(['dpkg-query', '-L', 'sipbridge-edge'])
      .stdout.split('\n')
      .filter((f) => f.includes('sipbridge'));
    const purge = box.run(['apt-get', 'purge', '-y', '-q', 'sipbridge-edge'], {
      timeoutMs: 120_000,
    });
    const left = [
      ...files,
      '/var/lib/sipbridge',
      '/etc/kamailio/sipbridge',
      '/etc/sipbridge',
    ].filter((f) => box.run(['test', '-e', f]).code === 0);
    result.purge = {
      code: purge.code,
      left,
      user: box.run(['getent', 'passwd', 'sipbridge']).code === 0,
      group: box.run(['getent', 'group', 'sipbridge']).code === 0,
      agentUnit: box.run(['systemctl', 'cat', 'sipbridge-agent']).code === 0,
    };
  } catch (error) {
    result.error = (error as Error).stack;
  } finally {
    result.agentLog = journal('sipbridge-agent', 40);
    result.kamailioLog = journal('kamailio', 40);
    await sipps.stop();
    await worker?.stop().catch(() => undefined);
    await standin.close();
    rmSync(persistTo, { recursive: true, force: true });
  }
  console.log(`RESULT ${JSON.stringify(result)}`);
}

/** A unit's journal as `journalctl -o cat` prints it, its last `lines` only if given. */
function journal(unit: string, lines?: number): string {
  const last = lines === undefined ? [] : ['-n', String(lines)];
  return box.run(['journalctl', '-u', unit, '--no-pager', '-o', 'cat', ...last]).stdout;
}

/** Reads `read()` every `everyMs` until `done` says so or 30 s pass; returns the last reading. */
async function pollUntil<T>(
  read: () => Promise<T> | T,
  done: (value: T) => boolean,
  everyMs = 300,
) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Each unit's state once all are active (or after 30 s). */
function waitActive(units: string[]): Promise<Record<string, string>> {
  return pollUntil(
    () =>
      Object.fromEntries(
        units.map((u) => [u, box.run(['systemctl', 'is-active', u]).stdout.trim()]),
      ),
    (states) => Object.values(states).every((s) => s === 'active'),
  );
}

/** `sipbridge status --json` once it says ok (the agent's first ACL sync done), or after 30 s. */
function waitStatus(): Promise<Json> {
  return pollUntil(
    (): Json => {
      const res = box.run(['sipbridge', 'status', '--json']);
      let parsed: Json = { raw: `${res.stdout}${res.stderr}`.slice(-1500) };
      try {
        parsed = JSON.parse(res.stdout) as Json;
      } catch {
        // not JSON: keep the raw text
      }
      return { code: res.code, ...parsed };
    },
    (status) => status.status === 'ok' && status.code === 0,
    500,
  );
}

async function agentHealth(): Promise<Json> {
  const res = await fetch('http://127.0.0.1:8090/health', { signal: AbortSignal.timeout(2000) });
  return (await res.json()) as Json;
}

/** The call's record once completed (or as it is after 30 s). */
async function waitRecord(
  admin: ReturnType<typeof workerAdmin>,
  callId: string,
): Promise<Partial<CallRecord> & { found: boolean }> {
  const record = await pollUntil(
    async () => {
      const res = await admin<{ calls: CallRecord[] }>(
        'GET',
        '/v1/reports/calls/export?start_time=0',
      ).catch(() => undefined);
      return res?.body?.calls?.find((c) => c.call_id === callId);
    },
    (found) => found?.status === 'completed',
  );
  return { found: Boolean(record), ...record };
}

main().catch((error: unknown) => {
  console.log(`RESULT ${JSON.stringify({ error: (error as Error).stack })}`);
  process.exitCode = 1;
});
