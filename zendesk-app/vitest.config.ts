import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';
import { lodashShims } from './scripts/slimDependencies.ts';
import { callerHistorySchemaPlugin, ticketCallsSchemaPlugin } from './scripts/ticketCallsSchema.ts';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Component tests in happy-dom, and the packager's checks in Node (see `// @vitest-environment`).
export default defineConfig({
  root: here('.'),
  plugins: [react(), ticketCallsSchemaPlugin(), callerHistorySchemaPlugin()],
  resolve: {
    dedupe: ['react', 'react-dom', 'styled-components'],
    // Garden runs on the bundle's stand-ins (lodashShims.test.ts compares them with the packages).
    alias: lodashShims,
    // ESM builds, so Vite resolves their `react` imports (and `dedupe` applies) rather than Node's
    // require, which would find whatever React npm hoisted to the repository root.
    mainFields: ['module', 'browser', 'main'],
  },
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'scripts/**/*.test.ts'],
    environment: 'happy-dom',
    setupFiles: [here('./src/test/setup.ts')],
    // Run Garden and styled-components through Vite so `dedupe` gives them the app's React 18.
    server: { deps: { inline: true } },
  },
});
