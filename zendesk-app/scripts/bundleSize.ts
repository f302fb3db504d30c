// What an agent downloads: the initial download (everything that loads before the first paint)
// and each chunk loaded later, on the agent's action, measured from the build's chunk graph.
import { gzipSync } from 'node:zlib';

/** The gzipped budget for the initial download (HTML, CSS and JS up to the first paint), in bytes. */
export const BUDGET_BYTES = 100 * 1024;

/** The admin console's budget (its own build, for admins only: React and Garden again, no ZAF UI). */
export const CONSOLE_BUDGET_BYTES = 150 * 1024;

/**
 * The chunks the app loads only when the agent asks (React.lazy), by the module each is built
 * from, with a gzipped budget each (what the chunk adds to the initial download).
 */
export const LAZY_CHUNKS: Record<string, { what: string; budgetBytes: number }> = {
  'src/app/components/Transcript.tsx': { what: 'handoff transcript', budgetBytes: 2 * 1024 },
  'src/app/components/PreviousCallsList.tsx': { what: 'previous calls', budgetBytes: 4 * 1024 },
};

/**
 * The admin console's pages other than Lines (ConsolePages.tsx loads each with React.lazy when its
 * tab is first opened), measured like the sidebar's lazy chunks, in the console's own build.
 */
export const CONSOLE_LAZY_CHUNKS: Record<string, { what: string; budgetBytes: number }> = {
  'src/app/console/UsagePage.tsx': { what: 'console usage page', budgetBytes: 8 * 1024 },
  'src/app/console/CallLogPage.tsx': { what: 'console call log page', budgetBytes: 24 * 1024 },
  'src/app/console/RoutingRulesSection.tsx': {
    what: 'console routing rules section',
    budgetBytes: 8 * 1024,
  },
  'src/app/console/WebhookSection.tsx': { what: 'console webhook section', budgetBytes: 4 * 1024 },
};

/** The locales' chunks: one agent loads one of them at start (English is in the entry chunk). */
const LOCALE_MODULE = /(?:^|\/)translations\/([\w-]+)\.json$/;

/** What the measurement needs of one item of Vite's build output (a Rolldown chunk or asset). */
export type BuildItem =
  | {
      type: 'chunk';
      fileName: string;
      code: string;
      isEntry: boolean;
      facadeModuleId: string | null;
      imports: string[];
      dynamicImports: string[];
      viteMetadata?: { importedCss: Set<string> };
    }
  | { type: 'asset'; fileName: string; source: string | Uint8Array };

export interface BuiltFile {
  name: string;
  bytes: number;
  gzipped: number;
  /** `initial`, `locale:<code>` or `lazy:<module>`. */
  loads: string;
}

export interface LazyChunk {
  module: string;
  what: string;
  /** The chunk and whatever it imports that the initial download does not hold. */
  files: string[];
  gzipped: number;
  budgetBytes: number;
}

export interface BundleSize {
  /**
   * HTML, CSS and JS loaded before the first paint, with the largest locale chunk (`locale`);
   * `englishGzipped` without one (English is in the entry chunk).
   */
  initial: { files: string[]; gzipped: number; englishGzipped: number; locale: string | null };
  locales: { locale: string; file: string; gzipped: number }[];
  lazy: LazyChunk[];
  files: BuiltFile[];
  /** Every file together, whatever one agent loads. */
  totalGzipped: number;
}

const gzipped = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length;

/**
 * Splits the build output into the initial download, the locale chunks and the lazy chunks:
 * the entry chunk and its static imports and CSS, then every chunk it imports dynamically that
 * is neither a locale nor declared in LAZY_CHUNKS (the location component loads at start), and
 * so on. A file reached no other way also counts as initial, so nothing escapes the budget.
 * @example
 * const size = measureBundle((await build(config)).output, '/path/to/zendesk-app/');
 */
export function measureBundle(
  output: readonly BuildItem[],
  root: string,
  lazyChunks: typeof LAZY_CHUNKS = LAZY_CHUNKS,
): BundleSize {
  const items = new Map(output.map((item) => [item.fileName, item]));
  const moduleOf = (item: BuildItem) =>
    item.type === 'chunk' && item.facadeModuleId?.startsWith(root)
      ? item.facadeModuleId.slice(root.length)
      : (item.type === 'chunk' && item.facadeModuleId) || '';
  const staticClosure = (name: string, into = new Set<string>()) => {
    const item = items.get(name);
    if (!item || into.has(name)) return into;
    into.add(name);
    if (item.type === 'chunk') {
      for (const css of item.viteMetadata?.importedCss ?? []) into.add(css);
      for (const dep of item.imports) staticClosure(dep, into);
    }
    return into;
  };

  const initial = new Set<string>();
  const locales: BundleSize['locales'] = [];
  const lazyFound = new Map<string, string>();
  const visit = (name: string) => {
    const added = [...staticClosure(name)].filter((f) => !initial.has(f));
    for (const f of added) initial.add(f);
    for (const f of added) {
      const item = items.get(f);
      if (item?.type !== 'chunk') continue;
      for (const dynamic of item.dynamicImports) {
        const target = items.get(dynamic);
        const module = target ? moduleOf(target) : '';
        const locale = LOCALE_MODULE.exec(module)?.[1];
        if (locale) {
          if (!locales.some((l) => l.file === dynamic))
            locales.push({ locale, file: dynamic, gzipped: 0 });
        } else if (lazyChunks[module]) lazyFound.set(module, dynamic);
        else if (!initial.has(dynamic)) visit(dynamic);
      }
    }
  };
  for (const item of output) {
    if (item.type === 'asset' && item.fileName.endsWith('.html')) initial.add(item.fileName);
    if (item.type === 'chunk' && item.isEntry) visit(item.fileName);
  }

  const sizes = new Map(
    output.map((item) => {
      const bytes = new TextEncoder().encode(
        item.type === 'chunk'
          ? item.code
          : typeof item.source === 'string'
            ? item.source
            : new TextDecoder().decode(item.source),
      );
      return [item.fileName, { bytes: bytes.length, gzipped: gzipped(bytes) }];
    }),
  );
  const sizeOf = (files: Iterable<string>) =>
    [...files].reduce((sum, f) => sum + (sizes.get(f)?.gzipped ?? 0), 0);

  for (const l of locales) l.gzipped = sizeOf([l.file]);
  locales.sort((a, b) => a.locale.localeCompare(b.locale));
  const claimed = new Set([...initial, ...locales.map((l) => l.file)]);
  const lazy: LazyChunk[] = [];
  for (const [module, { what, budgetBytes }] of Object.entries(lazyChunks)) {
    const chunk = lazyFound.get(module);
    if (!chunk) continue;
    const files = [...staticClosure(chunk)].filter((f) => !initial.has(f));
    for (const f of files) claimed.add(f);
    lazy.push({ module, what, files, gzipped: sizeOf(files), budgetBytes });
  }
  // Anything the graph did not explain (a chunk no one imports?) is counted as loading at start.
  for (const item of output) {
    if (/\.(js|css|html)$/.test(item.fileName) && !claimed.has(item.fileName))
      initial.add(item.fileName);
  }

  const largest = locales.reduce<(typeof locales)[number] | null>(
    (max, l) => (!max || l.gzipped > max.gzipped ? l : max),
    null,
  );
  const loads = (name: string) => {
    if (initial.has(name)) return 'initial';
    const locale = locales.find((l) => l.file === name);
    if (locale) return `locale:${locale.locale}`;
    return `lazy:${lazy.find((c) => c.files.includes(name))?.module ?? '?'}`;
  };
  const files = [...sizes]
    .filter(([name]) => /\.(js|css|html)$/.test(name))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, size]) => ({ name, ...size, loads: loads(name) }));
  return {
    initial: {
      files: [...initial].sort(),
      gzipped: sizeOf(initial) + (largest?.gzipped ?? 0),
      englishGzipped: sizeOf(initial),
      locale: largest?.locale ?? null,
    },
    locales,
    lazy,
    files,
    totalGzipped: files.reduce((sum, f) => sum + f.gzipped, 0),
  };
}

/** What is over its budget, or a declared lazy module that was not built as a chunk of its own. */
export function budgetProblems(
  size: BundleSize,
  { budget = BUDGET_BYTES, lazyChunks = LAZY_CHUNKS, what = 'the initial download' } = {},
): string[] {
  const problems: string[] = [];
  if (size.initial.gzipped > budget) {
    problems.push(`${what} is ${kb(size.initial.gzipped)} gzipped, over its ${kb(budget)} budget`);
  }
  for (const module of Object.keys(lazyChunks)) {
    const chunk = size.lazy.find((c) => c.module === module);
    if (!chunk) {
      problems.push(
        `${module} is meant to load on demand but was not built as a chunk of its own: ` +
          'import it only through React.lazy(() => import(…))',
      );
    } else if (chunk.gzipped > chunk.budgetBytes) {
      problems.push(
        `the ${chunk.what} chunk is ${kb(chunk.gzipped)} gzipped, over its ${kb(chunk.budgetBytes)} budget`,
      );
    }
  }
  return problems;
}

export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
