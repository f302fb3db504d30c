import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdge, type Edge } from './harness/edge';
import { startFakeAgent, type FakeAgent } from './harness/fake-agent';
import { rawInvite } from './harness/raw-sip';
import { makeCertificates, startTlsTarget } from './harness/tls-target';
import { sipToolsAvailable, tlsModuleAvailable } from './harness/tools';
import { PORT_BLOCKS } from './harness/ports';

// Towards a sips: target the edge verifies the target's certificate against the configured CAs:
// a target whose certificate the CAs did not sign never gets the call.
const BASE = PORT_BLOCKS.tlsTargets;

describe.skipIf(!sipToolsAvailable() || !tlsModuleAvailable())('sips: targets', () => {
  let dir: string;
  let agent: FakeAgent;
  let edge: Edge;
  let trusted: Awaited<ReturnType<typeof startTlsTarget>>;
  let rogue: Awaited<ReturnType<typeof startTlsTarget>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sipbridge-tls-'));
    const certs = makeCertificates(dir);
    certs.leaf('edge', 'ca');
    certs.leaf('trusted', 'ca');
    certs.leaf('rogue', 'self');
    const read = (f: string) => readFileSync(certs.path(f), 'utf8');
    trusted = await startTlsTarget(read('trusted.crt'), read('trusted.key'));
    rogue = await startTlsTarget(read('rogue.crt'), read('rogue.key'));
    const token = randomBytes(18).toString('base64url');
    agent = await startFakeAgent(BASE + 90, token);
    await agent.setMode({ kind: 'relay', headers: '' });
    edge = await startEdge({
      basePort: BASE,
      agentUrl: agent.url,
      token,
      listen: [{ transport: 'tls', address: '127.0.0.1', port: BASE + 1 }],
      tls: {
        certificate: certs.path('edge.crt'),
        private_key: certs.path('edge.key'),
        ca_list: certs.path('ca.crt'),
      },
      lines: [
        {
          slug: 'trusted',
          targets: [`sips:zendesk@127.0.0.1:${trusted.port}`],
          acl: ['127.0.0.1/32'],
        },
        {
          slug: 'rogue',
          targets: [`sips:zendesk@127.0.0.1:${rogue.port}`],
          acl: ['127.0.0.2/32'],
        },
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await edge?.stop();
    await agent?.close();
    await trusted?.close();
    await rogue?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = (ip: string, port: number) =>
    rawInvite({ ip, port, edgePort: BASE, timeoutMs: 12_000 });

  it('relays to a target whose certificate the configured CAs signed', async () => {
    const { final } = await call('127.0.0.1', BASE + 30);
    expect(final?.code, edge.log().slice(-2000)).toBe(486);
    expect(trusted.state.invites).toBe(1);
  });

  it('never sends the call to a target whose certificate does not verify', async () => {
    const { final } = await call('127.0.0.2', BASE + 31);
    expect(final?.code, edge.log().slice(-2000)).toBeGreaterThanOrEqual(408);
    expect(final?.code).not.toBe(486);
    expect(rogue.state.invites).toBe(0);
  });
});
