import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { callerHistorySchemaPlugin, ticketCallsSchemaPlugin } from './scripts/ticketCallsSchema.ts';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const PLATFORM_PROMISE = '\0sip-bridge:platform-promise';

/**
 * The ZAF SDK takes `window.Promise || require('./vendor/native-promise-only')`: every browser
 * Zendesk supports has Promise, so the polyfill is dead weight (about 1 KB gzipped). Its require
 * gets the platform's own Promise instead.
 */
function platformPromise(): Plugin {
  return {
    name: 'sip-bridge:platform-promise',
    enforce: 'pre',
    resolveId: (source, importer) =>
      source === './vendor/native-promise-only' && importer?.includes('zendesk_app_framework_sdk')
        ? PLATFORM_PROMISE
        : undefined,
    load: (id) => (id === PLATFORM_PROMISE ? 'module.exports = globalThis.Promise;' : undefined),
  };
}

/**
 * Builds the sidebar into dist/assets/ (iframe.html, one JS and one CSS file beside it), the
 * folder Zendesk serves a ZAF v2 app's location URL `assets/iframe.html` from.
 */
export default defineConfig({
  root: here('./src'),
  base: './',
  // Logos are drawn by scripts/logos.ts when packaging, not kept as binaries.
  publicDir: false,
  plugins: [react(), ticketCallsSchemaPlugin(), callerHistorySchemaPlugin(), platformPromise()],
  // Garden's packages are hoisted to the repository root, where npm may have placed another React
  // to satisfy an old peer range; the app must bundle exactly one copy, its own React 18.
  resolve: { dedupe: ['react', 'react-dom', 'styled-components'] },
  build: {
    outDir: here('./dist/assets'),
    emptyOutDir: true,
    assetsDir: '',
    target: 'es2022',
    reportCompressedSize: false,
    rolldownOptions: { input: here('./src/iframe.html') },
  },
});
