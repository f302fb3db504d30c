import { defineConfig } from 'vitest/config';

// Suites that break in the ways `npm test`'s closing count must notice (test/scripts/vitest-count.test.ts).
export default defineConfig({
  test: { include: ['*.fixture.ts'], root: new URL('.', import.meta.url).pathname },
});
