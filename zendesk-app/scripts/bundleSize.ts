import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The app's gzipped size budget for JS + CSS, in bytes. */
export const BUDGET_BYTES = 100 * 1024;

export interface BundleSize {
  files: { name: string; bytes: number; gzipped: number }[];
  gzipped: number;
}

/** Sums the gzipped size of every JS and CSS file in the built assets folder. */
export function measureBundle(assetsDir: string): BundleSize {
  const files = readdirSync(assetsDir)
    .filter((name) => /\.(js|css)$/.test(name))
    .sort()
    .map((name) => {
      const bytes = readFileSync(join(assetsDir, name));
      return { name, bytes: bytes.length, gzipped: gzipSync(bytes, { level: 9 }).length };
    });
  return { files, gzipped: files.reduce((sum, f) => sum + f.gzipped, 0) };
}

export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
