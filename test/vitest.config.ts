import { defineConfig } from 'vitest/config';

// Node-side tests: the contract's, the edge's (kamailio/), npm start's (scripts/), and those that
// cross parts (the Zendesk stand-in, SIP and browser suites).
export default defineConfig({
  test: {
    include: [
      'contract/**/*.test.ts',
      'test/**/*.test.ts',
      'kamailio/**/*.test.ts',
      'scripts/**/*.test.ts',
    ],
    root: new URL('..', import.meta.url).pathname,
  },
});
