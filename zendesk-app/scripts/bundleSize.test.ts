// @vitest-environment node
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { budgetProblems, LAZY_CHUNKS, measureBundle, type BuildItem } from './bundleSize';

const ROOT = '/app/';
const LAZY = Object.keys(LAZY_CHUNKS);

/** Random text of `n` bytes, which gzip cannot shrink much, so sizes are easy to tell apart. */
const noise = (n: number) => randomBytes(n).toString('base64').slice(0, n);

function chunk(
  fileName: string,
  facade: string | null,
  {
    imports = [] as string[],
    dynamicImports = [] as string[],
    css = [] as string[],
    size = 200,
  } = {},
): BuildItem {
  return {
    type: 'chunk',
    fileName,
    code: noise(size),
    isEntry: fileName.startsWith('iframe'),
    facadeModuleId: facade && ROOT + facade,
    imports,
    dynamicImports,
    viteMetadata: { importedCss: new Set(css) },
  };
}
const asset = (fileName: string, source: string): BuildItem => ({
  type: 'asset',
  fileName,
  source,
});

/** A build like the app's: HTML, entry with CSS, locales, a location chunk, the lazy parts. */
function app({ lazy = true, extra = [] as BuildItem[] } = {}) {
  const parts = lazy
    ? LAZY.map((module, i) =>
        chunk(`Lazy${i}-1.js`, module, { imports: ['iframe-1.js', 'shared-1.js'] }),
      )
    : [];
  return [
    asset('iframe.html', '<script type="module" src="./iframe-1.js"></script>'),
    asset('iframe-1.css', 'main{padding:0}'),
    chunk('iframe-1.js', 'src/iframe.html', {
      css: ['iframe-1.css'],
      dynamicImports: ['fr-1.js', 'ru-1.js', 'TicketSideBar-1.js'],
      size: 3000,
    }),
    chunk('fr-1.js', 'translations/fr.json', { size: 300 }),
    chunk('ru-1.js', 'translations/ru.json', { size: 500 }),
    chunk('TicketSideBar-1.js', 'src/app/locations/TicketSideBar.tsx', {
      imports: ['iframe-1.js'],
      dynamicImports: parts.map((c) => c.fileName),
      size: 1000,
    }),
    ...parts,
    chunk('shared-1.js', null, { size: 400 }),
    ...extra,
  ];
}

describe('measureBundle', () => {
  it('counts the entry, its CSS, the HTML, the location chunk and the largest locale as initial', () => {
    const size = measureBundle(app({ lazy: false }), ROOT);
    const gz = (name: string) => size.files.find((f) => f.name === name)!.gzipped;
    expect(size.initial.files).toEqual([
      'TicketSideBar-1.js',
      'iframe-1.css',
      'iframe-1.js',
      'iframe.html',
      'shared-1.js', // imported by nothing the graph explains: counted, not left out
    ]);
    expect(size.initial.locale).toBe('ru');
    expect(size.initial.englishGzipped).toBe(size.initial.files.reduce((sum, f) => sum + gz(f), 0));
    expect(size.initial.gzipped).toBe(size.initial.englishGzipped + gz('ru-1.js'));
    expect(size.locales.map((l) => [l.locale, l.file])).toEqual([
      ['fr', 'fr-1.js'],
      ['ru', 'ru-1.js'],
    ]);
    expect(size.totalGzipped).toBe(size.files.reduce((sum, f) => sum + f.gzipped, 0));
  });

  it('reports each lazy chunk apart, with what it imports that the start did not load', () => {
    const size = measureBundle(app(), ROOT);
    expect(size.initial.files).toEqual([
      'TicketSideBar-1.js',
      'iframe-1.css',
      'iframe-1.js',
      'iframe.html',
    ]);
    expect(size.lazy).toEqual(
      LAZY.map((module, i) =>
        expect.objectContaining({ module, files: [`Lazy${i}-1.js`, 'shared-1.js'] }),
      ),
    );
    expect(size.files.find((f) => f.name === 'shared-1.js')?.loads).toBe(`lazy:${LAZY[0]}`);
    expect(budgetProblems(size)).toEqual([]);
  });

  it('fails over 100 KB initial, and for a lazy module built into another chunk', () => {
    const big = app({ lazy: false, extra: [chunk('big-1.js', null, { size: 160_000 })] });
    const problems = budgetProblems(measureBundle(big, ROOT));
    expect(problems[0]).toMatch(
      /^the initial download is 1\d\d\.\d KB gzipped, over its 100\.0 KB budget$/,
    );
    expect(problems.slice(1)).toEqual(
      LAZY.map((module) => expect.stringContaining(`${module} is meant to load on demand`)),
    );
  });
});
