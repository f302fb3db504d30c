// Runs INSIDE a fresh network + mount namespace (see ../netns.test.ts): only loopback exists and
// /etc/resolv.conf points at a fake DNS server on 127.0.0.1:53 that counts queries. Crafted SIP
// here names outside hosts; the proxy must follow none of them and resolve none of them.
// Prints one JSON line with what happened; the test asserts on it.
import { createSocket } from 'node:dgram';
import { received } from '../harness/sipp';
import { startSuite } from '../harness/suite';
import { PORT_BLOCKS } from '../harness/ports';

const BASE = PORT_BLOCKS.netns;

async function main() {
  const dnsQueries: string[] = [];
  const dns = createSocket('udp4');
  dns.on('message', (msg) => dnsQueries.push(decodeQuestion(msg)));
  await new Promise<void>((resolve) => dns.bind(53, '127.0.0.1', () => resolve()));

  const s = await startSuite(BASE, (t) => [
    { slug: 'demo', targets: [t(0)], acl: ['127.0.0.1/32'] },
  ]);
  const atStart = dnsQueries.length;
  const result: Record<string, unknown> = { dnsAtStart: dnsQueries.slice() };
  try {
    await s.agent.setMode({ kind: 'relay', headers: '' });

    // 1. Initial INVITE with preloaded Routes to a name and to an outside address, and a
    //    Request-URI naming an outside host: relayed to the line's target only.
    let uas = s.uas(0, 'uas-answer');
    const preloaded = await s.uac('uac-call', {
      RURI: 'sip:zendesk@evil.example.com',
      HEADERS: 'Route: <sip:evil.example.com;lr>\nRoute: <sip:203.0.113.9:5060;lr>',
    });
    let served = await uas.done;
    const invite = received(served, /^INVITE /);
    result.preloaded = {
      callerCode: preloaded.code,
      inviteStartLine: invite?.startLine,
      inviteRoutes: invite?.headers('Route'),
    };

    // 2. In-dialog BYE steered to a host name after the proxy's own Route: refused (403).
    uas = s.uas(0, 'uas-answer');
    const steered = await s.uac('uac-bad-route-bye');
    served = await uas.done;
    result.steered = {
      callerCode: steered.code,
      responses: steered.messages.filter((m) => m.direction === 'received').map((m) => m.startLine),
      uasByes: served.messages.filter(
        (m) => m.direction === 'received' && m.startLine.startsWith('BYE'),
      ).length,
    };
  } finally {
    result.dnsDuringCalls = dnsQueries.slice(atStart);
    await s.stop();
    dns.close();
  }
  console.log(`RESULT ${JSON.stringify(result)}`);
}

/** The first question name of a DNS query, for the report. */
function decodeQuestion(msg: Buffer): string {
  const labels: string[] = [];
  for (let i = 12; i < msg.length && msg[i]! > 0 && labels.length < 20;) {
    const len = msg[i]!;
    labels.push(msg.subarray(i + 1, i + 1 + len).toString('latin1'));
    i += len + 1;
  }
  return labels.join('.');
}

const timer = setTimeout(() => {
  console.log('RESULT {"error":"timed out after 60 s"}');
  process.exit(1);
}, 60_000);
main()
  .catch((error: unknown) => {
    console.log(`RESULT ${JSON.stringify({ error: String(error) })}`);
    process.exitCode = 1;
  })
  .finally(() => clearTimeout(timer));
