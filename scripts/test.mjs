// `npm test`: installs what is missing, then runs every suite and prints one closing count.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianPackages, ensureNpmPackages, ROOT, WRANGLER_ENV } from './lib/bootstrap.mjs';
import { countReport } from './lib/vitest-count.mjs';

ensureNpmPackages();
// Real parts: Kamailio and sipp for the SIP suites (iproute2 for their network namespaces),
// Chromium for the app's browser tests, debootstrap and systemd-nspawn for the deployment tests.
ensureDebianPackages(
  [
    'kamailio',
    'kamailio-extra-modules',
    'kamailio-utils-modules',
    'kamailio-tls-modules',
    'sip-tester',
    'iproute2',
    'chromium',
    // A CJK font, so the Korean sidebar screenshot shows text rather than empty boxes.
    'fonts-nanum',
    // The deployment tests: Debian 12 and 13 root filesystems booted under systemd-nspawn.
    'debootstrap',
    'systemd-container',
  ],
  'the SIP, browser and deployment tests',
);

const results = join(ROOT, 'test-results');
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

const bin = (name) => join(ROOT, 'node_modules', '.bin', name);
// Vitest's JSON report plus the unhandled errors (see scripts/lib/vitest-count.mjs for the count).
const JSON_REPORTER = `--reporter=${join(ROOT, 'scripts', 'lib', 'json-reporter.mjs')}`;
const steps = [
  { name: 'format (prettier)', cmd: bin('prettier'), args: ['--check', '.'] },
  { name: 'lint (eslint)', cmd: bin('eslint'), args: ['.'] },
  { name: 'types (tsc -b)', cmd: bin('tsc'), args: ['-b'] },
  {
    name: 'worker (vitest in workerd, local D1)',
    cmd: bin('vitest'),
    args: [
      'run',
      '--root',
      'worker',
      '--reporter=default',
      JSON_REPORTER,
      `--outputFile.json=${join(results, 'worker.json')}`,
    ],
    report: 'worker.json',
  },
  {
    name: 'sidebar app (vitest in happy-dom)',
    cmd: bin('vitest'),
    args: [
      'run',
      '--root',
      'zendesk-app',
      '--reporter=default',
      JSON_REPORTER,
      `--outputFile.json=${join(results, 'app.json')}`,
    ],
    report: 'app.json',
  },
  // Built once here, so the suites that serve it (browser, npm start) never build it concurrently.
  { name: 'sidebar app build (bundle size)', cmd: 'npm', args: ['run', 'app:build'] },
  {
    name: 'cross-part (vitest in Node)',
    cmd: bin('vitest'),
    args: [
      'run',
      '--config',
      'test/vitest.config.ts',
      '--reporter=default',
      JSON_REPORTER,
      `--outputFile.json=${join(results, 'node.json')}`,
    ],
    report: 'node.json',
  },
];

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
for (const step of steps) {
  console.log(`\n━━ ${step.name}`);
  const started = Date.now();
  const res = spawnSync(step.cmd, step.args, {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, ...WRANGLER_ENV },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (step.report) {
    const reportPath = join(results, step.report);
    const report = existsSync(reportPath)
      ? JSON.parse(readFileSync(reportPath, 'utf8'))
      : undefined;
    const count = countReport(report, res.status);
    passed += count.passed;
    failed += count.failed;
    skipped += count.skipped;
    for (const p of count.problems) console.log(`✖ ${p}`);
  } else if (res.status !== 0) {
    failed += 1;
  }
  if (res.status !== 0) failures.push(step.name);
  console.log(`━━ ${step.name}: ${res.status === 0 ? 'ok' : 'FAILED'} in ${seconds} s`);
}

console.log(failures.length ? `\nFailed steps: ${failures.join(', ')}` : '\nAll steps passed.');
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failures.length ? 1 : 0);
