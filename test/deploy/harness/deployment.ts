// The deployment test, once per Debian release: the edge package built by `npm run edge:package`,
// installed with apt in a fresh root filesystem of that release, booted under real systemd, and
// used as an operator would (netns/deployment.run.ts). Outside CI, a machine that cannot boot
// containers says why and skips; under CI that is a failure.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeb } from '@sip-bridge/edge/debian/build';
import { inCi } from '../../../scripts/lib/ci.mjs';
import { bootContainer, nspawnProblem, type Container } from './container';
import { copyRootfs, type Suite } from './rootfs';

const ROOT = new URL('../../..', import.meta.url).pathname;
const RUNNER = new URL('../netns/deployment.run.ts', import.meta.url).pathname;

type Json = Record<string, unknown>;

/** Runs the operator's script in the container's network namespace; resolves with its RESULT. */
function runOperator(
  container: Container,
  env: Record<string, string>,
): Promise<{ result: Json; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      container.netPrefix()[0]!,
      [...container.netPrefix().slice(1), join(ROOT, 'node_modules/.bin/tsx'), RUNNER],
      {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 300_000);
    child.on('close', () => {
      clearTimeout(timer);
      const line = output.split('\n').find((l) => l.startsWith('RESULT '));
      resolve({
        result: line ? (JSON.parse(line.slice(7)) as Json) : { error: 'no result' },
        output,
      });
    });
  });
}

export function describeDeployment(suite: Suite, release: string): void {
  const problem = nspawnProblem();
  if (problem && inCi()) throw new Error(`deployment test on ${release}: ${problem}`);
  if (problem) console.warn(`! skipping the ${release} deployment test: ${problem}`);

  describe.skipIf(Boolean(problem))(`the edge package on ${release}, booted under systemd`, () => {
    let work = '';
    let container: Container | undefined;
    let install: { code: number | null; out: string } = { code: null, out: '' };
    let r: Json = {};
    let output = '';
    const why = () =>
      JSON.stringify({ ...r, install }, null, 1).slice(0, 12_000) + output.slice(-3000);

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), `sipbridge-deploy-${suite}-`));
      const deb = await buildDeb({ outDir: join(work, 'dist') });
      // The upgrade: the same tree under a later version.
      const upgrade = await buildDeb({ outDir: join(work, 'dist'), version: '0.1.0+upgrade1' });
      const root = copyRootfs(suite, join(work, 'root'), (l) => console.log(`[${release}] ${l}`));
      copyFileSync(deb, join(root, 'var/tmp/sipbridge-edge.deb'));
      // apt installs the package offline: its dependencies are in the tree already.
      const res = spawnSync(
        'systemd-nspawn',
        ['--quiet', '--directory', root, '--machine', `sipbridge-${suite}-install`, '--register=no', '--keep-unit', '--private-network', '--',
          'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-q', '/var/tmp/sipbridge-edge.deb'],
        { encoding: 'utf8', timeout: 180_000 },
      ); // prettier-ignore
      install = { code: res.status, out: `${res.stdout}${res.stderr}`.slice(-3000) };
      if (res.status !== 0) return;
      container = await bootContainer(root, `sipbridge-${suite}`);
      ({ result: r, output } = await runOperator(container, {
        CONTAINER_PID: String(container.pid),
        CONTAINER_ROOT: root,
        UPGRADE_DEB: upgrade,
      }));
    }, 900_000);

    afterAll(async () => {
      await container?.stop();
      if (work) rmSync(work, { recursive: true, force: true });
    }, 60_000);

    it('installs with apt, offline, and the operator steps run without an error', () => {
      expect(install.code, why()).toBe(0);
      expect(r.error, why()).toBeUndefined();
      expect(r.lineCreated, why()).toBe(201);
    });

    it('keeps the agent env file private: 0640 root:sipbridge', () => {
      expect(r.envFile, why()).toBe('640 root:sipbridge');
    });

    it('renders as root into files Kamailio can read (group kamailio), the secret one 0640', () => {
      expect((r.render as Json)?.code, why()).toBe(0);
      expect(r.renderedFiles, why()).toEqual([
        '/etc/kamailio/sipbridge/kamailio.cfg 644 root:kamailio',
        '/etc/kamailio/sipbridge/kamailio-local.cfg 640 root:kamailio',
        '/etc/kamailio/sipbridge/address.list 644 root:kamailio',
      ]);
    });

    it('starts both units; systemd says running with no failed unit', () => {
      expect(r.active, why()).toEqual({ 'sipbridge-agent': 'active', kamailio: 'active' });
      expect(r.systemState, why()).toBe('running');
      expect(r.failedUnits, why()).toBe('');
    });

    it('sipbridge check and sipbridge status are clean', () => {
      expect((r.check as Json)?.code, why()).toBe(0);
      const status = r.status as Json;
      expect(status?.code, why()).toBe(0);
      expect(status?.status, why()).toBe('ok');
    });

    it('relays a call from the allowed address to Zendesk, refuses a stranger with 403', () => {
      const call = r.allowedCall as Json;
      expect(call?.caller, why()).toMatch(/^SIP\/2.0 200/);
      expect(call?.targetGotInvite, why()).toBe(true);
      expect(r.deniedCall, why()).toMatch(/^SIP\/2.0 403/);
      expect((r.allowedRecord as Json)?.status, why()).toBe('completed');
    });

    it("places the docs' hand-test call with the scenario the package ships (BYE through the proxy)", () => {
      const hand = r.handCall as Json;
      expect(hand?.code, why()).toBe(0);
      expect(hand?.targetGotBye, why()).toBe(true);
    });

    it('keeps events through an agent restart while the Worker is away', () => {
      expect(r.spooledCaller, why()).toMatch(/^SIP\/2.0 200/);
      expect(r.restart, why()).toBe(0);
      expect((r.spooledRecord as Json)?.status, why()).toBe('completed');
    });

    it("writes both units' logs to the journal", () => {
      const journal = r.journal as Json;
      expect(journal?.agent, why()).toBeGreaterThan(3);
      expect(journal?.kamailio, why()).toBeGreaterThan(3);
    });

    it('upgrades in place, keeping config and spool, the agent running again', () => {
      const up = r.upgrade as Json;
      expect(up?.code, why()).toBe(0);
      expect(up?.version, why()).toBe('0.1.0+upgrade1');
      expect(up?.envKept, why()).toBe(true);
      expect(up?.spoolKept, why()).toBe(true);
      expect(up?.active, why()).toEqual({ 'sipbridge-agent': 'active', kamailio: 'active' });
    });

    it('apt purge leaves nothing behind: no file, directory, user, group or unit', () => {
      const purge = r.purge as Json;
      expect(purge?.code, why()).toBe(0);
      expect(purge?.left, why()).toEqual([]);
      expect(purge?.user, why()).toBe(false);
      expect(purge?.group, why()).toBe(false);
      expect(purge?.agentUnit, why()).toBe(false);
    });
  });
}
