// Modules the build makes (vite.config.ts, vitest.config.ts).
declare module 'virtual:ticket-calls-schema' {
  /** `TicketCallsSchema` (src/app/lib/contract.ts) as JSON Schema; see scripts/ticketCallsSchema.ts. */
  const schema: import('../app/lib/jsonSchema').JsonSchema;
  export default schema;
}

declare module 'virtual:caller-history-schema' {
  /** `CallerHistorySchema` (src/app/lib/contract.ts) as JSON Schema; see scripts/ticketCallsSchema.ts. */
  const schema: import('../app/lib/jsonSchema').JsonSchema;
  export default schema;
}
