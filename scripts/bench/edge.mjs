// Kamailio for bench:sip: render the edge config with the real renderer, run Kamailio in the
// foreground (as test/sip/harness/edge.ts does), count log lines, and read its memory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { retry } from '@sip-bridge/edge/agent/retry';
import { runCli } from '@sip-bridge/edge/renderer/command';
import { createKamailioRpc } from 'kamailio-jsonrpc';
import { startProcess } from '../lib/processes.mjs';
import { groupMemory } from './procfs.mjs';

const KAMAILIO = process.env.KAMAILIO_BIN ?? '/usr/sbin/kamailio';

/** Renders `config` (the sipbridge.yaml fields) into `dir`/etc; the token comes from the env. */
export async function renderEdge(dir, config, token) {
  const file = join(dir, 'sipbridge.yaml');
  writeFileSync(file, JSON.stringify(config, null, 2)); // JSON is YAML
  const out = join(dir, 'etc');
  const env = { ...process.env, [config.agent.token_env]: token };
  const res = await runCli(['--config', file, '--out', out, '--kamailio', KAMAILIO], env);
  if (res.code !== 0)
    throw new Error(`rendering the Kamailio config failed:\n${res.stderr.join('\n')}`);
  return join(out, 'kamailio.cfg');
}

/**
 * Starts Kamailio (-DD -E: foreground, log on stderr, its own process group) and resolves once its
 * JSON-RPC answers. `patterns` name regular expressions whose log lines are counted in `counts`;
 * `rpc` is the kamailio-jsonrpc client.
 */
export async function startKamailio({ dir, cfg, rpcPort, sharedMemoryMb, patterns = {} }) {
  const run = join(dir, 'run');
  mkdirSync(run, { recursive: true });
  const pidFile = join(run, 'kamailio.pid');
  const memory = ['-m', String(sharedMemoryMb), '-M', '16'];
  const args = ['-f', cfg, '-DD', '-E', '-Y', run, '-P', pidFile, ...memory];
  const child = startProcess('kamailio', KAMAILIO, args, { quiet: true });
  const counts = Object.fromEntries(Object.keys(patterns).map((k) => [k, 0]));
  createInterface({ input: child.stderr }).on('line', (line) => {
    for (const [name, re] of Object.entries(patterns)) if (re.test(line)) counts[name]++;
  });
  const rpc = createKamailioRpc({ url: `http://127.0.0.1:${rpcPort}/RPC` });
  await retry(() => rpc.coreVersion(), { delay: 200, withinMs: 15_000 }).catch((error) => {
    throw new Error(`Kamailio did not answer JSON-RPC within 15 s (${error.message})`, {
      cause: error,
    });
  });
  return { pid: child.pid, rpc, counts };
}

/** Kamailio's memory: shared memory from core.shmmem (bytes → MB) and the processes from /proc. */
export async function edgeMemory(edge) {
  const shm = await edge.rpc.coreShmem();
  const mb = (bytes) => round(Number(bytes) / 2 ** 20);
  return {
    shm: { totalMb: mb(shm.total), usedMb: mb(shm.real_used), maxUsedMb: mb(shm.max_used) },
    ...groupMemory(edge.pid),
  };
}

const round = (n) => Math.round(n * 10) / 10;
