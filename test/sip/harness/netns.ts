import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../..', import.meta.url).pathname;

/**
 * Runs a tsx script in a fresh network and mount namespace that has only loopback, with
 * /etc/resolv.conf pointing at 127.0.0.1 (a fake DNS server the script may start): crafted SIP
 * that names outside hosts reaches nothing. The script prints one `RESULT <json>` line.
 * @example const { result, output } = await runInNamespace(new URL('./netns/x.run.ts', import.meta.url).pathname);
 */
export async function runInNamespace(
  runner: string,
  timeoutMs = 90_000,
): Promise<{ code: number | null; output: string; result: Record<string, unknown> }> {
  const dir = mkdtempSync(join(tmpdir(), 'sipbridge-netns-'));
  const resolv = join(dir, 'resolv.conf');
  writeFileSync(resolv, 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
  const script = [
    'set -e',
    'ip link set lo up',
    // Only this namespace sees the fake resolver; the host's /etc/resolv.conf is untouched.
    `mount --bind ${resolv} /etc/resolv.conf`,
    `exec ${join(ROOT, 'node_modules/.bin/tsx')} ${runner}`,
  ].join('\n');
  // As root: new network + mount namespaces; otherwise map ourselves to root in a user namespace.
  const unshare = process.getuid?.() === 0 ? ['-n', '-m'] : ['-r', '-n', '-m'];
  const run = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn('unshare', [...unshare, '--', 'sh', '-c', script], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, output });
    });
  });
  const line = run.output.split('\n').find((l) => l.startsWith('RESULT '));
  const result = line
    ? (JSON.parse(line.slice('RESULT '.length)) as Record<string, unknown>)
    : { error: 'no result' };
  return { ...run, result };
}
