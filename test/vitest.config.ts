import { defineConfig } from 'vitest/config';

// Node-side tests: the suites crossing parts (test/), the edge's (kamailio/), npm start's (scripts/).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'kamailio/**/*.test.ts', 'scripts/**/*.test.ts'],
    root: new URL('..', import.meta.url).pathname,
  },
});
