// `npm run build -w zendesk-app`: Vite build into dist/assets/, then the gzipped sizes of the initial
// download and of each chunk loaded later (also written to test-results/app-bundle.json, which
// `npm run bench` reads).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import {
  BUDGET_BYTES,
  CONSOLE_BUDGET_BYTES,
  CONSOLE_LAZY_CHUNKS,
  budgetProblems,
  kb,
  measureBundle,
  type BuildItem,
  type BundleSize,
} from './bundleSize';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const reportFile = fileURLToPath(new URL('../../test-results/app-bundle.json', import.meta.url));

/** One line per file, what loads it, then the initial download and each lazy chunk. */
function printSizes(size: BundleSize) {
  for (const f of size.files) {
    console.log(
      `  ${f.name.padEnd(36)} ${kb(f.bytes).padStart(9)}  gzip ${kb(f.gzipped).padStart(8)}  ${f.loads}`,
    );
  }
  for (const c of size.lazy) {
    const verdict = c.gzipped <= c.budgetBytes ? 'within' : 'OVER';
    console.log(
      `lazy ${c.what}: ${kb(c.gzipped)} gzipped (${c.files.join(', ')}), ${verdict} its ${kb(c.budgetBytes)} budget`,
    );
  }
  const verdict = size.initial.gzipped <= BUDGET_BYTES ? 'within' : 'OVER';
  const locale = size.initial.locale
    ? ` with the largest locale, ${size.initial.locale}; ${kb(size.initial.englishGzipped)} in English`
    : '';
  console.log(
    `bundle: ${kb(size.initial.gzipped)} gzipped initial download (HTML, CSS and JS to the first paint${locale}), ${verdict} the ${kb(BUDGET_BYTES)} budget; ${kb(size.totalGzipped)} in all`,
  );
}

/** One Vite build (the sidebar's config, or the console's) and its sizes. */
async function buildOne(
  config: string,
  quiet: boolean,
  lazyChunks?: typeof CONSOLE_LAZY_CHUNKS,
): Promise<BundleSize> {
  const result = await build({
    configFile: `${appDir}${config}`,
    logLevel: quiet ? 'warn' : 'info',
  });
  if (!('output' in result)) throw new Error('the Vite build gave no single output');
  return measureBundle(result.output as BuildItem[], appDir, lazyChunks);
}

/**
 * Builds the app (the sidebar, then the admin console's own bundle beside it) and returns the
 * sidebar's sizes (throws over a budget). With `report`, also writes both as JSON to that file
 * (before the budget check): the sidebar's at the top level, as before, the console's as `console`.
 */
export async function buildApp({
  quiet = false,
  report,
}: { quiet?: boolean; report?: string } = {}): Promise<BundleSize> {
  // A NODE_ENV inherited from a test runner would otherwise bundle React's development build.
  process.env.NODE_ENV = 'production';
  const size = await buildOne('vite.config.ts', quiet);
  printSizes(size);
  const consoleSize = await buildOne('vite.console.config.ts', quiet, CONSOLE_LAZY_CHUNKS);
  for (const c of consoleSize.lazy) {
    const verdict = c.gzipped <= c.budgetBytes ? 'within' : 'OVER';
    console.log(
      `lazy ${c.what}: ${kb(c.gzipped)} gzipped (${c.files.join(', ')}), ${verdict} its ${kb(c.budgetBytes)} budget`,
    );
  }
  const consoleVerdict = consoleSize.initial.gzipped <= CONSOLE_BUDGET_BYTES ? 'within' : 'OVER';
  console.log(
    `admin console (nav_bar, admins only, shares nothing with the sidebar): ${kb(consoleSize.initial.gzipped)} gzipped initial download, ${consoleVerdict} its ${kb(CONSOLE_BUDGET_BYTES)} budget`,
  );
  if (report) {
    mkdirSync(dirname(report), { recursive: true });
    const json = {
      at: new Date().toISOString(),
      budgetBytes: BUDGET_BYTES,
      ...size,
      console: { budgetBytes: CONSOLE_BUDGET_BYTES, ...consoleSize },
    };
    writeFileSync(report, `${JSON.stringify(json, null, 2)}\n`);
  }
  const problems = [
    ...budgetProblems(size),
    ...budgetProblems(consoleSize, {
      budget: CONSOLE_BUDGET_BYTES,
      lazyChunks: CONSOLE_LAZY_CHUNKS,
      what: "the admin console's initial download",
    }),
  ];
  if (problems.length) throw new Error(problems.join('; '));
  return size;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildApp({ report: reportFile }).catch((e: unknown) => {
    console.error(`build failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
