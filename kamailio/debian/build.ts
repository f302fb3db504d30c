// `npm run edge:package`: builds dist/sipbridge-edge_<version>_all.deb, offline. The agent and the
// `sipbridge` CLI are bundled by esbuild into plain JavaScript for Debian's own nodejs (18.19 on
// Debian 12, 20.19 on Debian 13): no tsx, no node_modules, nothing compiled at run time.
//   npm run edge:package [-- --version 0.1.1] [--out DIR]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const EDGE = fileURLToPath(new URL('..', import.meta.url));
const ROOT = join(EDGE, '..');
const HERE = join(EDGE, 'debian');

/** Oldest Node the package runs on: Debian 12's nodejs. */
const NODE_TARGET = 'node18.19';
const VERSION_PATTERN = /^[0-9][A-Za-z0-9.+~-]*$/;

export interface DebOptions {
  version?: string;
  outDir?: string;
}

/**
 * Builds the package; resolves with the .deb's path.
 * @example const deb = await buildDeb({ outDir: '/tmp/out' }); // /tmp/out/sipbridge-edge_0.1.0_all.deb
 */
export async function buildDeb(options: DebOptions = {}): Promise<string> {
  const pkg = JSON.parse(readFileSync(join(EDGE, 'package.json'), 'utf8')) as { version: string };
  const version = options.version ?? pkg.version;
  if (!VERSION_PATTERN.test(version))
    throw new Error(`version ${JSON.stringify(version)} is not a Debian version`);
  const outDir = options.outDir ?? join(ROOT, 'dist');
  const stage = join(outDir, `.stage-sipbridge-edge-${process.pid}`);
  rmSync(stage, { recursive: true, force: true });
  try {
    await stageFiles(stage);
    writeControl(stage, version);
    mkdirSync(outDir, { recursive: true });
    const deb = join(outDir, `sipbridge-edge_${version}_all.deb`);
    execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', stage, deb], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return deb;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

async function stageFiles(stage: string): Promise<void> {
  const lib = join(stage, 'usr/lib/sipbridge');
  await build({
    entryPoints: {
      agent: join(EDGE, 'agent/main.ts'),
      sipbridge: join(EDGE, 'cli/entry.ts'),
    },
    outdir: join(lib, 'lib'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: NODE_TARGET,
    // CommonJS dependencies (prom-client) require() Node's modules: give the bundle a require.
    // Node 18 (Debian 12) has WebCrypto only as node:crypto's webcrypto, not as the global crypto
    // the edge signature (contract/src/edge-signature.ts) uses.
    banner: {
      js: [
        "import { createRequire as __sipbridgeRequire } from 'node:module';",
        "import { webcrypto as __sipbridgeWebcrypto } from 'node:crypto';",
        'const require = __sipbridgeRequire(import.meta.url);',
        'if (!globalThis.crypto) globalThis.crypto = __sipbridgeWebcrypto;',
      ].join('\n'),
    },
    legalComments: 'eof',
    logLevel: 'warning',
  });
  // The renderer finds its template at ../templates from its own module (lib/sipbridge.mjs).
  install(join(EDGE, 'templates/kamailio.cfg'), join(lib, 'templates/kamailio.cfg'), 0o644);
  install(
    join(EDGE, 'templates/sipbridge.example.yaml'),
    join(lib, 'templates/sipbridge.example.yaml'),
    0o644,
  );
  install(join(HERE, 'sipbridge'), join(stage, 'usr/bin/sipbridge'), 0o755);

  const units = join(stage, 'usr/lib/systemd/system');
  install(
    join(EDGE, 'systemd/sipbridge-agent.service'),
    join(units, 'sipbridge-agent.service'),
    0o644,
  );
  install(
    join(EDGE, 'systemd/kamailio.service.d-sipbridge.conf'),
    join(units, 'kamailio.service.d/sipbridge.conf'),
    0o644,
  );

  // Conffiles: the agent's environment (mode fixed by postinst once the group exists) and the edge.
  install(join(HERE, 'agent.env'), join(stage, 'etc/sipbridge/agent.env'), 0o640);
  install(
    join(EDGE, 'templates/sipbridge.example.yaml'),
    join(stage, 'etc/sipbridge/sipbridge.yaml'),
    0o644,
  );

  const doc = join(stage, 'usr/share/doc/sipbridge-edge');
  install(join(ROOT, 'docs/operators.md'), join(doc, 'operators.md'), 0o644);
  install(join(ROOT, 'docs/edge-protocol.md'), join(doc, 'edge-protocol.md'), 0o644);
  install(join(EDGE, 'templates/sipp-call.xml'), join(doc, 'examples/sipp-call.xml'), 0o644);
  install(join(HERE, 'copyright'), join(doc, 'copyright'), 0o644);

  const debian = join(stage, 'DEBIAN');
  for (const script of ['postinst', 'prerm', 'postrm'])
    install(join(HERE, script), join(debian, script), 0o755);
  install(join(HERE, 'conffiles'), join(debian, 'conffiles'), 0o644);
}

function writeControl(stage: string, version: string): void {
  const files = listFiles(stage).filter((f) => !f.startsWith('DEBIAN/'));
  const kib = Math.ceil(files.reduce((sum, f) => sum + statSync(join(stage, f)).size, 0) / 1024);
  const control = readFileSync(join(HERE, 'control'), 'utf8')
    .replace('@VERSION@', version)
    .replace('@INSTALLED_SIZE@', String(kib));
  writeFileSync(join(stage, 'DEBIAN/control'), control, { mode: 0o644 });
  // md5sums lets debsums (and dpkg --verify) check the installed files.
  const sums = files
    .filter((f) => !f.startsWith('etc/'))
    .map(
      (f) =>
        `${createHash('md5')
          .update(readFileSync(join(stage, f)))
          .digest('hex')}  ${f}`,
    )
    .join('\n');
  writeFileSync(join(stage, 'DEBIAN/md5sums'), `${sums}\n`, { mode: 0o644 });
}

function install(from: string, to: string, mode: number): void {
  mkdirSync(dirname(to), { recursive: true, mode: 0o755 });
  cpSync(from, to);
  chmodSync(to, mode);
}

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path, base) : [relative(base, path)];
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: { version: { type: 'string' }, out: { type: 'string' } },
  });
  buildDeb({ version: values.version, outDir: values.out }).then(
    (deb) => console.log(`built ${relative(process.cwd(), deb) || deb}`),
    (error: unknown) => {
      console.error(`edge:package: ${(error as Error).message}`);
      process.exitCode = 1;
    },
  );
}
