// Types for deploy-config.mjs, for the tests of npm run worker:deploy.
export const WORKER_DIR: string;
export const DEPLOY_DIR: string;
export const OPTIONAL_VARS: string[];
export class DeployConfigError extends Error {}
export function zendeskBaseUrl(value: unknown, what: string): string;
export interface WranglerConfig {
  name: string;
  main: string;
  d1_databases: {
    binding: string;
    database_name: string;
    database_id: string;
    migrations_dir?: string;
  }[];
  vars: Record<string, string>;
  [key: string]: unknown;
}
export function readWranglerConfig(path?: string): WranglerConfig;
export function deployConfig(
  input: {
    zendesk?: string;
    email?: string;
    databaseId?: string;
    name?: string;
    dryRun?: boolean;
    vars?: string[];
  },
  base?: WranglerConfig,
): WranglerConfig;
export function writeDeployConfig(config: WranglerConfig): string;
