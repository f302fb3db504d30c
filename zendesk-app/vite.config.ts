import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { lodashShims, platformPromise } from './scripts/slimDependencies.ts';
import { callerHistorySchemaPlugin, ticketCallsSchemaPlugin } from './scripts/ticketCallsSchema.ts';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Builds the sidebar into dist/assets/ (iframe.html, the entry's JS and CSS, and beside them the
 * chunks loaded later: locales, lazy parts), the folder Zendesk serves a ZAF v2 app's location URL
 * `assets/iframe.html` from. `base: './'` makes every reference relative to the file that holds
 * it, so the chunks load from wherever Zendesk hosts the assets.
 */
export default defineConfig({
  root: here('./src'),
  base: './',
  // Logos are drawn by scripts/logos.ts when packaging, not kept as binaries.
  publicDir: false,
  plugins: [react(), ticketCallsSchemaPlugin(), callerHistorySchemaPlugin(), platformPromise()],
  resolve: {
    // Garden's packages are hoisted to the repository root, where npm may have placed another React
    // to satisfy an old peer range; the app must bundle exactly one copy, its own React 18.
    dedupe: ['react', 'react-dom', 'styled-components'],
    alias: lodashShims,
  },
  build: {
    outDir: here('./dist/assets'),
    emptyOutDir: true,
    assetsDir: '',
    target: 'es2022',
    reportCompressedSize: false,
    // Every browser Zendesk supports has <link rel=modulepreload>: no polyfill (0.2 KB gzipped).
    modulePreload: { polyfill: false },
    rolldownOptions: { input: here('./src/iframe.html') },
  },
});
