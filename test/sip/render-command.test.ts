import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, TEMPLATE_PATH } from '@sip-bridge/edge/renderer/command';
import { writeFilesAtomic } from '@sip-bridge/edge/renderer/write-atomic';
import { kamailioAvailable, tlsModuleAvailable } from './harness/tools';

const EXAMPLE = new URL('../../kamailio/templates/sipbridge.example.yaml', import.meta.url)
  .pathname;
const env = { ...process.env, EDGE_AGENT_TOKEN: 'test-token-0123456789' };
const work = mkdtempSync(join(tmpdir(), 'sipbridge-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// What kamailio -c needs (test/sip/harness/tools.ts): under CI a missing one fails this file.
const noKamailio = !kamailioAvailable();
const noTls = noKamailio || !tlsModuleAvailable();

describe('render CLI', () => {
  it('exits 2 on usage errors', async () => {
    expect((await runCli([], env)).code).toBe(2);
    expect((await runCli(['--config', EXAMPLE, '--bogus'], env)).code).toBe(2);
    expect(
      (await runCli(['--config', join(work, 'nope.yaml'), '--out', work], env)).stderr[0],
    ).toMatch(/no such file/);
  });

  it('writes nothing at all when the config is invalid', async () => {
    const bad = join(work, 'bad.yaml');
    const example = readFileSync(EXAMPLE, 'utf8');
    writeFileSync(bad, example.replace('- 127.0.0.1/32', '- 127.0.0.1/8'));
    const lines = example.split('\n');
    const row = lines.findIndex((l) => l.includes('- 127.0.0.1/32')) + 1;
    const column = lines[row - 1]!.indexOf('127') + 1;
    const out = join(work, 'never');
    const result = await runCli(['--config', bad, '--out', out], env);
    expect(result.code).toBe(1);
    expect(result.stderr[0]).toBe(
      `bad.yaml:${row}:${column}: lines[0].acl[0]: "127.0.0.1/8": host bits are set; the network is 127.0.0.0/8`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('leaves an existing render untouched when the new config is invalid', async () => {
    const out = join(work, 'kept');
    mkdirSync(out);
    writeFileSync(join(out, 'address.list'), 'old\n');
    const result = await runCli(['--config', EXAMPLE, '--out', out], { EDGE_AGENT_TOKEN: '' });
    expect(result.code).toBe(1);
    expect(result.stderr[0]).toMatch(
      /agent\.token_env: environment variable EDGE_AGENT_TOKEN is not set/,
    );
    expect(readdirSync(out)).toEqual(['address.list']);
    expect(readFileSync(join(out, 'address.list'), 'utf8')).toBe('old\n');
  });

  it.skipIf(noKamailio)(
    'renders the demo config, kamailio -c accepts it, ids stay stable',
    async () => {
      const out = join(work, 'demo');
      const first = await runCli(['--config', EXAMPLE, '--out', out], env);
      expect(first.code, first.stderr.join('\n')).toBe(0);
      expect(first.stdout.join('\n')).toMatch(
        /kamailio -c: config file ok \(.*; Kamailio \d+\.\d+\.\d+\)/,
      );
      expect(readdirSync(out).sort()).toEqual([
        'address.list',
        'blocked',
        'callerauth',
        'dispatcher.list',
        'kamailio-events.cfg',
        'kamailio-lines.cfg',
        'kamailio-local.cfg',
        'kamailio.cfg',
        'line-ids.json',
        'linemedia',
      ]);
      expect(statSync(join(out, 'kamailio-local.cfg')).mode & 0o777).toBe(0o640);
      expect(readFileSync(join(out, 'kamailio.cfg'), 'utf8')).toBe(
        readFileSync(TEMPLATE_PATH, 'utf8'),
      );
      expect(readFileSync(join(out, 'address.list'), 'utf8')).toMatch(
        /^1 127\.0\.0\.1 32 0 demo$/m,
      );

      expect(statSync(join(out, 'callerauth')).mode & 0o777).toBe(0o640);
      // The agent's caller auth table survives a new render (an empty one would admit callers
      // without the line's credentials until the next sync).
      const synced = `${readFileSync(join(out, 'callerauth'), 'utf8')}demo/prefix:0:0:1234\n`;
      writeFileSync(join(out, 'callerauth'), synced);
      // The agent made demo secure: a new render of the YAML (demo is rtp there) keeps it secure.
      expect(readFileSync(join(out, 'linemedia'), 'utf8')).toMatch(/^demo:0:0:rtp$/m);
      writeFileSync(
        join(out, 'linemedia'),
        readFileSync(join(out, 'linemedia'), 'utf8').replace('demo:0:0:rtp', 'demo:0:0:secure'),
      );

      // A second line rendered later gets the next id; demo keeps 1.
      const two = join(work, 'two.yaml');
      writeFileSync(
        two,
        `${readFileSync(EXAMPLE, 'utf8')}  - slug: aaa-first\n    targets: [sip:zendesk@127.0.0.1:5071]\n    acl: [127.0.0.2]\n`,
      );
      const second = await runCli(['--config', two, '--out', out], env);
      expect(second.code, second.stderr.join('\n')).toBe(0);
      expect(JSON.parse(readFileSync(join(out, 'line-ids.json'), 'utf8')).ids).toEqual({
        demo: 1,
        'aaa-first': 2,
      });
      expect(readFileSync(join(out, 'callerauth'), 'utf8')).toBe(synced);
      const media = readFileSync(join(out, 'linemedia'), 'utf8');
      expect(media).toMatch(/^demo:0:0:secure$/m);
      expect(media).toMatch(/^aaa-first:0:0:rtp$/m);
    },
  );

  it.skipIf(noKamailio)('--check validates with kamailio -c and writes nothing', async () => {
    const out = join(work, 'checked');
    const result = await runCli(['--config', EXAMPLE, '--out', out, '--check'], env);
    expect(result.code, result.stderr.join('\n')).toBe(0);
    expect(existsSync(out)).toBe(false);
  });

  it.skipIf(noTls)('renders a TLS listener that kamailio -c accepts', async () => {
    const cert = join(work, 'edge.crt');
    const key = join(work, 'edge.key');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', cert]); // prettier-ignore
    expect(made.status, made.stderr?.toString()).toBe(0);
    const tls = join(work, 'tls.yaml');
    const text = readFileSync(EXAMPLE, 'utf8')
      .replace(
        /^# tls:\n# {3}certificate: .*\n# {3}private_key: .*$/m,
        `tls:\n  certificate: ${cert}\n  private_key: ${key}`,
      )
      .replace('listen:\n', 'listen:\n  - { transport: tls, address: 127.0.0.1, port: 5061 }\n');
    expect(text).toContain('tls:\n  certificate: ');
    expect(text).toContain('transport: tls');
    writeFileSync(tls, text);
    const result = await runCli(['--config', tls, '--check'], env);
    expect(result.code, result.stderr.join('\n')).toBe(0);
  });

  it('reports when the kamailio binary cannot run, naming the packages', async () => {
    const result = await runCli(
      ['--config', EXAMPLE, '--check', '--kamailio', join(work, 'no-kamailio')],
      env,
    );
    expect(result.code).toBe(1);
    expect(result.stderr[0]).toMatch(/cannot run .*no-kamailio[\s\S]*apt-get install kamailio/);
  });
});

describe('writeFilesAtomic', () => {
  it('replaces files whole and leaves no temporary file behind', async () => {
    const dir = join(work, 'atomic');
    await writeFilesAtomic(dir, [{ name: 'a.txt', content: 'one\n', mode: 0o640 }]);
    await writeFilesAtomic(dir, [{ name: 'a.txt', content: 'two\n', mode: 0o644 }]);
    expect(readdirSync(dir)).toEqual(['a.txt']);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('two\n');
    expect(statSync(join(dir, 'a.txt')).mode & 0o777).toBe(0o644);
  });

  it('keeps the old set when a later file cannot be staged', async () => {
    const dir = join(work, 'atomic-fail');
    await writeFilesAtomic(dir, [{ name: 'a.txt', content: 'old\n', mode: 0o644 }]);
    await expect(
      writeFilesAtomic(dir, [
        { name: 'a.txt', content: 'new\n', mode: 0o644 },
        { name: 'missing-dir/b.txt', content: 'x', mode: 0o644 },
      ]),
    ).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['a.txt']);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('old\n');
  });
});
