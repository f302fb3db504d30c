// Serves the stand-in over node:http for `npm start` and tests: `npx tsx test/zendesk-standin/server.ts`.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServerAdapter } from '@whatwg-node/server';
import { createZendeskStandin, type StandinOptions, type ZendeskStandin } from './app';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8788;

export interface StartOptions extends StandinOptions {
  host?: string;
  /** 0 picks a free port; read the chosen one from `url`. */
  port?: number;
  /** Receives one line per request; false silences it. Defaults to console.log. */
  log?: ((line: string) => void) | false;
}

export interface RunningStandin {
  /** Base URL, e.g. http://127.0.0.1:8788 (no trailing slash). */
  url: string;
  standin: ZendeskStandin;
  close(): Promise<void>;
}

/**
 * Starts the stand-in on a local port.
 *
 * @example
 * const { url, standin, close } = await startZendeskStandin({ port: 0, log: false });
 */
export async function startZendeskStandin(options: StartOptions = {}): Promise<RunningStandin> {
  const {
    host = DEFAULT_HOST,
    port = DEFAULT_PORT,
    log = console.log,
    ...standinOptions
  } = options;
  const standin = createZendeskStandin(standinOptions);
  const adapter = createServerAdapter(async (request: Request) => {
    const started = performance.now();
    const response = await standin.fetch(request);
    // Path only: queries hold caller numbers, and headers (Authorization) are never logged.
    const path = new URL(request.url).pathname;
    const ms = (performance.now() - started).toFixed(1);
    if (log) log(`${request.method} ${path} ${response.status} ${ms}ms`);
    return response;
  });
  const server = createServer(adapter);
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const address = server.address() as AddressInfo;
  const hostInUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostInUrl}:${address.port}`,
    standin,
    close: () =>
      new Promise<void>((resolveClose, reject) => {
        server.close((e) => (e ? reject(e) : resolveClose()));
        // Keep-alive sockets would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

function integerFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  }
  return value;
}

/** Options for a run from the command line, read from the environment. */
export function optionsFromEnv(): StartOptions {
  return {
    host: process.env.ZENDESK_STANDIN_HOST || DEFAULT_HOST,
    port: integerFromEnv('ZENDESK_STANDIN_PORT', DEFAULT_PORT),
    ...(process.env.ZENDESK_EMAIL ? { email: process.env.ZENDESK_EMAIL } : {}),
    ...(process.env.ZENDESK_API_TOKEN ? { apiToken: process.env.ZENDESK_API_TOKEN } : {}),
    searchIndexDelayMs: integerFromEnv('ZENDESK_STANDIN_SEARCH_INDEX_DELAY_MS', 0),
    validatePhoneNumbers: process.env.ZENDESK_STANDIN_VALIDATE_PHONE_NUMBERS === 'true',
  };
}

async function main(): Promise<void> {
  const running = await startZendeskStandin(optionsFromEnv());
  console.log(`zendesk stand-in listening on ${running.url}`);
  const stop = (signal: NodeJS.Signals) => {
    console.log(`zendesk stand-in stopping (${signal})`);
    running.close().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error('zendesk stand-in failed to close', e);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

const runDirectly =
  process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (runDirectly) {
  main().catch((e: unknown) => {
    console.error('zendesk stand-in failed to start:', e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
