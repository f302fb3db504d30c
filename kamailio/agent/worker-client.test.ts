import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerClient, describeWorkerStatus } from './worker-client';

const servers: Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('worker client', () => {
  it('never follows a redirect, so the signed request goes nowhere else', async () => {
    const elsewhere: string[] = [];
    const collector = await listen((req, res) => {
      elsewhere.push(String(req.headers['x-bridge-signature']));
      res.end('{}');
    });
    const worker = await listen((_req, res) => {
      res.writeHead(307, { Location: `${collector}/v1/edge/decisions` });
      res.end();
    });
    const client = createWorkerClient({ baseUrl: worker, secret: 's'.repeat(32) });
    const res = await client.post('/v1/edge/decisions', { a: 1 }, AbortSignal.timeout(2000));
    client.close();
    expect(res.status).toBe(307);
    expect(elsewhere).toEqual([]);
    expect(describeWorkerStatus(307)).toMatch(/redirect.*not followed.*WORKER_URL/);
  });

  it('signs for the host it calls, so the Worker (and its stand-in) verify it', async () => {
    const seen: Array<string | undefined> = [];
    const worker = await listen((req, res) => {
      seen.push(req.headers.host);
      res.end('{}');
    });
    const client = createWorkerClient({ baseUrl: worker, secret: 's'.repeat(32) });
    await client.post('/v1/edge/events', { events: [] }, AbortSignal.timeout(2000));
    client.close();
    expect(seen).toEqual([new URL(worker).host]);
  });

  it('describes a signature_version 401 apart from a wrong secret', () => {
    const version = describeWorkerStatus(401, {
      error: 'signature_version',
      message: 'Edge signature v1 is no longer accepted: upgrade the edge agent (it must sign v2)',
    });
    expect(version).toMatch(/signature version refused.*upgrade.*Worker said: Edge signature v1/);
    expect(describeWorkerStatus(401, { error: 'unauthorized' })).toMatch(/check EDGE_SECRET/);
    expect(describeWorkerStatus(401)).toMatch(/check EDGE_SECRET/);
  });
});
