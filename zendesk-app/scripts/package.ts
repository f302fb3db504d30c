// `npm run package -w zendesk-app`: builds the app, draws the logos, checks the package the way
// Zendesk would, and writes dist/sip-call-details.zip for Admin Center → Upload private app.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { buildApp } from './build';
import { checkPackage, formatProblem, type PackageFiles } from './checkPackage';
import { drawLogo } from './logos';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const rootDir = join(appDir, '..');
export const ZIP_NAME = 'sip-call-details.zip';
/** The host in the committed manifest: a placeholder each deployment replaces with its Worker's. */
export const PLACEHOLDER_HOST = 'sip-bridge-api.example.workers.dev';

/**
 * Puts the deployment's API hosts (`SIP_BRIDGE_API_HOSTS=a.example.com,b.example.com`) in the
 * packaged manifest's domainWhitelist, so admins need not edit the repository's manifest.json.
 */
export function withApiHosts(manifest: Uint8Array, hosts: string | undefined): Uint8Array {
  const list = (hosts ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  if (!list.length) return manifest;
  const json = JSON.parse(new TextDecoder().decode(manifest)) as Record<string, unknown>;
  json.domainWhitelist = list;
  return new TextEncoder().encode(`${JSON.stringify(json, null, 2)}\n`);
}

/** The Zendesk OAuth client agents authorize the app with (Admin Center → APIs → OAuth clients). */
export interface OAuthClient {
  subdomain: string;
  clientId: string;
  clientSecret: string;
}

/** Ignored by git: `{"subdomain": "…", "client_id": "…", "client_secret": "…"}`, instead of env vars. */
export const OAUTH_CLIENT_FILE = join(appDir, 'oauth-client.json');
const SUBDOMAIN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * The OAuth client from ZENDESK_SUBDOMAIN, ZENDESK_OAUTH_CLIENT_ID and ZENDESK_OAUTH_CLIENT_SECRET,
 * or from zendesk-app/oauth-client.json. Throws naming what is missing (never the values).
 */
export function readOAuthClient(
  env: Record<string, string | undefined>,
  file: string | undefined,
): OAuthClient {
  let fromFile: Record<string, unknown> = {};
  if (file !== undefined) {
    try {
      fromFile = JSON.parse(file) as Record<string, unknown>;
    } catch {
      throw new Error(`${OAUTH_CLIENT_FILE} is not valid JSON`);
    }
  }
  const pick = (envName: string, key: string) =>
    env[envName] || (typeof fromFile[key] === 'string' ? (fromFile[key] as string) : '');
  const client = {
    subdomain: pick('ZENDESK_SUBDOMAIN', 'subdomain').trim().toLowerCase(),
    clientId: pick('ZENDESK_OAUTH_CLIENT_ID', 'client_id').trim(),
    clientSecret: pick('ZENDESK_OAUTH_CLIENT_SECRET', 'client_secret').trim(),
  };
  const missing = [
    ['ZENDESK_SUBDOMAIN', client.subdomain],
    ['ZENDESK_OAUTH_CLIENT_ID', client.clientId],
    ['ZENDESK_OAUTH_CLIENT_SECRET', client.clientSecret],
  ]
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (missing.length) {
    throw new Error(
      `the app's OAuth client is not set: ${missing.join(', ')} missing (env vars, or zendesk-app/oauth-client.json; see docs/admins.md, "OAuth client")`,
    );
  }
  if (!SUBDOMAIN.test(client.subdomain)) {
    throw new Error('ZENDESK_SUBDOMAIN must be the account name only, as in <name>.zendesk.com');
  }
  return client;
}

/** Fills the manifest's oauth block with the client and the account's OAuth endpoints. */
export function withOAuthClient(manifest: Uint8Array, client: OAuthClient): Uint8Array {
  const json = JSON.parse(new TextDecoder().decode(manifest)) as Record<string, unknown>;
  const account = `https://${client.subdomain}.zendesk.com`;
  json.oauth = {
    ...(json.oauth as Record<string, unknown>),
    client_id: client.clientId,
    client_secret: client.clientSecret,
    authorize_uri: `${account}/oauth/authorizations/new`,
    access_token_uri: `${account}/oauth/tokens`,
  };
  return new TextEncoder().encode(`${JSON.stringify(json, null, 2)}\n`);
}

/** The root manifest.json, the translations and the location icons, as they sit in the zip. */
export function collectSources(): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  files.set('manifest.json', readFileSync(join(rootDir, 'manifest.json')));
  // The nav_bar location's icon (the admin console), drawn as SVG source, not built.
  for (const name of readdirSync(join(appDir, 'icons')).sort()) {
    if (name.endsWith('.svg'))
      files.set(`assets/${name}`, readFileSync(join(appDir, 'icons', name)));
  }
  for (const name of readdirSync(join(appDir, 'translations')).sort()) {
    if (name.endsWith('.json'))
      files.set(`translations/${name}`, readFileSync(join(appDir, 'translations', name)));
  }
  return files;
}

/** The whole package: sources plus the built dist/assets/ (run the build first). */
export function collectPackage(): Map<string, Uint8Array> {
  const files = collectSources();
  const assets = join(appDir, 'dist', 'assets');
  for (const name of readdirSync(assets).sort())
    files.set(`assets/${name}`, readFileSync(join(assets, name)));
  return files;
}

/** Writes the zip with fixed timestamps, so the same sources give the same bytes. */
export function writeZip(files: PackageFiles, path: string): number {
  const mtime = new Date('2026-01-01T00:00:00Z');
  const entries = Object.fromEntries(
    [...files].map(([name, bytes]) => [name, [bytes, { mtime }] as const]),
  );
  const zip = zipSync(entries as never, { level: 9 });
  writeFileSync(path, zip);
  return zip.length;
}

async function main() {
  const client = readOAuthClient(
    process.env,
    existsSync(OAUTH_CLIENT_FILE) ? readFileSync(OAUTH_CLIENT_FILE, 'utf8') : undefined,
  );
  await buildApp();
  const assets = join(appDir, 'dist', 'assets');
  writeFileSync(join(assets, 'logo.png'), drawLogo(320));
  writeFileSync(join(assets, 'logo-small.png'), drawLogo(128));

  const files = collectPackage();
  files.set(
    'manifest.json',
    withOAuthClient(
      withApiHosts(files.get('manifest.json')!, process.env.SIP_BRIDGE_API_HOSTS),
      client,
    ),
  );
  const manifestText = new TextDecoder().decode(files.get('manifest.json'));
  if (manifestText.includes(PLACEHOLDER_HOST)) {
    console.warn(
      `! domainWhitelist still holds the placeholder ${PLACEHOLDER_HOST}: set SIP_BRIDGE_API_HOSTS=<your Worker's host> (docs/admins.md)`,
    );
  }
  const problems = checkPackage(files);
  for (const p of problems) console.log(formatProblem(p));
  const errors = problems.filter((p) => p.level === 'error');
  if (errors.length) {
    console.error(`package check: ${errors.length} error(s); no zip written.`);
    process.exit(1);
  }
  // The same files unzipped, for `zcli apps:server zendesk-app/dist/package`.
  const staging = join(appDir, 'dist', 'package');
  rmSync(staging, { recursive: true, force: true });
  for (const [name, bytes] of files) {
    mkdirSync(dirname(join(staging, name)), { recursive: true });
    writeFileSync(join(staging, name), bytes);
  }
  const zipPath = join(appDir, 'dist', ZIP_NAME);
  const bytes = writeZip(files, zipPath);
  console.log(`package: ${[...files.keys()].join(', ')}`);
  console.log(
    `wrote ${zipPath} (${(bytes / 1024).toFixed(1)} KB, ${files.size} files, ${problems.length} warning(s))`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    console.error(`package failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
