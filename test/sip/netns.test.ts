import { beforeAll, describe, expect, it } from 'vitest';
import { runInNamespace } from './harness/netns';
import { sipToolsAvailable } from './harness/tools';
import { PORT_BLOCKS } from './harness/ports';

// Crafted SIP that names outside hosts runs in a namespace with only loopback and a fake DNS
// server (network rule in TOOLCHAIN.md): Kamailio, the fake agent and sipp all start inside it.
const RUNNER = new URL('./netns/preloaded-route.run.ts', import.meta.url).pathname;

describe.skipIf(!sipToolsAvailable())('edge in a loopback-only namespace', () => {
  let result: any;
  let output = '';

  beforeAll(async () => {
    const run = await runInNamespace(RUNNER);
    output = run.output;
    result = run.result;
  }, 100_000);

  it('ran', () => {
    expect(result.error, output.slice(-4000)).toBeUndefined();
  });

  it('never follows a preloaded Route nor a Request-URI host: the line target gets the call', () => {
    expect(result.preloaded.callerCode, output.slice(-4000)).toBe(0);
    expect(result.preloaded.inviteStartLine).toBe(
      `INVITE sip:zendesk@127.0.0.1:${PORT_BLOCKS.netns + 70} SIP/2.0`,
    );
    expect(result.preloaded.inviteRoutes).toEqual([]);
  });

  it('refuses an in-dialog request steered to a host name with 403', () => {
    expect(result.steered.callerCode, output.slice(-4000)).toBe(0);
    expect(result.steered.responses).toContain('SIP/2.0 403 Next hop must be an IP address');
    expect(result.steered.uasByes).toBe(1);
  });

  it('resolves no name taken from a message', () => {
    expect(result.dnsDuringCalls).toEqual([]);
  });
});
