// Parts of the app's dependencies that every browser Zendesk supports already has, swapped out of
// the bundle (and out of the app's tests, so they run what ships). Each saves what its comment says.
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const PLATFORM_PROMISE = '\0sip-bridge:platform-promise';

/**
 * The ZAF SDK takes `window.Promise || require('./vendor/native-promise-only')`: every browser
 * Zendesk supports has Promise, so the polyfill is dead weight (about 1 KB gzipped). Its require
 * gets the platform's own Promise instead.
 */
export function platformPromise(): Plugin {
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
 * Garden's theming takes `lodash.get` and `lodash.memoize`, each with its own Map and hash
 * polyfills; src/shims/ has the same functions on the platform's Map (2 KB gzipped less in the
 * bundle), held to the packages' answers by src/shims/lodashShims.test.ts.
 */
export const lodashShims = {
  'lodash.get': here('../src/shims/lodashGet.ts'),
  'lodash.memoize': here('../src/shims/lodashMemoize.ts'),
};
