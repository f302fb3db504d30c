import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKamailioRpc } from 'kamailio-jsonrpc';
import { retry } from '@sip-bridge/edge/agent/retry';
import { stopGroup } from './edge';
import { KAMAILIO, KEEP } from './tools';

/**
 * The smallest Kamailio with JSON-RPC over HTTP and cfg_rpc (which the edge template does not
 * load), for the cfg.get / cfg.seti / cfg.sets tests. SIP requests are dropped.
 */
export async function startMiniKamailio(rpcPort: number): Promise<{
  url: string;
  stop(): Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'kamailio-jsonrpc-'));
  const cfg = [
    '#!KAMAILIO',
    'debug=1',
    'log_stderror=yes',
    'children=1',
    'tcp_children=1',
    'auto_aliases=no',
    `listen=tcp:127.0.0.1:${rpcPort}`,
    'tcp_accept_no_cl=yes',
    'loadmodule "sl.so"',
    'loadmodule "xhttp.so"',
    'loadmodule "jsonrpcs.so"',
    'loadmodule "cfg_rpc.so"',
    'modparam("jsonrpcs", "transport", 1)',
    'request_route { drop; }',
    'event_route[xhttp:request] { jsonrpc_dispatch(); }',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'kamailio.cfg'), cfg);
  const args = ['-f', join(dir, 'kamailio.cfg'), '-DD', '-E', '-Y', dir, '-P', join(dir, 'pid')];
  const child = spawn(KAMAILIO, [...args, '-m', '32', '-M', '8'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group, ended by stopGroup
  });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const stop = () =>
    stopGroup(child).finally(() => {
      if (!KEEP) rmSync(dir, { recursive: true, force: true });
    });
  const url = `http://127.0.0.1:${rpcPort}/RPC`;
  const rpc = createKamailioRpc({ url, timeoutMs: 1000 });
  try {
    await retry(
      async () => {
        if (child.exitCode !== null) throw new Error(`kamailio exited (${child.exitCode})`);
        await rpc.coreVersion();
      },
      { delay: 100, withinMs: 10_000, retryIf: () => child.exitCode === null },
    );
    return { url, stop };
  } catch (error) {
    await stop();
    const why =
      child.exitCode !== null
        ? `kamailio exited (${child.exitCode})`
        : `kamailio not answering on ${url} after 10 s`;
    throw new Error(`${why}:\n${log}`, { cause: error });
  }
}
