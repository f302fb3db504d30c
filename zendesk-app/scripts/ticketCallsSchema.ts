// The call-record schema (and the caller history's) reaches the app's bundle as JSON Schema, derived
// at build time from the zod schemas the Worker serves (src/app/lib/contract.ts), and checked by
// src/app/lib/jsonSchema.ts.
import { tsImport } from 'tsx/esm/api';
import type { Plugin } from 'vite';
import { z } from 'zod';
import { CHECKED_KEYWORDS, type JsonSchema } from '../src/app/lib/jsonSchema.ts';

/**
 * `TicketCallsSchema` (or another answer's schema) as JSON Schema, as the bridge's answer must look (zod's input side: unknown
 * properties allowed). No descriptions or examples: the app needs the shape, not the prose.
 * Throws when zod cannot express a part, or writes a keyword jsonSchema.ts does not check.
 */
export function ticketCallsJsonSchema(ticketCalls: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(ticketCalls, {
    io: 'input',
    unrepresentable: 'throw',
    metadata: new z.core.$ZodRegistry<Record<string, unknown>>(),
  });
  assertChecked(schema);
  return schema as JsonSchema;
}

/** Throws unless every keyword in `schema` is one src/app/lib/jsonSchema.ts checks. */
export function assertChecked(schema: unknown, path = '') {
  if (typeof schema !== 'object' || schema === null) return;
  for (const [key, value] of Object.entries(schema)) {
    if (!(CHECKED_KEYWORDS as readonly string[]).includes(key)) {
      throw new Error(
        `the call-record JSON Schema uses "${key}" at ${path || '/'}, which ` +
          'src/app/lib/jsonSchema.ts does not check: teach it that keyword',
      );
    }
    if (key === 'properties') {
      for (const [name, sub] of Object.entries(value as object)) {
        assertChecked(sub, `${path}/properties/${name}`);
      }
    } else if (key === 'anyOf') {
      (value as unknown[]).forEach((sub, i) => assertChecked(sub, `${path}/anyOf/${i}`));
    } else if (key === 'items') {
      assertChecked(value, `${path}/items`);
    }
  }
}

type Contract = typeof import('../src/app/lib/contract.ts');

/** A virtual module whose default export is one of the contract's schemas as JSON Schema. */
function contractSchemaPlugin(moduleId: string, pick: (contract: Contract) => z.ZodType): Plugin {
  const resolved = `\0${moduleId}`;
  return {
    name: `sip-bridge:${moduleId.replace(/^virtual:/, '')}`,
    resolveId: (id) => (id === moduleId ? resolved : undefined),
    load: async (id) => {
      if (id !== resolved) return undefined;
      return `export default ${JSON.stringify(ticketCallsJsonSchema(pick(await loadContract())))};`;
    },
  };
}

/** Serves `virtual:ticket-calls-schema` to the app (build, dev server and tests). */
export const ticketCallsSchemaPlugin = () =>
  contractSchemaPlugin('virtual:ticket-calls-schema', (c) => c.TicketCallsSchema);

/** Serves `virtual:caller-history-schema`, the answer of the caller-history endpoint. */
export const callerHistorySchemaPlugin = () =>
  contractSchemaPlugin('virtual:caller-history-schema', (c) => c.CallerHistorySchema);

/**
 * src/app/lib/contract.ts through tsx: Vite bundles its config (and this plugin) but leaves
 * workspace packages such as @sip-bridge/contract external, and Node cannot load their TypeScript.
 */
function loadContract(): Promise<Contract> {
  return tsImport('../src/app/lib/contract.ts', import.meta.url);
}
