import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Worker tests run inside workerd with a real local D1 (fresh per test file).
export default defineConfig({
  plugins: [
    cloudflareTest(async () => ({
      wrangler: { configPath: './wrangler.jsonc' },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations(
            fileURLToPath(new URL('./migrations', import.meta.url)),
          ),
          EDGE_SECRET: 'test-edge-secret-0123456789abcdef',
          APP_JWT_SECRET: 'test-app-secret-0123456789abcdef',
          ADMIN_TOKEN: 'test-admin-token-0123456789abcdef',
          ZENDESK_API_TOKEN: 'test-zendesk-token',
          ZENDESK_BASE_URL: 'https://standin.zendesk.com',
          // Note jobs are polled at once: the stand-in runs a job on its second poll.
          NOTE_POLL_DELAY_MS: '0',
          // Notes are flushed without lingering (note-linger.test.ts covers the linger).
          NOTE_LINGER_MS: '0',
        },
      },
    })),
  ],
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['./test/apply-migrations.ts'],
  },
});
