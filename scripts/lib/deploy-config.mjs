// The deployable Worker's configuration: worker/wrangler.jsonc with the account's values put in
// (the Zendesk URL, the agent email, the D1 database id), written beside it as a generated file,
// so a deploy never needs an edit to the tracked one (npm run worker:deploy, docs/operators.md).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

export const WORKER_DIR = new URL('../../worker/', import.meta.url).pathname;
/** Where the generated config goes (ignored by git); wrangler resolves paths from here. */
export const DEPLOY_DIR = join(WORKER_DIR, '.deploy');

const SUBDOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const EMAIL = /^[^\s@"<>]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PLACEHOLDER_ID = '00000000-0000-0000-0000-000000000000';

/** Tuning a deploy may set with --var NAME=VALUE (docs/worker.md); nothing else, never local switches. */
export const OPTIONAL_VARS = [
  'ZENDESK_REQUESTS_PER_MINUTE',
  'DECISION_BUDGET_MS',
  'HANDOFF_BUDGET_MS',
  'NOTE_LINGER_MS',
  'RETENTION_DAYS',
];

export class DeployConfigError extends Error {}

/**
 * `acme` or `https://acme.zendesk.com` → `https://acme.zendesk.com`; anything else (another host,
 * http, a path, credentials) is refused with a message naming `what`, never echoing the value.
 * @example zendeskBaseUrl('acme', '--zendesk') // 'https://acme.zendesk.com'
 */
export function zendeskBaseUrl(value, what) {
  const text = String(value ?? '').trim();
  if (SUBDOMAIN.test(text)) return `https://${text}.zendesk.com`;
  const m = /^https:\/\/([a-z0-9-]+)\.zendesk\.com\/?$/.exec(text);
  if (m && SUBDOMAIN.test(m[1])) return `https://${m[1]}.zendesk.com`;
  throw new DeployConfigError(
    `${what}: give your Zendesk subdomain (acme) or its URL https://<subdomain>.zendesk.com`,
  );
}

/** Reads worker/wrangler.jsonc (JSON with comments, parsed by TypeScript's JSONC reader). */
export function readWranglerConfig(path = join(WORKER_DIR, 'wrangler.jsonc')) {
  const { config, error } = ts.parseConfigFileTextToJson(path, readFileSync(path, 'utf8'));
  if (error) throw new DeployConfigError(`${path}: not valid JSONC`);
  return config;
}

/**
 * The deploy config for one account. `databaseId` may stay the placeholder only for a dry run.
 * @param {{ zendesk: string, email: string, databaseId?: string, name?: string, dryRun?: boolean, vars?: string[] }} input
 */
export function deployConfig(input, base = readWranglerConfig()) {
  const baseUrl = zendeskBaseUrl(input.zendesk, '--zendesk (or ZENDESK_SUBDOMAIN)');
  if (!EMAIL.test(String(input.email ?? ''))) {
    throw new DeployConfigError(
      '--email (or ZENDESK_EMAIL): the Zendesk user the API token belongs to',
    );
  }
  const databaseId = input.databaseId ?? (input.dryRun ? PLACEHOLDER_ID : '');
  if (!UUID.test(databaseId) || (databaseId === PLACEHOLDER_ID && !input.dryRun)) {
    throw new DeployConfigError(
      '--database-id (or D1_DATABASE_ID): the id `npx wrangler d1 create sip-bridge` printed',
    );
  }
  if (input.name !== undefined && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(input.name)) {
    throw new DeployConfigError('--name: lowercase letters, digits and dashes, 63 at most');
  }
  const config = structuredClone(base);
  delete config.$schema;
  config.main = join('..', base.main);
  if (input.name) config.name = input.name;
  config.d1_databases = base.d1_databases.map((db) => ({
    ...db,
    database_id: databaseId,
    migrations_dir: join('..', db.migrations_dir ?? 'migrations'),
  }));
  const extra = {};
  for (const pair of input.vars ?? []) {
    const m = /^([A-Z_]+)=(\d{1,9})$/.exec(pair);
    if (!m || !OPTIONAL_VARS.includes(m[1])) {
      throw new DeployConfigError(
        `--var: NAME=<whole number>, NAME one of ${OPTIONAL_VARS.join(', ')}`,
      );
    }
    extra[m[1]] = m[2];
  }
  const vars = { ...base.vars, ...extra, ZENDESK_BASE_URL: baseUrl, ZENDESK_EMAIL: input.email };
  // Local-only switches never reach a deployment.
  delete vars.ZENDESK_ALLOW_LOCAL;
  config.vars = vars;
  return config;
}

/** Writes the config to worker/.deploy/wrangler.json; returns its path. */
export function writeDeployConfig(config) {
  mkdirSync(DEPLOY_DIR, { recursive: true });
  const path = join(DEPLOY_DIR, 'wrangler.json');
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}
