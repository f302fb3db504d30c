// Installs what the two commands need before they run, using only Node built-ins.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inCi } from './ci.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function fail(message) {
  console.error(`\n✖ ${message}`);
  process.exit(1);
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    fail(
      `Node ${process.versions.node} is too old: install Node 20.19 or newer (wrangler 4.86 needs it).`,
    );
  }
}

/** Runs `npm ci` when node_modules is missing or older than package-lock.json. */
export function ensureNpmPackages() {
  checkNode();
  const lock = join(ROOT, 'package-lock.json');
  const stamp = join(ROOT, 'node_modules', '.cache', 'sip-bridge', 'lock.sha256');
  const hash = createHash('sha256').update(readFileSync(lock)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return;
  console.log('› installing npm packages (npm ci)…');
  const res = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit' });
  if (res.status !== 0) fail('npm ci failed; see the output above.');
  mkdirSync(dirname(stamp), { recursive: true });
  writeFileSync(stamp, hash);
}

function debianPackageInstalled(name) {
  const res = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return res.status === 0 && res.stdout.includes('install ok installed');
}

/**
 * Installs missing Debian packages when running as root; otherwise says exactly what to install.
 * @param {string[]} names Debian package names
 * @param {string} why what needs them, for the message
 */
export function ensureDebianPackages(names, why) {
  const missing = names.filter((n) => !debianPackageInstalled(n));
  if (!missing.length) return true;
  const command = `apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    const message = `${why} needs Debian packages: ${missing.join(', ')}. Install them with: sudo ${command}`;
    if (inCi()) fail(message);
    console.warn(`! ${message}`);
    return false;
  }
  console.log(`› installing ${missing.join(', ')} for ${why}…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    stdio: 'inherit',
    env,
  });
  return true;
}

/** Environment for wrangler and workerd that keeps them offline and quiet. */
export const WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_LOG: process.env.WRANGLER_LOG ?? 'warn',
};
