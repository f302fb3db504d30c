// `npm start`: the bridge on this machine: the Zendesk stand-in (or a real account), the Worker
// API on a local D1 with migrations applied and a demo line seeded, and the SIP edge (Kamailio
// rendered from the template, the edge agent, and a sipp UAS standing in for Zendesk's SIP-IN),
// plus the sidebar app on a harness page playing a Zendesk ticket.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianPackages, ensureNpmPackages, fail, ROOT } from './lib/bootstrap.mjs';
import { ensureAppBuilt, startSidebarHarness } from './lib/local-app.mjs';
import { renderDemoEdge, startDemoEdge } from './lib/local-edge.mjs';
import { applyLocalMigrations, wranglerDevCommand } from './lib/local-worker.mjs';
import { startProcess, stopAll, waitForHttp } from './lib/processes.mjs';

ensureNpmPackages();
const withEdge = ensureDebianPackages(
  ['kamailio', 'kamailio-extra-modules', 'kamailio-utils-modules', 'sip-tester'],
  'the SIP edge (Kamailio and the sipp UAS)',
);
// Chromium only for looking at the sidebar page headless (the e2e test, screenshots); optional.
ensureDebianPackages(['chromium'], 'viewing the sidebar page in headless Chromium');

const port = (name, fallback) => Number(process.env[name] ?? fallback);
const ports = {
  sip: port('SIP_PORT', 5060),
  rpc: port('KAMAILIO_RPC_PORT', 5080),
  uas: port('UAS_PORT', 5070),
  agent: port('EDGE_AGENT_PORT', 8090),
  worker: port('WORKER_PORT', 8787),
  standin: port('ZENDESK_STANDIN_PORT', 8788),
  harness: port('HARNESS_PORT', 5173),
};
const runDir = join(ROOT, '.run');
const bin = (name) => join(ROOT, 'node_modules', '.bin', name);
const workerDir = join(ROOT, 'worker');

// A real account when all three are set; the stand-in otherwise.
const real = ['ZENDESK_SUBDOMAIN', 'ZENDESK_EMAIL', 'ZENDESK_API_TOKEN'].every(
  (k) => process.env[k],
);
const zendesk = real
  ? {
      url: `https://${process.env.ZENDESK_SUBDOMAIN}.zendesk.com`,
      email: process.env.ZENDESK_EMAIL,
      token: process.env.ZENDESK_API_TOKEN,
    }
  : {
      url: `http://127.0.0.1:${ports.standin}`,
      email: 'bridge@example.com',
      token: 'standin-token',
    };

/** Local secrets live in worker/.dev.vars (ignored by git), generated once. */
function localSecrets() {
  const file = join(workerDir, '.dev.vars');
  const vars = existsSync(file)
    ? Object.fromEntries(
        readFileSync(file, 'utf8')
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      )
    : {};
  // 32 random bytes each; an APP_JWT_SECRET left shorter by an older run is replaced (the Worker
  // refuses it).
  for (const key of ['EDGE_SECRET', 'APP_JWT_SECRET', 'ADMIN_TOKEN', 'EDGE_AGENT_TOKEN'])
    if (!vars[key] || Buffer.byteLength(vars[key]) < 32)
      vars[key] = randomBytes(32).toString('base64url');
  vars.ZENDESK_API_TOKEN = zendesk.token;
  writeFileSync(
    file,
    Object.entries(vars)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n',
    { mode: 0o600 },
  );
  return vars;
}

const secrets = localSecrets();
// The stand-in starts from its seed every time, so the Worker's D1 does too: cached caller matches
// and call records of an earlier run would point at stand-in users and tickets that are gone.
// With a real account the Worker keeps wrangler's usual local D1 (worker/.wrangler).
const persistTo = real ? undefined : join(runDir, 'worker-state');
if (persistTo) rmSync(persistTo, { recursive: true, force: true });
const withApp = ensureAppBuilt();
try {
  applyLocalMigrations({ persistTo });
  if (withEdge) renderDemoEdge({ runDir, ports, agentToken: secrets.EDGE_AGENT_TOKEN });
} catch (err) {
  fail(err.message);
}

if (!real) {
  startProcess('zendesk', bin('tsx'), ['test/zendesk-standin/server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ZENDESK_STANDIN_PORT: String(ports.standin),
      ZENDESK_EMAIL: zendesk.email,
      ZENDESK_API_TOKEN: zendesk.token,
    },
  });
}
const workerCommand = wranglerDevCommand({
  port: ports.worker,
  persistTo,
  // One caller at a time here: a short note linger, so `npm run call` shows the summary posted.
  vars: { ZENDESK_BASE_URL: zendesk.url, ZENDESK_EMAIL: zendesk.email, NOTE_LINGER_MS: '1000' },
  testScheduled: true,
});
startProcess('worker', workerCommand.cmd, workerCommand.args, workerCommand.options);

let sidebarUrl;
try {
  if (!real) await waitForHttp(`http://127.0.0.1:${ports.standin}/__standin/state`);
  await waitForHttp(`http://127.0.0.1:${ports.worker}/health`, 60_000);
  await seedDemoLine();
  if (withEdge) {
    await startDemoEdge({
      runDir,
      ports,
      workerUrl: `http://127.0.0.1:${ports.worker}`,
      edgeSecret: secrets.EDGE_SECRET,
      agentToken: secrets.EDGE_AGENT_TOKEN,
    });
  }
  if (withApp) {
    sidebarUrl = await startSidebarHarness({
      port: ports.harness,
      workerUrl: `http://127.0.0.1:${ports.worker}`,
      appJwtSecret: secrets.APP_JWT_SECRET,
      zendesk,
    });
  }
} catch (err) {
  console.error(`✖ ${err.message}`);
  await stopAll(1);
}

async function seedDemoLine() {
  const res = await fetch(`http://127.0.0.1:${ports.worker}/v1/admin/lines`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${secrets.ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      slug: 'demo',
      name: 'Demo line (AI agent hand-off)',
      sip_targets: [`sip:zendesk@127.0.0.1:${ports.uas}`],
      default_country: 'US',
      create_ticket: true,
      acl: [{ cidr: '127.0.0.1/32', label: 'this machine' }],
    }),
  });
  if (res.status !== 201 && res.status !== 409)
    throw new Error(`seeding the demo line answered ${res.status}`);
}

// The operator CLI's defaults are the ARCHITECTURE ports; name the others.
const cliFlags =
  (ports.rpc === 5080 ? '' : ` --rpc http://127.0.0.1:${ports.rpc}/RPC`) +
  (ports.agent === 8090 ? '' : ` --agent http://127.0.0.1:${ports.agent}`);
const edgeSummary = withEdge
  ? `  Kamailio (SIP)   udp/tcp 127.0.0.1:${ports.sip}   (JSON-RPC on 127.0.0.1:${ports.rpc}; cfg in .run/kamailio)
  Edge agent       http://127.0.0.1:${ports.agent}/health   (spool in .run/spool)
  Zendesk SIP-IN   sipp UAS on 127.0.0.1:${ports.uas}   (what reached it: .run/uas-messages.log)
  Local secrets    worker/.dev.vars (ADMIN_TOKEN, EDGE_SECRET, APP_JWT_SECRET, EDGE_AGENT_TOKEN)

Place a call:      npm run call -- --from +14155550100 --ticket 1001
                   (any number format; --hold <seconds>; --source 127.0.0.2 shows the 403 denial)
Live edge:         npx sipbridge status --dir .run/kamailio${cliFlags}
                   (also: calls, hangup <call-id>; metrics at /metrics with EDGE_AGENT_TOKEN)
All call records:  curl -H "Authorization: Bearer $ADMIN_TOKEN" 'http://127.0.0.1:${ports.worker}/v1/reports/calls/export?start_time=0'`
  : `  SIP edge         not started: install the Debian packages named above and run npm start again
  Local secrets    worker/.dev.vars (ADMIN_TOKEN, EDGE_SECRET, APP_JWT_SECRET, EDGE_AGENT_TOKEN)`;
console.log(`
SIP bridge is running.
  Worker API       http://127.0.0.1:${ports.worker}   (health: /health, OpenAPI: /openapi.json with the admin token)${persistTo ? '\n                   local D1 in .run/worker-state, fresh at each start like the stand-in' : ''}
  Zendesk REST     ${real ? `${zendesk.url} (your account)` : `http://127.0.0.1:${ports.standin}   (stand-in; state at /__standin/state)`}
  Demo line        "demo": allows 127.0.0.1/32, targets the UAS, creates tickets
  Sidebar app      ${sidebarUrl ? `${sidebarUrl}   (a Zendesk ticket page stand-in; pick another ticket at the top)` : 'not started: the app did not build (see above)'}
${sidebarUrl ? `  Admin console    ${sidebarUrl.replace(/\?ticket=\d+$/, '?installation=2')}   (the nav_bar location, as the stand-in's admin)\n` : ''}${edgeSummary}

Press Ctrl+C to stop everything.
`);
