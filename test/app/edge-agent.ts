// The edge agent's real config sync (kamailio/agent/edge-config-sync.ts) against the browser
// tests' Worker, with Kamailio's JSON-RPC played by the agent's unit-test fake: it polls the
// edge config, applies it, and reports it applied, as on an edge, without Kamailio itself.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEdgeConfigSync } from '@sip-bridge/edge/agent/edge-config-sync';
import { silentLogger } from '@sip-bridge/edge/agent/log';
import { fakeKamailio } from '@sip-bridge/edge/agent/testing/fake-kamailio';
import { createWorkerClient } from '@sip-bridge/edge/agent/worker-client';

/** Starts the sync against `workerUrl`, polling every 300 ms; stop() ends it and removes its files. */
export function startEdgeAgentSync(workerUrl: string, secret: string) {
  const dir = mkdtempSync(join(tmpdir(), 'sip-bridge-app-edge-'));
  writeFileSync(join(dir, 'line-ids.json'), JSON.stringify({ version: 1, ids: {} }));
  writeFileSync(join(dir, 'address.list'), '');
  const kamailio = fakeKamailio(join(dir, 'address.list'));
  const worker = createWorkerClient({ baseUrl: workerUrl, secret });
  const sync = startEdgeConfigSync(
    { renderDir: dir, rpcUrl: 'http://127.0.0.1:1/RPC', intervalMs: 300 },
    { worker, log: silentLogger, rpc: kamailio.rpc },
  );
  return {
    sync,
    /** The networks the fake Kamailio loaded, as `ip/mask` by line. */
    loaded: () => kamailio.rows().map((r) => `${r.tag} ${r.ip}/${r.mask}`),
    async stop() {
      await sync.stop();
      worker.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
