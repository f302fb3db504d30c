import type { D1Migration } from '@cloudflare/vitest-pool-workers';
import type { Env as BridgeEnv } from '../src/env';

declare global {
  namespace Cloudflare {
    interface Env extends BridgeEnv {
      TEST_MIGRATIONS: D1Migration[];
    }
    interface GlobalProps {
      mainModule: typeof import('../src/index');
    }
  }
}
