import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sipToolsAvailable } from './harness/tools';

// Crafted SIP that names outside hosts runs in a namespace with only loopback and a fake DNS
// server (network rule in TOOLCHAIN.md): Kamailio, the fake agent and sipp all start inside it.
const ROOT = new URL('../..', import.meta.url).pathname;
const RUNNER = new URL('./netns/preloaded-route.run.ts', import.meta.url).pathname;

function runInNamespace(): Promise<{ code: number | null; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sipbridge-netns-'));
  const resolv = join(dir, 'resolv.conf');
  writeFileSync(resolv, 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
  const script = [
    'set -e',
    'ip link set lo up',
    // Only this namespace sees the fake resolver; the host's /etc/resolv.conf is untouched.
    `mount --bind ${resolv} /etc/resolv.conf`,
    `exec ${join(ROOT, 'node_modules/.bin/tsx')} ${RUNNER}`,
  ].join('\n');
  // As root: new network + mount namespaces; otherwise map ourselves to root in a user namespace.
  const unshare = process.getuid?.() === 0 ? ['-n', '-m'] : ['-r', '-n', '-m'];
  return new Promise((resolve) => {
    const child = spawn('unshare', [...unshare, '--', 'sh', '-c', script], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 90_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, output });
    });
  });
}

describe.skipIf(!sipToolsAvailable())('edge in a loopback-only namespace', () => {
  let result: any;
  let output = '';

  beforeAll(async () => {
    const run = await runInNamespace();
    output = run.output;
    const line = run.output.split('\n').find((l) => l.startsWith('RESULT '));
    result = line ? JSON.parse(line.slice('RESULT '.length)) : { error: 'no result' };
  }, 100_000);

  it('ran', () => {
    expect(result.error, output.slice(-4000)).toBeUndefined();
  });

  it('never follows a preloaded Route nor a Request-URI host: the line target gets the call', () => {
    expect(result.preloaded.callerCode, output.slice(-4000)).toBe(0);
    expect(result.preloaded.inviteStartLine).toBe('INVITE sip:zendesk@127.0.0.1:25470 SIP/2.0');
    expect(result.preloaded.inviteRoutes).toEqual([]);
  });

  it('refuses an in-dialog request steered to a host name with 403', () => {
    expect(result.steered.callerCode, output.slice(-4000)).toBe(0);
    expect(result.steered.responses).toContain('SIP/2.0 403 Next hop must be an IP address');
    expect(result.steered.uasByes).toBe(1);
  });

  it('resolves no name taken from a message', () => {
    expect(result.dnsDuringCalls).toEqual([]);
  });
});
