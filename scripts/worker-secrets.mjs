// `npm run worker:secrets`: generates the Worker's shared secrets, stores them with
// `wrangler secret bulk` (never on disk longer than that call, never in git), and prints once what
// the edge host, the Zendesk admin and your scripts need.
//   read -rs ZENDESK_API_TOKEN && export ZENDESK_API_TOKEN   # the Zendesk API token
//   npm run worker:secrets [-- --name <worker>]
// Rotation (the Worker accepts the current and the previous value until you remove the previous):
//   EDGE_SECRET=<current value> npm run worker:secrets -- --rotate EDGE_SECRET
// Exit codes: 0 stored, 1 wrangler failed, 2 usage error.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WRANGLER_ENV } from './lib/bootstrap.mjs';
import { WORKER_DIR } from './lib/deploy-config.mjs';

const SHARED_SECRETS = ['EDGE_SECRET', 'APP_JWT_SECRET', 'ADMIN_TOKEN'];

const USAGE = `usage: npm run worker:secrets -- [--name <worker>] [--rotate <SECRET>]

  (no flag)        generate EDGE_SECRET, APP_JWT_SECRET and ADMIN_TOKEN, store them and
                   ZENDESK_API_TOKEN (from the environment) in the Worker
  --rotate NAME    new value for one of ${SHARED_SECRETS.join(', ')}; its current value must be in
                   the environment variable of that name: it is stored as NAME_PREVIOUS
  --name           the Worker's name (default: worker/wrangler.jsonc's)`;

// Tests point this at a stand-in: Cloudflare cannot be reached from here.
const WRANGLER =
  process.env.SIPBRIDGE_WRANGLER ?? join(WORKER_DIR, '..', 'node_modules', '.bin', 'wrangler');

/** 32 random bytes, base64url (43 characters): above every minimum the Worker applies. */
const secret = () => randomBytes(32).toString('base64url');

function fail(message) {
  console.error(`worker:secrets: ${message}\n\n${USAGE}`);
  return 2;
}

function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        name: { type: 'string' },
        rotate: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return fail(error.message);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.name !== undefined && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(values.name)) {
    return fail('--name: lowercase letters, digits and dashes, 63 at most');
  }
  let secrets;
  if (values.rotate !== undefined) {
    const name = values.rotate;
    if (!SHARED_SECRETS.includes(name))
      return fail(`--rotate: one of ${SHARED_SECRETS.join(', ')}`);
    const current = process.env[name] ?? '';
    if (current.length < 16) {
      return fail(`--rotate ${name}: put its current value in the environment variable ${name}`);
    }
    secrets = { [`${name}_PREVIOUS`]: current, [name]: secret() };
  } else {
    const token = process.env.ZENDESK_API_TOKEN ?? '';
    if (!token) {
      return fail(
        'ZENDESK_API_TOKEN is not set: create a token in Zendesk Admin Center (Apps and ' +
          'integrations → APIs → API tokens), then: read -rs ZENDESK_API_TOKEN && export ZENDESK_API_TOKEN',
      );
    }
    secrets = { ZENDESK_API_TOKEN: token };
    for (const name of SHARED_SECRETS) secrets[name] = secret();
  }

  // The file lives only for the wrangler call, in a directory only this user can read.
  const dir = mkdtempSync(join(tmpdir(), 'sipbridge-secrets-'));
  let status;
  try {
    const file = join(dir, 'secrets.json');
    writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
    const args = ['secret', 'bulk', file, ...(values.name ? ['--name', values.name] : [])];
    console.log(`› wrangler secret bulk (${Object.keys(secrets).join(', ')})`);
    status = spawnSync(WRANGLER, args, {
      cwd: WORKER_DIR,
      stdio: ['inherit', 'inherit', 'inherit'],
      env: { ...process.env, ...WRANGLER_ENV, WRANGLER_LOG: process.env.WRANGLER_LOG ?? 'log' },
    }).status;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (status !== 0) {
    console.error('worker:secrets: wrangler secret bulk failed; nothing printed, run it again');
    return 1;
  }
  console.log(report(secrets, values.rotate));
  return 0;
}

/** What each side needs, printed once (Cloudflare shows secrets to nobody afterwards). */
function report(secrets, rotated) {
  const lines = ['', 'Stored. These values are shown only now: put each where it goes.', ''];
  if (secrets.EDGE_SECRET) {
    lines.push(
      'Edge host, /etc/sipbridge/agent.env (then: systemctl restart sipbridge-agent):',
      `  EDGE_SECRET=${secrets.EDGE_SECRET}`,
      '',
    );
  }
  if (secrets.APP_JWT_SECRET) {
    lines.push(
      'Zendesk admin, the app "SIP call details" settings (docs/admins.md):',
      "  API URL:        your Worker's URL, e.g. https://sip-bridge-api.<your-account>.workers.dev",
      `  Shared secret:  ${secrets.APP_JWT_SECRET}`,
      '',
    );
  }
  if (secrets.ADMIN_TOKEN) {
    lines.push(
      'Your scripts (Authorization: Bearer …):',
      `  ADMIN_TOKEN=${secrets.ADMIN_TOKEN}`,
      '',
    );
  }
  if (rotated) {
    lines.push(
      `The Worker now accepts the old and the new ${rotated}. Once every side uses the new one:`,
      `  cd worker && npx wrangler secret delete ${rotated}_PREVIOUS`,
      '',
    );
  }
  return lines.join('\n');
}

process.exitCode = main();
