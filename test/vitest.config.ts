import { defineConfig } from 'vitest/config';

// Node-side tests that cross parts (the Zendesk stand-in, later SIP and browser suites).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'kamailio/**/*.test.ts'],
    root: new URL('..', import.meta.url).pathname,
  },
});
