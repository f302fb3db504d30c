// Checks an app package the way Zendesk's validator (zendesk_apps_support) does before upload,
// plus this project's own rules (every locale complete, every parameter labelled, logo sizes, every
// file the built assets refer to is in the package).
import { checkAssets } from './assetRules';
import { checkManifest } from './manifestRules';
import { isObject, readJson, type Json, type PackageFiles, type Problem } from './packageFiles';
import { pngSize } from './png';
import { checkTranslations } from './translationRules';

export { type PackageFiles, type Problem } from './packageFiles';

const LOGOS = { 'assets/logo.png': 320, 'assets/logo-small.png': 128 } as const;
const MANIFEST = 'manifest.json';

/**
 * Every problem Zendesk (and this project) would find in a package; errors block the upload.
 * @example
 * const problems = checkPackage(new Map([['manifest.json', bytes], …]));
 */
export function checkPackage(files: PackageFiles): Problem[] {
  const problems: Problem[] = [];
  const manifestJson = readJson(files, MANIFEST, problems);
  let manifest: Json | undefined;
  if (!files.has(MANIFEST))
    problems.push({
      level: 'error',
      file: MANIFEST,
      key: '(file)',
      message: 'the package has no manifest.json at its root',
    });
  else if (manifestJson !== undefined && !isObject(manifestJson)) {
    problems.push({
      level: 'error',
      file: MANIFEST,
      key: '(file)',
      message: 'must be a JSON object',
    });
  } else if (isObject(manifestJson)) {
    manifest = manifestJson;
    checkManifest(manifest, files, (p) => problems.push({ ...p, file: MANIFEST }));
  }
  checkTranslations(files, manifest, problems);
  checkAssets(files, problems);
  for (const [file, size] of Object.entries(LOGOS)) {
    const bytes = files.get(file);
    const dims = bytes && pngSize(bytes);
    if (!dims)
      problems.push({
        level: 'error',
        file,
        key: '(file)',
        message: `missing or not a PNG (${size}×${size} expected)`,
      });
    else if (dims.width !== size || dims.height !== size) {
      problems.push({
        level: 'error',
        file,
        key: '(file)',
        message: `is ${dims.width}×${dims.height}, expected ${size}×${size}`,
      });
    }
  }
  return problems;
}

/** One line per problem: level, file, key and what to do. */
export const formatProblem = (p: Problem) =>
  `${p.level.padEnd(7)} ${p.file}  ${p.key}: ${p.message}`;
