// The sidebar app for npm start: built when zendesk-app/dist is missing or older than its sources,
// then shown on the harness page (lib/harness-page), which plays Zendesk's ticket page and proxy.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './bootstrap.mjs';
import { startProcess, waitForHttp } from './processes.mjs';

const APP_DIR = join(ROOT, 'zendesk-app');
/** One page per manifest location: the sidebar's and the admin console's (nav_bar). */
const BUILT = ['iframe.html', 'console.html'].map((page) => join(APP_DIR, 'dist', 'assets', page));
const HARNESS_PAGE = join('scripts', 'lib', 'harness-page', 'main.ts');
const SOURCES = [
  'src',
  'translations',
  'scripts',
  'vite.config.ts',
  'vite.console.config.ts',
  'icons',
  'package.json',
  'tsconfig.json',
];
/** The call-record schema, which the bundle carries as JSON Schema (zendesk-app/src/app/lib/contract.ts). */
const SHARED_SOURCES = [join(ROOT, 'contract', 'src'), join(ROOT, 'manifest.json')];

/** Newest modification time under a file or folder (ms), 0 when it does not exist. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Builds the app unless dist is newer than every source; returns false when the build failed. */
export function ensureAppBuilt() {
  const sources = Math.max(
    ...SOURCES.map((p) => newest(join(APP_DIR, p))),
    ...SHARED_SOURCES.map(newest),
  );
  if (BUILT.every((page) => existsSync(page) && statSync(page).mtimeMs >= sources)) return true;
  console.log('› building the sidebar app (npm run build -w zendesk-app)…');
  const res = spawnSync('npm', ['run', 'build', '-w', 'zendesk-app'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (res.status === 0) {
    console.log(`  ${res.stdout.split('\n').find((l) => l.startsWith('bundle:')) ?? 'built'}`);
    return true;
  }
  console.warn(`! the sidebar app did not build:\n${res.stdout}${res.stderr}`);
  return false;
}

/** Starts the harness page on 127.0.0.1:`port`; resolves with its URL for ticket 1001. */
export async function startSidebarHarness({ port, workerUrl, appJwtSecret, zendesk }) {
  startProcess('app', join(ROOT, 'node_modules', '.bin', 'tsx'), [HARNESS_PAGE], {
    cwd: ROOT,
    env: {
      ...process.env,
      HARNESS_PORT: String(port),
      WORKER_URL: workerUrl,
      APP_JWT_SECRET: appJwtSecret,
      ZENDESK_URL: zendesk.url,
      ZENDESK_EMAIL: zendesk.email,
      ZENDESK_API_TOKEN: zendesk.token,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/`);
  return `${url}/?ticket=1001`;
}
