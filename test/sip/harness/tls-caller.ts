import { randomBytes } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { connect } from 'node:tls';
import type { RawReply } from './raw-sip';

// A caller on SIP over TLS (Debian's sipp is built without TLS): one INVITE on a TLS connection
// to the edge, every reply collected, a final non-2xx reply ACKed as a UAC must.

export interface TlsInvite {
  /** Source address (the line's ACL) and the edge's TLS port. */
  ip: string;
  edgePort: number;
  /** The CA the edge's certificate is checked against (the caller verifies the edge). */
  ca: string;
  body: string;
  callId?: string;
  timeoutMs?: number;
}

function parseReplies(text: string): { replies: RawReply[]; rest: string } {
  const replies: RawReply[] = [];
  let rest = text;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const head = rest.slice(0, end);
    const length = Number(/\r\nContent-Length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    if (rest.length < end + 4 + length) break;
    const message = rest.slice(0, end + 4 + length);
    rest = rest.slice(end + 4 + length);
    const m = /^SIP\/2\.0 (\d{3}) ([^\r\n]*)/.exec(head);
    if (!m) continue;
    const lines = head.split('\r\n').slice(1);
    replies.push({
      code: Number(m[1]),
      reason: m[2]!,
      text: message,
      header: (name) =>
        lines
          .filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
          .map((l) => l.slice(name.length + 1).trim()),
    });
  }
  return { replies, rest };
}

/**
 * Sends one INVITE over TLS and resolves with every reply once a final one came (or at the
 * timeout).
 * @example
 * const { final } = await tlsInvite({ ip: '127.0.0.1', edgePort: BASE + 1, ca, body: SRTP_SDP });
 */
export async function tlsInvite(
  options: TlsInvite,
): Promise<{ callId: string; replies: RawReply[]; final?: RawReply }> {
  const callId = options.callId ?? `${randomBytes(8).toString('hex')}@tls-caller.test`;
  const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
  const tag = randomBytes(4).toString('hex');
  // From the line's source address (net's localAddress; tls.connect has no such option).
  const tcp = netConnect({ host: '127.0.0.1', port: options.edgePort, localAddress: options.ip });
  const socket = connect({ socket: tcp, host: '127.0.0.1', ca: options.ca });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => resolve());
    socket.once('error', reject);
  });
  const local = `${options.ip}:${tcp.localPort}`;
  const via = `Via: SIP/2.0/TLS ${local};branch=${branch};rport`;
  const uri = `sip:zendesk@127.0.0.1:${options.edgePort};transport=tls`;
  const invite = [
    `INVITE ${uri} SIP/2.0`,
    via,
    `From: "Ada" <sip:+14155550100@${options.ip}>;tag=${tag}`,
    `To: <${uri}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:caller@${local};transport=tls>`,
    'Max-Forwards: 70',
    'User-Agent: TlsCaller/1.0',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(options.body)}`,
    '',
    options.body,
  ].join('\r\n');
  const replies: RawReply[] = [];
  try {
    return await new Promise((resolve) => {
      let buffer = '';
      const timer = setTimeout(() => resolve({ callId, replies }), options.timeoutMs ?? 8000);
      socket.on('data', (chunk: Buffer) => {
        const parsed = parseReplies(buffer + chunk.toString('latin1'));
        buffer = parsed.rest;
        for (const reply of parsed.replies) {
          if (!reply.header('CSeq')[0]?.endsWith('INVITE')) continue;
          replies.push(reply);
          if (reply.code < 200) continue;
          if (reply.code >= 300) {
            const ack = [
              `ACK ${uri} SIP/2.0`,
              via,
              `From: ${reply.header('From')[0]}`,
              `To: ${reply.header('To')[0]}`,
              `Call-ID: ${callId}`,
              'CSeq: 1 ACK',
              'Max-Forwards: 70',
              'Content-Length: 0',
              '',
              '',
            ].join('\r\n');
            socket.write(ack);
          }
          clearTimeout(timer);
          resolve({ callId, replies, final: reply });
        }
      });
      socket.write(invite);
    });
  } finally {
    // Let the ACK leave before the connection closes.
    await new Promise((r) => setTimeout(r, 50));
    socket.end();
  }
}
