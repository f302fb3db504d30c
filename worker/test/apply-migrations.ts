import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

// D1 is fresh per test file: bring it to the current schema first.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
