// Types for local-app.mjs.
export function ensureAppBuilt(): boolean;
export function startSidebarHarness(options: {
  port: number;
  workerUrl: string;
  appJwtSecret: string;
  zendesk: unknown;
}): Promise<string>;
