// Minimal Debian root filesystems for the deployment tests, built with debootstrap from the Debian
// archive this machine's apt uses, with the edge package's dependencies installed, and cached
// between runs (the one install-like step a test may take: docs/contributing.md).
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

export type Suite = 'bookworm' | 'trixie';

/** What the package depends on and recommends, installed once into the cached tree. */
const EDGE_DEPENDENCIES = [
  'kamailio',
  'kamailio-extra-modules',
  'kamailio-utils-modules',
  'kamailio-tls-modules',
  'nodejs',
  'ca-certificates',
];

/** systemd to boot, dbus for systemctl, iproute2 for an operator's `ip` and `ss`. */
const BOOT_PACKAGES = ['systemd', 'systemd-sysv', 'dbus', 'iproute2'];

const CACHE = process.env.SIPBRIDGE_ROOTFS_CACHE ?? '/var/cache/sipbridge-test/rootfs';

/**
 * The Debian archive apt is configured with here (deb822 `.sources` or `sources.list`), never a
 * hard-coded host: the first `deb` entry whose suites are not security updates.
 */
export function debianMirror(): string {
  const dir = '/etc/apt/sources.list.d';
  const texts = [
    ...(existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.sources'))
          .map((f) => readFileSync(join(dir, f), 'utf8'))
      : []),
  ];
  for (const text of texts) {
    for (const stanza of text.split(/\n\s*\n/)) {
      const field = (name: string) =>
        stanza
          .match(new RegExp(`^${name}:\\s*(.+)$`, 'mi'))?.[1]
          ?.trim()
          .split(/\s+/) ?? [];
      if (!field('Types').includes('deb')) continue;
      if (field('Suites').some((s) => s.endsWith('-security'))) continue;
      const uri = field('URIs')[0];
      if (uri) return uri;
    }
  }
  const list = existsSync('/etc/apt/sources.list')
    ? readFileSync('/etc/apt/sources.list', 'utf8')
    : '';
  for (const line of list.split('\n')) {
    const m = line.match(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/);
    if (m && !m[2]!.endsWith('-security')) return m[1]!;
  }
  throw new Error(
    'no Debian archive in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list',
  );
}

/**
 * The cached tree for `suite`, built on first use (debootstrap, then apt-get in the tree): about a
 * minute and 400 MB each. A half-built tree is never used: it is built beside and renamed.
 */
export function cachedRootfs(suite: Suite, log: (line: string) => void = () => {}): string {
  const dir = join(CACHE, suite);
  if (existsSync(join(dir, '.sipbridge-complete'))) return dir;
  const building = `${dir}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(CACHE, { recursive: true });
  const mirror = debianMirror();
  log(`debootstrap ${suite} from ${mirror} into ${building}`);
  execFileSync(
    'debootstrap',
    ['--variant=minbase', `--include=${BOOT_PACKAGES.join(',')}`, suite, building, mirror],
    { stdio: ['ignore', 'ignore', 'pipe'], timeout: 15 * 60_000 },
  );
  // Nothing starts services while the tree is built; apt downloads through the host's network.
  const policy = join(building, 'usr/sbin/policy-rc.d');
  writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  const inTree = (args: string[]) =>
    execFileSync('chroot', [building, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
        DEBIAN_FRONTEND: 'noninteractive',
        LANG: 'C.UTF-8',
      },
      timeout: 15 * 60_000,
    });
  log(`apt-get install ${EDGE_DEPENDENCIES.join(' ')} in ${suite}`);
  inTree(['apt-get', 'update', '-qq']);
  inTree(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...EDGE_DEPENDENCIES]);
  inTree(['apt-get', 'clean']);
  rmSync(policy);
  writeFileSync(join(building, '.sipbridge-complete'), `${new Date().toISOString()}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
  return dir;
}

/** A throwaway copy of the cached tree for one container (reflinked where the filesystem can). */
export function copyRootfs(suite: Suite, to: string, log?: (line: string) => void): string {
  const from = cachedRootfs(suite, log);
  rmSync(to, { recursive: true, force: true });
  execFileSync('cp', ['-a', '--reflink=auto', from, to]);
  rmSync(join(to, '.sipbridge-complete'));
  return to;
}
