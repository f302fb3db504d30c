// `npm run worker:deploy`: applies the D1 migrations to the remote database, then deploys the
// Worker, with the account's values as flags or variables, never as an edit to wrangler.jsonc.
//   npm run worker:deploy -- --zendesk acme --email bridge@acme.com --database-id <uuid>
//   npm run worker:deploy -- --dry-run --outdir dist/worker --zendesk acme --email bridge@acme.com
// --dry-run bundles without uploading and applies the migrations to a throwaway local D1: the CI
// check that what would be deployed builds, and that every migration applies to a fresh database.
// Exit codes: 0 done, 1 wrangler failed, 2 usage or configuration error.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WRANGLER_ENV } from './lib/bootstrap.mjs';
import {
  DeployConfigError,
  deployConfig,
  WORKER_DIR,
  writeDeployConfig,
} from './lib/deploy-config.mjs';

const USAGE = `usage: npm run worker:deploy -- --zendesk <subdomain|https://<sub>.zendesk.com> --email <agent email>
         --database-id <D1 id> [--name <worker name>] [--var NAME=VALUE]… [--dry-run [--outdir <dir>]]

  --zendesk       your Zendesk account (ZENDESK_SUBDOMAIN)
  --email         the Zendesk user whose API token the Worker uses (ZENDESK_EMAIL)
  --database-id   the id \`npx wrangler d1 create sip-bridge\` printed (D1_DATABASE_ID)
  --name          the Worker's name (default: wrangler.jsonc's)
  --var N=V       optional tuning, repeatable: ZENDESK_REQUESTS_PER_MINUTE, DECISION_BUDGET_MS,
                  HANDOFF_BUDGET_MS, NOTE_LINGER_MS, RETENTION_DAYS (docs/worker.md)
  --dry-run       bundle without uploading, apply the migrations to a throwaway local D1
  --outdir        where --dry-run writes the bundle (default: a temporary directory)

Secrets are not set here: npm run worker:secrets.`;

// Tests point this at a stand-in for the remote steps: Cloudflare cannot be reached from here.
const WRANGLER =
  process.env.SIPBRIDGE_WRANGLER ?? join(WORKER_DIR, '..', 'node_modules', '.bin', 'wrangler');

function wrangler(args, env = {}) {
  console.log(`› wrangler ${args.join(' ')}`);
  const res = spawnSync(WRANGLER, args, {
    cwd: WORKER_DIR,
    stdio: 'inherit',
    // Wrangler's own report (bindings, migrations applied) is what an operator reads here.
    env: {
      ...process.env,
      ...WRANGLER_ENV,
      WRANGLER_LOG: process.env.WRANGLER_LOG ?? 'log',
      ...env,
    },
  });
  return res.status ?? 1;
}

function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        zendesk: { type: 'string' },
        email: { type: 'string' },
        'database-id': { type: 'string' },
        name: { type: 'string' },
        var: { type: 'string', multiple: true },
        'dry-run': { type: 'boolean' },
        outdir: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`worker:deploy: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const dryRun = values['dry-run'] ?? false;
  let configPath;
  try {
    const config = deployConfig({
      zendesk: values.zendesk ?? (process.env.ZENDESK_SUBDOMAIN || undefined),
      email: values.email ?? (process.env.ZENDESK_EMAIL || undefined),
      databaseId: values['database-id'] ?? (process.env.D1_DATABASE_ID || undefined),
      name: values.name,
      vars: values.var,
      dryRun,
    });
    configPath = writeDeployConfig(config);
  } catch (error) {
    if (!(error instanceof DeployConfigError)) throw error;
    console.error(`worker:deploy: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  const config = ['--config', configPath];
  if (dryRun) {
    const scratch = mkdtempSync(join(tmpdir(), 'sipbridge-deploy-'));
    try {
      const local = ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', scratch];
      // CI=true: wrangler asks nothing before applying to the throwaway database.
      const migrate = wrangler([...local, ...config], { CI: 'true' });
      if (migrate !== 0) return 1;
      const outdir = values.outdir ?? join(scratch, 'bundle');
      return wrangler(['deploy', '--dry-run', '--outdir', outdir, ...config]) === 0 ? 0 : 1;
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  if (wrangler(['d1', 'migrations', 'apply', 'DB', '--remote', ...config]) !== 0) return 1;
  return wrangler(['deploy', ...config]) === 0 ? 0 : 1;
}

process.exitCode = main();
