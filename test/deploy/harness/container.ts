// A Debian container booted with its own systemd (systemd-nspawn --boot) and a private network
// that has only loopback. Commands run in it from the host through nsenter, as an operator's
// shell would; host tools (sipp, the local Worker) can join just its network.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Container {
  /** The container's PID 1 (its systemd) as the host sees it. */
  pid: number;
  /** Runs a command inside the container (all its namespaces, its filesystem). */
  run(command: string[], options?: { timeoutMs?: number; input?: string }): RunResult;
  /** `sh -c script` inside the container. */
  sh(script: string, options?: { timeoutMs?: number }): RunResult;
  /** The nsenter prefix that puts a host command into the container's network only. */
  netPrefix(): string[];
  /** The console output so far (systemd's boot messages). */
  console(): string;
  /** Powers the container off (waits for it), killing it if it will not stop. */
  stop(): Promise<void>;
}

const PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

/** systemd-nspawn and nsenter can run here (root, the binaries present). */
export function nspawnProblem(): string | undefined {
  if (process.getuid?.() !== 0) return 'the deployment tests boot containers and need root';
  for (const tool of ['systemd-nspawn', 'nsenter', 'debootstrap', 'dpkg-deb']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      return `${tool} is missing (apt-get install -y systemd-container debootstrap dpkg-dev util-linux)`;
    }
  }
  return undefined;
}

/**
 * Boots `dir` and resolves once systemd inside has finished starting up (`is-system-running
 * --wait`), whatever the state it reached. On these machines PID 1 is not systemd and there is no
 * system bus, hence --register=no --keep-unit.
 */
export async function bootContainer(
  dir: string,
  name: string,
  timeoutMs = 120_000,
): Promise<Container> {
  const child = spawn(
    'systemd-nspawn',
    [
      '--quiet',
      '--directory',
      dir,
      '--machine',
      name,
      '--boot',
      '--register=no',
      '--keep-unit',
      '--private-network',
      '--console=pipe',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));

  const deadline = Date.now() + timeoutMs;
  let pid: number | undefined;
  while (!pid) {
    if (gone) throw new Error(`systemd-nspawn exited while booting:\n${output.slice(-3000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`no container init after ${timeoutMs} ms:\n${output.slice(-3000)}`);
    }
    pid = containerInit(child.pid!);
    if (!pid) await new Promise((r) => setTimeout(r, 200));
  }
  const container = handle(child, pid, exited, () => output);
  // is-system-running --wait blocks until start-up is over; the bus may not be up at first.
  for (;;) {
    const state = container.run(['systemctl', 'is-system-running', '--wait'], {
      timeoutMs: 60_000,
    });
    if (['running', 'degraded', 'maintenance'].includes(state.stdout.trim())) break;
    if (Date.now() > deadline) {
      await container.stop();
      throw new Error(
        `container did not finish booting: ${state.stdout}${state.stderr}\n${output.slice(-3000)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return container;
}

/** The descendant of `nspawnPid` that is the container's systemd (in another PID namespace). */
function containerInit(nspawnPid: number): number | undefined {
  const hostPidNs = readlinkSync('/proc/self/ns/pid');
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const queue = [...(children.get(nspawnPid) ?? [])];
  while (queue.length) {
    const pid = queue.shift()!;
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (comm === 'systemd' && readlinkSync(`/proc/${pid}/ns/pid`) !== hostPidNs) return pid;
    } catch {
      continue;
    }
    queue.push(...(children.get(pid) ?? []));
  }
  return undefined;
}

/** Commands into the container whose PID 1 is `pid` (from any process on the host). */
export function enterContainer(pid: number): Pick<Container, 'pid' | 'run' | 'sh' | 'netPrefix'> {
  const enter = ['-t', String(pid), '-m', '-u', '-i', '-n', '-p', '--'];
  const run: Container['run'] = (command, options = {}) => {
    const res = spawnSync(
      'nsenter',
      [...enter, 'env', '-i', `PATH=${PATH}`, 'LANG=C.UTF-8', ...command],
      {
        encoding: 'utf8',
        timeout: options.timeoutMs ?? 30_000,
        input: options.input,
      },
    );
    return {
      code: res.status,
      stdout: res.stdout ?? '',
      stderr: res.stderr ?? res.error?.message ?? '',
    };
  };
  return {
    pid,
    run,
    sh: (script, options) => run(['sh', '-c', script], options),
    netPrefix: () => ['nsenter', '-t', String(pid), '-n', '--'],
  };
}

function handle(
  child: ChildProcess,
  pid: number,
  exited: Promise<void>,
  output: () => string,
): Container {
  const box = enterContainer(pid);
  return {
    ...box,
    console: output,
    async stop() {
      if (child.exitCode !== null) return;
      box.run(['systemctl', 'poweroff', '--no-block']);
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
