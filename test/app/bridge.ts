// The real bridge for the browser tests: wrangler dev (workerd, a temporary local D1) in front of
// the Zendesk stand-in, both on 127.0.0.1, started with the repository's shared local-worker helper.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalWorker } from '../../scripts/lib/local-worker.mjs';
import { signEdgeRequest } from '@sip-bridge/contract/edge-signature';
import { startZendeskStandin, type RunningStandin } from '@sip-bridge/zendesk-standin/server';

export interface Bridge {
  url: string;
  secrets: { EDGE_SECRET: string; ADMIN_TOKEN: string; APP_JWT_SECRET: string };
  zendesk: RunningStandin & { email: string; apiToken: string };
  /** An admin API request (Bearer ADMIN_TOKEN). */
  admin(path: string, body: unknown): Promise<Response>;
  /** An edge request signed the way the edge agent signs it: a POST of `body`, a GET without. */
  edge(path: string, body?: unknown): Promise<Response>;
  stop(): Promise<void>;
}

/** Starts the stand-in and wrangler dev on a fresh D1 with random secrets (and `vars`, e.g. ACCOUNT_TIME_ZONE). */
export async function startBridge(vars: Record<string, string> = {}): Promise<Bridge> {
  const secret = () => randomBytes(32).toString('base64url');
  const secrets = { EDGE_SECRET: secret(), ADMIN_TOKEN: secret(), APP_JWT_SECRET: secret() };
  const email = 'bridge@example.com';
  const apiToken = 'app-test-token';
  const standin = await startZendeskStandin({ port: 0, log: false, email, apiToken });
  const state = mkdtempSync(join(tmpdir(), 'sip-bridge-app-'));
  const cleanUp = async () => {
    await standin.close();
    rmSync(state, { recursive: true, force: true });
  };

  let worker: Awaited<ReturnType<typeof startLocalWorker>>;
  try {
    worker = await startLocalWorker({
      persistTo: state,
      vars: {
        ...vars,
        ...secrets,
        ZENDESK_API_TOKEN: apiToken,
        ZENDESK_EMAIL: email,
        ZENDESK_BASE_URL: standin.url,
      },
    });
  } catch (e) {
    await cleanUp();
    throw e;
  }
  const { url } = worker;

  return {
    url,
    secrets,
    zendesk: { ...standin, email, apiToken },
    admin: (path, body) =>
      fetch(url + path, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${secrets.ADMIN_TOKEN}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify(body),
      }),
    async edge(path, body) {
      const method = body === undefined ? 'GET' : 'POST';
      const text = body === undefined ? '' : JSON.stringify(body);
      const signed = await signEdgeRequest(secrets.EDGE_SECRET, {
        method,
        url: url + path,
        body: text,
      });
      return fetch(url + path, {
        method,
        headers: { ...signed, 'Content-Type': 'application/json' },
        ...(body === undefined ? {} : { body: text }),
      });
    },
    async stop() {
      await worker.stop();
      await cleanUp();
    },
  };
}
