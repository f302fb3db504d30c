// `npm run build -w zendesk-app`: Vite build into dist/assets/, then the gzipped bundle size (also
// written to test-results/app-bundle.json, which `npm run bench` reads).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { BUDGET_BYTES, kb, measureBundle } from './bundleSize';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const assetsDir = fileURLToPath(new URL('../dist/assets', import.meta.url));
const reportFile = fileURLToPath(new URL('../../test-results/app-bundle.json', import.meta.url));

/**
 * Builds the app and returns its gzipped JS + CSS size in bytes (throws over budget). With
 * `report`, also writes the sizes as JSON to that file (before the budget check).
 */
export async function buildApp({
  quiet = false,
  report,
}: { quiet?: boolean; report?: string } = {}): Promise<number> {
  // A NODE_ENV inherited from a test runner would otherwise bundle React's development build.
  process.env.NODE_ENV = 'production';
  await build({ configFile: `${appDir}vite.config.ts`, logLevel: quiet ? 'warn' : 'info' });
  const size = measureBundle(assetsDir);
  for (const f of size.files) {
    console.log(
      `  ${f.name.padEnd(40)} ${kb(f.bytes).padStart(9)}  gzip ${kb(f.gzipped).padStart(8)}`,
    );
  }
  const verdict = size.gzipped <= BUDGET_BYTES ? 'within' : 'OVER';
  console.log(
    `bundle: ${kb(size.gzipped)} gzipped (JS + CSS), ${verdict} the ${kb(BUDGET_BYTES)} budget`,
  );
  if (report) {
    mkdirSync(dirname(report), { recursive: true });
    const json = { at: new Date().toISOString(), budgetBytes: BUDGET_BYTES, ...size };
    writeFileSync(report, `${JSON.stringify(json, null, 2)}\n`);
  }
  if (size.gzipped > BUDGET_BYTES) throw new Error('the app bundle is over its size budget');
  return size.gzipped;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildApp({ report: reportFile }).catch((e: unknown) => {
    console.error(`build failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
