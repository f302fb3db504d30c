// npm run worker:deploy: the account's values as flags, validated, never a file edit; --dry-run is
// the CI check of the deployable Worker (bundle, bindings, migrations on a fresh local D1).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readWranglerConfig } from '../../scripts/lib/deploy-config.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'worker-deploy-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function deploy(args: string[], env: Record<string, string> = {}) {
  const res = spawnSync('node', ['scripts/worker-deploy.mjs', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    // npm test quiets wrangler (WRANGLER_LOG=warn); its bindings report is what is checked here.
    env: {
      ...process.env,
      ZENDESK_SUBDOMAIN: '',
      ZENDESK_EMAIL: '',
      D1_DATABASE_ID: '',
      WRANGLER_LOG: 'log',
      ...env,
    },
    timeout: 120_000,
  });
  return { code: res.status, out: `${res.stdout}${res.stderr}` };
}

/** A wrangler that records its arguments (the remote steps cannot run here). */
function stubWrangler(exitCode = 0) {
  const log = join(work, `wrangler-${Math.random().toString(36).slice(2)}.log`);
  const bin = `${log}.sh`;
  writeFileSync(bin, `#!/bin/sh\necho "$@" >> ${log}\nexit ${exitCode}\n`, { mode: 0o755 });
  return {
    bin,
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []),
  };
}

describe('npm run worker:deploy', { timeout: 120_000 }, () => {
  it('--dry-run bundles the Worker with exactly the bindings of wrangler.jsonc, the account values in', () => {
    const outdir = join(work, 'bundle');
    const res = deploy([
      '--dry-run',
      '--outdir',
      outdir,
      '--zendesk',
      'acme',
      '--email',
      'bridge@acme.com',
    ]);
    expect(res.code, res.out).toBe(0);
    expect(existsSync(join(outdir, 'index.js'))).toBe(true);
    const bindings = [...res.out.matchAll(/^env\.([A-Z0-9_]+) \(([^)]*)\)/gm)].map((m) => [
      m[1],
      m[2],
    ]);
    const config = readWranglerConfig();
    const expected = [
      ...config.d1_databases.map((db: { binding: string; database_name: string }) => [
        db.binding,
        db.database_name,
      ]),
      ...Object.keys(config.vars).map((k) => [k, expect.any(String)]),
    ];
    expect(bindings).toEqual(expect.arrayContaining(expected));
    expect(bindings).toHaveLength(expected.length);
    expect(Object.fromEntries(bindings)).toMatchObject({
      ZENDESK_BASE_URL: '"https://acme.zendesk.com"',
      ZENDESK_EMAIL: '"bridge@acme.com"',
    });
    // The migrations ran on a fresh local D1 first.
    expect(res.out).toMatch(/wrangler d1 migrations apply DB --local/);
  });

  it.each([
    'http://acme.zendesk.com',
    'https://acme.zendesk.com.attacker.example',
    'https://user@acme.zendesk.com',
    'https://acme.zendesk.com/api/v2',
    'acme.example.com',
    '',
  ])('refuses --zendesk %j with exit 2, naming the flag and not echoing it', (value) => {
    const res = deploy(['--dry-run', '--zendesk', value, '--email', 'bridge@acme.com']);
    expect(res.code).toBe(2);
    expect(res.out).toMatch(/^worker:deploy: --zendesk/m);
    if (value) expect(res.out).not.toContain(value);
  });

  it('refuses a deploy without the D1 database id, and a bad email, before calling wrangler', () => {
    const wrangler = stubWrangler();
    const env = { SIPBRIDGE_WRANGLER: wrangler.bin };
    expect(deploy(['--zendesk', 'acme', '--email', 'bridge@acme.com'], env).out).toMatch(
      /--database-id/,
    );
    expect(
      deploy(
        [
          '--zendesk',
          'acme',
          '--email',
          'nobody',
          '--database-id',
          '4b8d3f2e-1c1a-4e2b-9a55-0c6f0e8a1d21',
        ],
        env,
      ).code,
    ).toBe(2);
    expect(wrangler.calls()).toEqual([]);
  });

  it('applies the remote migrations, then deploys, both with the generated config', () => {
    const wrangler = stubWrangler();
    const id = '4b8d3f2e-1c1a-4e2b-9a55-0c6f0e8a1d21';
    const res = deploy(
      ['--zendesk', 'https://acme.zendesk.com', '--email', 'bridge@acme.com', '--database-id', id],
      {
        SIPBRIDGE_WRANGLER: wrangler.bin,
      },
    );
    expect(res.code, res.out).toBe(0);
    const calls = wrangler.calls();
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatch(
      /^d1 migrations apply DB --remote --config .*worker\/\.deploy\/wrangler\.json$/,
    );
    expect(calls[1]).toMatch(/^deploy --config .*worker\/\.deploy\/wrangler\.json$/);
    const generated = JSON.parse(readFileSync(join(ROOT, 'worker/.deploy/wrangler.json'), 'utf8'));
    expect(generated.d1_databases[0].database_id).toBe(id);
    expect(generated.vars.ZENDESK_BASE_URL).toBe('https://acme.zendesk.com');
  });

  it('sets optional tuning with --var, and refuses any other variable', () => {
    const wrangler = stubWrangler();
    const env = { SIPBRIDGE_WRANGLER: wrangler.bin };
    const base = [
      '--zendesk',
      'acme',
      '--email',
      'bridge@acme.com',
      '--database-id',
      '4b8d3f2e-1c1a-4e2b-9a55-0c6f0e8a1d21',
    ];
    expect(deploy([...base, '--var', 'RETENTION_DAYS=30'], env).code).toBe(0);
    const generated = JSON.parse(readFileSync(join(ROOT, 'worker/.deploy/wrangler.json'), 'utf8'));
    expect(generated.vars.RETENTION_DAYS).toBe('30');
    for (const bad of ['ZENDESK_ALLOW_LOCAL=1', 'ZENDESK_BASE_URL=1', 'RETENTION_DAYS=ninety']) {
      expect(deploy([...base, '--var', bad], env).code).toBe(2);
    }
  });

  it('does not deploy when the migrations fail', () => {
    const wrangler = stubWrangler(1);
    const res = deploy(
      [
        '--zendesk',
        'acme',
        '--email',
        'bridge@acme.com',
        '--database-id',
        '4b8d3f2e-1c1a-4e2b-9a55-0c6f0e8a1d21',
      ],
      { SIPBRIDGE_WRANGLER: wrangler.bin },
    );
    expect(res.code).toBe(1);
    expect(wrangler.calls()).toHaveLength(1);
  });
});
