// scripts/lib runs under plain Node, which cannot load TypeScript: npm start and npm test import
// these scripts before npm ci has run. The edge's own modules (the retry helper, the Kamailio
// JSON-RPC client) come through tsx once the packages are installed, so the scripts share them
// instead of keeping copies.

/**
 * Imports a TypeScript module by package name (`kamailio-jsonrpc`, `@sip-bridge/edge/agent/retry`).
 * @example const { retry } = await importTs('@sip-bridge/edge/agent/retry');
 */
export async function importTs(specifier) {
  const { tsImport } = await import('tsx/esm/api');
  return tsImport(specifier, import.meta.url);
}
