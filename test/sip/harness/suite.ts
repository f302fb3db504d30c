import { randomBytes } from 'node:crypto';
import { startEdge, type Edge, type EdgeLine } from './edge';
import { startFakeAgent, type FakeAgent } from './fake-agent';
import { G711_OFFER, type SippResult } from './sipp';
import { createSippPool, type SippPool } from './sipp-pool';

/**
 * One Kamailio + fake agent per test file, on its own port block (base .. base+99):
 * SIP base, RPC base+20, UAC ports base+30.., UAS base+70.., agent base+90.
 */
export interface SipSuite extends SippPool {
  edge: Edge;
  agent: FakeAgent;
  /** `sip:zendesk@127.0.0.1:<base+70+n>`: where UAS n listens. */
  target(n: number): string;
  uasPort(n: number): number;
  stop(): Promise<void>;
}

/** sipp lines for uac-cancel: cancel once it rings, or as soon as the edge sent 100 Trying. */
export const RINGING = '  <recv response="100" optional="true"/>\n  <recv response="180"/>';
export const TRYING = '  <recv response="100"/>';

export const defaultCallVars = {
  HEADERS: '',
  SDP: G711_OFFER,
  HOLD_MS: '100',
  MAX_FORWARDS: '70',
  BYE_REPLY_DELAY_MS: '0',
  RURI: 'sip:zendesk@[remote_ip]:[remote_port]',
};

export async function startSuite(
  base: number,
  lines: (target: (n: number) => string) => EdgeLine[],
  limits: Record<string, number> = {},
  listen: { transport: string; address: string; port: number }[] = [],
  /** The renderer's caller_auth section. */
  callerAuth?: Record<string, number>,
): Promise<SipSuite> {
  const token = randomBytes(18).toString('base64url');
  const agent = await startFakeAgent(base + 90, token);
  const target = (n: number) => `sip:zendesk@127.0.0.1:${base + 70 + n}`;
  let edge: Edge;
  try {
    edge = await startEdge({
      basePort: base,
      agentUrl: agent.url,
      token,
      lines: lines(target),
      limits,
      listen,
      ...(callerAuth ? { callerAuth } : {}),
    });
  } catch (error) {
    await agent.close();
    throw error;
  }
  const sipps = createSippPool(base);
  return {
    edge,
    agent,
    target,
    uasPort: (n) => base + 70 + n,
    uas: sipps.uas,
    uac: sipps.uac,
    async stop() {
      await sipps.stop();
      await edge.stop();
      await agent.close();
    },
  };
}

/** A readable failure: what sipp got and the tail of Kamailio's log. */
export function explain(result: SippResult, edge?: Edge): string {
  const seen = result.messages.map((m) => `${m.direction}: ${m.startLine}`).join('\n');
  return `sipp exit ${result.code} after ${result.elapsedMs} ms\n${seen}\n${result.output.slice(-1500)}${
    edge ? `\n--- kamailio ---\n${edge.log().slice(-3000)}` : ''
  }`;
}
