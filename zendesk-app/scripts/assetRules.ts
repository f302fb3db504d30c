// The built app's files under assets/ name each other (the page its scripts and styles, the entry
// its chunks: locales, lazy parts): every such reference must be relative and name a file in the
// package, or the agent's browser asks Zendesk for a file that is not there, and a part loaded on
// demand would fail only when an agent opens it.
import type { PackageFiles, Problem } from './packageFiles';

const HTML_REFERENCE = /\b(?:src|href)="([^"]+)"/g;
// A string literal naming a script or style sheet: imports, import(), Vite's preload lists.
const JS_REFERENCE = /(["'`])([^"'`\s]*\.(?:js|css))\1/g;
const EXTERNAL = /^(?:[a-z][a-z\d+.-]*:|\/\/)/i;

/** `./chunk.js` or `../assets/x.css` from `assets/iframe.js` → `assets/chunk.js`, `assets/x.css`. */
function resolve(from: string, reference: string): string {
  const parts = from.split('/').slice(0, -1);
  for (const part of reference.split(/[?#]/)[0]!.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.' && part !== '') parts.push(part);
  }
  return parts.join('/');
}

/** Every reference in one file of assets/, as written. */
function referencesIn(file: string, text: string): string[] {
  if (file.endsWith('.html')) {
    return [...text.matchAll(HTML_REFERENCE)]
      .map((m) => m[1]!)
      .filter((ref) => !EXTERNAL.test(ref) && !ref.startsWith('#'));
  }
  // Only names that look like paths: a bare "x.js" in a bundled library is not a reference.
  return [...text.matchAll(JS_REFERENCE)].map((m) => m[2]!).filter((ref) => ref.includes('/'));
}

/**
 * Problems with the references between the files under assets/: absolute ones (they would ask
 * Zendesk's host root, not the app's assets; Vite's `base` must be './') and ones naming a file
 * the package does not hold.
 */
export function checkAssets(files: PackageFiles, problems: Problem[]) {
  for (const [file, bytes] of files) {
    if (!/^assets\/[^/]+\.(?:html|js|css)$/.test(file)) continue;
    for (const reference of new Set(referencesIn(file, new TextDecoder().decode(bytes)))) {
      const error = (message: string) =>
        problems.push({ level: 'error', file, key: reference, message });
      if (EXTERNAL.test(reference)) continue;
      if (reference.startsWith('/')) {
        error(`is an absolute URL: inside Zendesk it must be relative (Vite's base: './')`);
      } else if (reference.startsWith('./') || reference.startsWith('../')) {
        const target = resolve(file, reference);
        if (!files.has(target)) error(`names ${target}, which the package does not hold`);
      }
    }
  }
}
