// The ESLint rule that keeps relative imports inside their workspace, run on file names in this
// repository (it reads the workspaces from the root package.json).
import { RuleTester } from 'eslint';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import { describe, it } from 'vitest';
import { workspaceImports } from '../../scripts/lint/workspace-imports.mjs';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const at = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const tester = new RuleTester({ languageOptions: { parser: tseslint.parser } });

describe('local/workspace-imports', () => {
  tester.run('workspace-imports', workspaceImports, {
    valid: [
      // Inside one workspace, however far up: the edge's agent, renderer and cli are one package.
      {
        filename: at('kamailio/agent/edge-config.ts'),
        code: "import { x } from '../renderer/config-schema';",
      },
      { filename: at('kamailio/agent/server.ts'), code: "export { y } from './schemas';" },
      {
        filename: at('zendesk-app/src/app/i18n/x.ts'),
        code: "import en from '../../../translations/en.json';",
      },
      // The root workspace holds scripts/ and test/.
      {
        filename: at('test/app/bridge.ts'),
        code: "import { a } from '../../scripts/lib/local-worker.mjs';",
      },
      {
        filename: at('test/zendesk-standin/handlers/users.ts'),
        code: "import { b } from '../store';",
      },
      // Package names are what the rule asks for.
      {
        filename: at('kamailio/agent/loopback.ts'),
        code: "import { parseCidr } from '@sip-bridge/contract/cidr';",
      },
      {
        filename: at('kamailio/cli/status-read.ts'),
        code: "import type { Dialog } from 'kamailio-jsonrpc';",
      },
      {
        filename: at('worker/test/harness.ts'),
        code: 'const m = await import(`@sip-bridge/zendesk-standin/app`);',
      },
      { filename: at('test/sip/x.ts'), code: "import { readFile } from 'node:fs/promises';" },
    ],
    invalid: [
      {
        filename: at('kamailio/agent/acl-sync.ts'),
        code: "import { parseCidr } from '../../worker/src/net/cidr';",
        errors: [
          {
            message:
              "'../../worker/src/net/cidr' reaches from kamailio/ (@sip-bridge/edge) into worker/ (@sip-bridge/worker): import it by its package name, '@sip-bridge/worker' (add what is missing to its exports).",
          },
        ],
      },
      {
        // A nested workspace is its own: the JSON-RPC client inside the edge's folder.
        filename: at('kamailio/cli/status.ts'),
        code: "export * from '../jsonrpc/src/index';",
        errors: [
          {
            message:
              "'../jsonrpc/src/index' reaches from kamailio/ (@sip-bridge/edge) into kamailio/jsonrpc/ (kamailio-jsonrpc): import it by its package name, 'kamailio-jsonrpc' (add what is missing to its exports).",
          },
        ],
      },
      {
        filename: at('kamailio/jsonrpc/src/client.ts'),
        code: "import { log } from '../../agent/log';",
        errors: [{ messageId: 'intoPackage' }],
      },
      {
        filename: at('worker/test/harness.ts'),
        code: "import { OPEN_TICKET_ID } from '../../test/zendesk-standin/seed';",
        errors: [{ messageId: 'intoPackage' }],
      },
      {
        // Into the root workspace, which is no package.
        filename: at('test/zendesk-standin/app.ts'),
        code: "import { bridge } from '../app/bridge';",
        errors: [{ messageId: 'intoRoot' }],
      },
      {
        filename: at('test/sip/full-path.test.ts'),
        code: "import type { CallRecord } from '../../worker/src/schemas/calls';",
        errors: [{ messageId: 'intoPackage' }],
      },
      {
        // Dynamic imports, re-exports, require() and TypeScript's import types too.
        filename: at('scripts/bench-worker.mjs'),
        code: [
          "const m = await import('../worker/src/auth/edge-signature.ts');",
          'const n = await import(`../contract/src/cidr.ts`);',
          "export { x } from '../kamailio/agent/log';",
          "const r = require('../zendesk-app/src/main.tsx');",
          "type T = import('../worker/src/env').Env;",
          "import j = require('../worker/src/env');",
        ].join('\n'),
        errors: 6,
      },
    ],
  });
});
