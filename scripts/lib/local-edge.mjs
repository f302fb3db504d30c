// The SIP edge on this machine for npm start: the rendered Kamailio, the edge agent and a sipp
// UAS standing in for the Zendesk SIP-IN address, all on loopback.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './bootstrap.mjs';
import { startProcess, waitForHttp } from './processes.mjs';
import { importTs } from './typescript.mjs';

const bin = (name) => join(ROOT, 'node_modules', '.bin', name);

/** The edge config npm start renders: one demo line allowing 127.0.0.1/32 only. */
function demoConfig(ports) {
  return `# Written by npm start; see kamailio/templates/sipbridge.example.yaml for every key.
listen:
  - { transport: udp, address: 127.0.0.1, port: ${ports.sip} }
  - { transport: tcp, address: 127.0.0.1, port: ${ports.sip} }
rpc: { address: 127.0.0.1, port: ${ports.rpc} }
agent: { url: 'http://127.0.0.1:${ports.agent}', token_env: EDGE_AGENT_TOKEN }
limits: { cps_per_line: 50, shared_memory_mb: 512 }
lines:
  - slug: demo
    targets: ['sip:zendesk@127.0.0.1:${ports.uas}']
    acl: [127.0.0.1/32]
`;
}

/** Renders the cfg into .run/kamailio (validated, checked with kamailio -c, written atomically). */
export function renderDemoEdge({ runDir, ports, agentToken }) {
  mkdirSync(runDir, { recursive: true });
  const config = join(runDir, 'sipbridge.yaml');
  writeFileSync(config, demoConfig(ports));
  const res = spawnSync(
    bin('tsx'),
    ['kamailio/cli/entry.ts', 'render', '--config', config, '--out', join(runDir, 'kamailio')],
    { cwd: ROOT, env: { ...process.env, EDGE_AGENT_TOKEN: agentToken }, encoding: 'utf8' },
  );
  if (res.status !== 0)
    throw new Error(`rendering the Kamailio config failed:\n${res.stderr}${res.stdout}`);
}

/** Starts the agent, the sipp UAS and Kamailio; resolves when the agent and Kamailio answer. */
export async function startDemoEdge({ runDir, ports, workerUrl, edgeSecret, agentToken }) {
  startProcess('agent', bin('tsx'), ['kamailio/agent/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      WORKER_URL: workerUrl,
      EDGE_SECRET: edgeSecret,
      EDGE_AGENT_TOKEN: agentToken,
      EDGE_AGENT_PORT: String(ports.agent),
      EDGE_SPOOL_DIR: join(runDir, 'spool'),
      // The demo line's ACL follows the Worker (try POST /v1/admin/lines/demo/acl), and
      // \`npx sipbridge status\` / \`sync\` work against this edge.
      EDGE_ACL_SYNC_DIR: join(runDir, 'kamailio'),
      KAMAILIO_RPC_URL: `http://127.0.0.1:${ports.rpc}/RPC`,
    },
  });
  // The UAS answers every call, honouring Record-Route (sipp's built-in uas does not, which
  // breaks the dialog); what reached "Zendesk" is in .run/uas-messages.log.
  const uasScenario = join(ROOT, 'test', 'sip', 'scenarios', 'uas-answer.xml');
  const uasLog = join(runDir, 'uas-messages.log');
  startProcess(
    'uas',
    'sipp',
    [
      '-sf',
      uasScenario,
      '-i',
      '127.0.0.1',
      '-p',
      String(ports.uas),
      '-nostdin',
      // Answers the proxy's in-dialog keepalive OPTIONS (every 30 s) as the SIP-IN line would.
      '-aa',
      '-trace_msg',
      '-message_file',
      uasLog,
    ],
    { cwd: runDir, quiet: true },
  );
  const kamailioRun = join(runDir, 'kamailio-run');
  mkdirSync(kamailioRun, { recursive: true });
  startProcess('kamailio', '/usr/sbin/kamailio', [
    '-f',
    join(runDir, 'kamailio', 'kamailio.cfg'),
    '-DD',
    '-E',
    '-Y',
    kamailioRun,
    '-P',
    join(kamailioRun, 'kamailio.pid'),
    '-m',
    '512',
    '-M',
    '16',
  ]);
  await waitForHttp(`http://127.0.0.1:${ports.agent}/health`);
  const { createKamailioRpc } = await importTs('kamailio-jsonrpc');
  const { retry } = await importTs('@sip-bridge/edge/agent/retry');
  const kamailio = createKamailioRpc({ url: `http://127.0.0.1:${ports.rpc}/RPC` });
  await retry(() => kamailio.coreVersion(), { delay: 200, withinMs: 30_000 }).catch((error) => {
    throw new Error(`Kamailio did not answer JSON-RPC within 30 s (${error.message})`, {
      cause: error,
    });
  });
}
