import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSipbridge, USAGE } from './main';

const env = {};
const EXAMPLE = new URL('../templates/sipbridge.example.yaml', import.meta.url).pathname;

describe('sipbridge command line', () => {
  it('--help prints every command and the exit codes, and exits 0', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const result = await runSipbridge(argv, env);
      expect(result.code).toBe(0);
      expect(result.stdout).toEqual([USAGE]);
    }
    for (const word of ['status', 'calls', 'hangup <call-id>', 'sync', 'render', 'check']) {
      expect(USAGE).toContain(`  ${word}`);
    }
    expect(USAGE).toMatch(
      /exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 [\s\S]*\n {2}3 .*\n {2}4 +no such call/,
    );
  });

  it('without a command prints the usage on stderr and exits 2', async () => {
    const result = await runSipbridge([], env);
    expect(result).toEqual({ code: 2, stdout: [], stderr: [USAGE] });
  });

  it('names an unknown command and lists the real ones (exit 2)', async () => {
    const result = await runSipbridge(['stauts'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toEqual([
      'sipbridge: unknown command stauts; commands: status, calls, hangup, sync, render, check (see: sipbridge --help)',
    ]);
  });

  it('each command has its own --help with its options and the exit codes', async () => {
    for (const [command, option] of [
      ['status', '--sample-ms'],
      ['calls', '--rpc'],
      ['hangup', '<call-id>'],
      ['sync', 'EDGE_AGENT_TOKEN'],
    ]) {
      const result = await runSipbridge([command!, '--help'], env);
      expect(result.code).toBe(0);
      expect(result.stdout[0]).toMatch(new RegExp(`^usage: sipbridge ${command}`));
      expect(result.stdout.join('\n')).toContain(option);
      expect(result.stdout.join('\n')).toContain('exit codes:');
    }
  });

  it('refuses an unknown flag in one line that says where the options are (exit 2)', async () => {
    const result = await runSipbridge(['calls', '--bogus'], env);
    expect(result).toEqual({
      code: 2,
      stdout: [],
      stderr: ["sipbridge: calls: unknown option '--bogus' (see: sipbridge calls --help)"],
    });
  });

  it('refuses flags a command does not use, extra arguments and missing values (exit 2)', async () => {
    const cases: [string[], RegExp][] = [
      [['calls', '--agent', 'http://127.0.0.1:1'], /calls: unknown option '--agent'/],
      [['sync', '--rpc', 'http://127.0.0.1:1/RPC'], /sync: unknown option '--rpc'/],
      [['calls', 'extra'], /calls: unexpected argument 'extra'/],
      [['hangup', 'a', 'b'], /hangup: unexpected argument 'b'/],
      [['hangup'], /hangup: name the call: sipbridge hangup <call-id>/],
      [['status', '--rpc'], /status: option '--rpc <value>' argument missing/],
      [['status', '--sample-ms', 'soon'], /--sample-ms soon: use whole milliseconds/],
      [['status', '--sample-ms', '60001'], /--sample-ms 60001/],
    ];
    for (const [argv, message] of cases) {
      const result = await runSipbridge(argv, env);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr).toHaveLength(1);
      expect(result.stderr[0]).toMatch(message);
    }
  });

  it('never takes the agent token as a flag', async () => {
    const result = await runSipbridge(['sync', '--token', 'secret'], env);
    expect(result.code).toBe(2);
    expect(result.stderr[0]).toMatch(/unknown option '--token'/);
  });

  it('refuses a connection URL that is not http(s), from a flag or the environment (exit 2)', async () => {
    const fromFlag = await runSipbridge(['calls', '--rpc', 'ftp://127.0.0.1/RPC'], env);
    expect(fromFlag.code).toBe(2);
    expect(fromFlag.stderr).toEqual([
      'sipbridge: --rpc ftp://127.0.0.1/RPC: use an http:// or https:// URL',
    ]);
    const fromEnv = await runSipbridge(['sync'], {
      EDGE_AGENT_URL: 'not a url',
      EDGE_AGENT_TOKEN: 't',
    });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toEqual(['sipbridge: EDGE_AGENT_URL "not a url" is not a URL']);
  });

  it('render and check hand over to the renderer and keep its exit codes', async () => {
    const noConfig = await runSipbridge(['check'], env);
    expect(noConfig.code).toBe(2);
    expect(noConfig.stderr[0]).toBe('error: --config is required');
    expect(noConfig.stderr[1]).toMatch(/^usage: sipbridge render --config/);

    const missing = await runSipbridge(
      ['render', '--config', '/nonexistent.yaml', '--out', '/tmp/x'],
      env,
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr[0]).toMatch(/no such file/);

    const bad = join(mkdtempSync(join(tmpdir(), 'sipbridge-cli-main-')), 'bad.yaml');
    writeFileSync(bad, readFileSync(EXAMPLE, 'utf8').replace('- 127.0.0.1/32', '- 127.0.0.1/8'));
    const invalid = await runSipbridge(['check', '--config', bad], {
      EDGE_AGENT_TOKEN: 'x'.repeat(20),
    });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr[0]).toMatch(
      /^bad\.yaml:\d+:\d+: lines\[0\]\.acl\[0\]: .*host bits are set/,
    );
    rmSync(dirname(bad), { recursive: true, force: true });

    const help = await runSipbridge(['render', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout[0]).toMatch(/^usage: sipbridge render --config/);

    const checkHelp = await runSipbridge(['check', '--help'], env);
    expect(checkHelp.code).toBe(0);
    expect(checkHelp.stdout[0]).toMatch(/^usage: sipbridge check --config/);
  });
});
