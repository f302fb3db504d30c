// Kamailio for bench:sip: render the edge config with the real renderer, run Kamailio in the
// foreground (as test/sip/harness/edge.ts does), count log lines, and read its memory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { runCli } from '@sip-bridge/edge/renderer/command';
import { startProcess } from '../lib/processes.mjs';
import { groupMemory } from './procfs.mjs';

export const KAMAILIO = process.env.KAMAILIO_BIN ?? '/usr/sbin/kamailio';

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
 * JSON-RPC answers. `patterns` name regular expressions whose log lines are counted in `counts`.
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
  const rpc = async (method, params = []) => {
    const res = await fetch(`http://127.0.0.1:${rpcPort}/RPC`, {
      method: 'POST',
      body: JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }),
      signal: AbortSignal.timeout(3000),
    });
    const body = await res.json();
    if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
    return body.result;
  };
  const until = Date.now() + 15_000;
  for (;;) {
    try {
      if ((await rpc('core.version')) !== undefined) break;
    } catch {
      if (Date.now() > until) throw new Error('Kamailio did not answer JSON-RPC within 15 s');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { pid: child.pid, rpc, counts };
}

/** Kamailio's memory: shared memory from core.shmmem (bytes → MB) and the processes from /proc. */
export async function edgeMemory(edge) {
  const shm = await edge.rpc('core.shmmem');
  const mb = (bytes) => round(Number(bytes) / 2 ** 20);
  return {
    shm: { totalMb: mb(shm.total), usedMb: mb(shm.real_used), maxUsedMb: mb(shm.max_used) },
    ...groupMemory(edge.pid),
  };
}

const round = (n) => Math.round(n * 10) / 10;
