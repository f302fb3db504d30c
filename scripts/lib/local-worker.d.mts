// Types for local-worker.mjs, so TypeScript tests can start the Worker the same way scripts do.
export function applyLocalMigrations(options?: { persistTo?: string }): void;
export function freePort(): Promise<number>;
export function randomWorkerSecrets(zendeskApiToken: string): {
  EDGE_SECRET: string;
  ADMIN_TOKEN: string;
  APP_JWT_SECRET: string;
  ZENDESK_API_TOKEN: string;
};
export function wranglerDevCommand(options: {
  port: number;
  persistTo?: string;
  vars?: Record<string, string>;
  testScheduled?: boolean;
  inspectorPort?: number;
}): { cmd: string; args: string[]; options: { cwd: string; env: NodeJS.ProcessEnv } };
export interface LocalWorker {
  url: string;
  port: number;
  stop(): Promise<void>;
  output(): string;
}
export function startLocalWorker(options: {
  port?: number;
  persistTo: string;
  vars: Record<string, string>;
  /** Serve GET /__scheduled (runs the cron once). */
  testScheduled?: boolean;
  timeoutMs?: number;
}): Promise<LocalWorker>;
