// npm run worker:secrets: strong, distinct secrets stored in one `wrangler secret bulk` call from a
// private file that does not outlive it, printed once; rotation keeps the old value as _PREVIOUS.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'worker-secrets-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A wrangler that keeps what `secret bulk` was given: the file's mode and content, its args. */
function stubWrangler(exitCode = 0) {
  const dir = mkdtempSync(join(work, 'stub-'));
  const bin = join(dir, 'wrangler');
  writeFileSync(
    bin,
    [
      '#!/bin/sh',
      `echo "$@" > ${dir}/args`,
      `stat -c %a "$3" > ${dir}/mode`,
      `cat "$3" > ${dir}/secrets.json`,
      `echo "$3" > ${dir}/path`,
      `exit ${exitCode}`,
    ].join('\n'),
    { mode: 0o755 },
  );
  const read = (f: string) =>
    existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8').trim() : undefined;
  return {
    bin,
    args: () => read('args'),
    mode: () => read('mode'),
    path: () => read('path'),
    secrets: () => JSON.parse(read('secrets.json') ?? 'null') as Record<string, string> | null,
  };
}

function secrets(args: string[], env: Record<string, string>) {
  const res = spawnSync('node', ['scripts/worker-secrets.mjs', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ZENDESK_API_TOKEN: '', EDGE_SECRET: '', ...env },
    timeout: 30_000,
  });
  return { code: res.status, stdout: res.stdout, out: `${res.stdout}${res.stderr}` };
}

describe('npm run worker:secrets', { timeout: 60_000 }, () => {
  it('stores the Zendesk token and three fresh 256-bit secrets in one bulk call, then prints them once', () => {
    const wrangler = stubWrangler();
    const res = secrets(['--name', 'sip-bridge-acme'], {
      SIPBRIDGE_WRANGLER: wrangler.bin,
      ZENDESK_API_TOKEN: 'zd-token-123',
    });
    expect(res.code, res.out).toBe(0);
    expect(wrangler.args()).toMatch(/^secret bulk \S+ --name sip-bridge-acme$/);
    expect(wrangler.mode()).toBe('600');
    expect(existsSync(wrangler.path()!)).toBe(false);
    const stored = wrangler.secrets()!;
    expect(Object.keys(stored).sort()).toEqual([
      'ADMIN_TOKEN',
      'APP_JWT_SECRET',
      'EDGE_SECRET',
      'ZENDESK_API_TOKEN',
    ]);
    expect(stored.ZENDESK_API_TOKEN).toBe('zd-token-123');
    const generated = [stored.EDGE_SECRET!, stored.APP_JWT_SECRET!, stored.ADMIN_TOKEN!];
    for (const value of generated) expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(generated).size).toBe(3);
    expect(res.stdout).toContain(`EDGE_SECRET=${stored.EDGE_SECRET}`);
    expect(res.stdout).toContain(`Shared secret:  ${stored.APP_JWT_SECRET}`);
    expect(res.stdout).toContain(`ADMIN_TOKEN=${stored.ADMIN_TOKEN}`);
    // The Zendesk token came from the operator: it is never printed back.
    expect(res.out).not.toContain('zd-token-123');
    // A second run makes new values.
    const again = stubWrangler();
    secrets([], { SIPBRIDGE_WRANGLER: again.bin, ZENDESK_API_TOKEN: 'zd-token-123' });
    expect(again.secrets()!.EDGE_SECRET).not.toBe(stored.EDGE_SECRET);
  });

  it('--rotate keeps the current value as _PREVIOUS and sets a new one', () => {
    const wrangler = stubWrangler();
    const current = 'the-current-edge-secret-value';
    const res = secrets(['--rotate', 'EDGE_SECRET'], {
      SIPBRIDGE_WRANGLER: wrangler.bin,
      EDGE_SECRET: current,
    });
    expect(res.code, res.out).toBe(0);
    const stored = wrangler.secrets()!;
    expect(Object.keys(stored).sort()).toEqual(['EDGE_SECRET', 'EDGE_SECRET_PREVIOUS']);
    expect(stored.EDGE_SECRET_PREVIOUS).toBe(current);
    expect(stored.EDGE_SECRET).not.toBe(current);
    expect(res.stdout).toContain('wrangler secret delete EDGE_SECRET_PREVIOUS');
  });

  it('refuses without the Zendesk token, or a rotation without the current value, calling nothing', () => {
    const wrangler = stubWrangler();
    const env = { SIPBRIDGE_WRANGLER: wrangler.bin };
    expect(secrets([], env)).toMatchObject({ code: 2 });
    expect(secrets(['--rotate', 'EDGE_SECRET'], env)).toMatchObject({ code: 2 });
    expect(
      secrets(['--rotate', 'ZENDESK_EMAIL'], { ...env, ZENDESK_EMAIL: 'x'.repeat(20) }),
    ).toMatchObject({ code: 2 });
    expect(wrangler.args()).toBeUndefined();
  });

  it('prints no secret when wrangler fails, and leaves no file behind', () => {
    const wrangler = stubWrangler(1);
    const res = secrets([], {
      SIPBRIDGE_WRANGLER: wrangler.bin,
      ZENDESK_API_TOKEN: 'zd-token-123',
    });
    expect(res.code).toBe(1);
    const stored = wrangler.secrets()!;
    expect(res.out).not.toContain(stored.EDGE_SECRET);
    expect(existsSync(wrangler.path()!)).toBe(false);
  });
});
