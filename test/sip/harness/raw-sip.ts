import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';

/**
 * A caller that writes INVITEs byte for byte (sipp's XML cannot carry bytes that are not UTF-8):
 * it sends one INVITE over UDP, collects the answers, and ACKs a final non-2xx reply as a UAC
 * must. Hostile tests point it at the edge; the line's target should refuse the calls it gets
 * (uas-reject), so no dialog is left to end.
 */
export interface RawReply {
  code: number;
  reason: string;
  text: string;
  header(name: string): string[];
}

export interface RawInvite {
  /** Source address (127.0.0.x inside the test's namespace) and port. */
  ip: string;
  port: number;
  edgePort: number;
  callId?: string;
  /** The From header value, raw (a Buffer for bytes that are not UTF-8). */
  from?: string | Buffer;
  userAgent?: string | Buffer;
  /** Extra header lines, CRLF added. */
  headers?: (string | Buffer)[];
  contentType?: string | null;
  body?: string | Buffer;
  timeoutMs?: number;
}

export const G711_SDP = (ip: string) =>
  [
    'v=0',
    `o=caller 1 1 IN IP4 ${ip}`,
    's=-',
    `c=IN IP4 ${ip}`,
    't=0 0',
    'm=audio 40000 RTP/AVP 0 8 101',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    '',
  ].join('\r\n');

function parseReply(buf: Buffer): RawReply | undefined {
  const text = buf.toString('latin1');
  const m = /^SIP\/2\.0 (\d{3}) ([^\r\n]*)\r\n/.exec(text);
  if (!m) return undefined;
  const head = text.split('\r\n\r\n')[0]!.split('\r\n').slice(1);
  return {
    code: Number(m[1]),
    reason: m[2]!,
    text,
    header: (name) =>
      head
        .filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
        .map((l) => l.slice(name.length + 1).trim()),
  };
}

/**
 * Sends one INVITE and resolves with every reply, once a final one came (or at the timeout).
 * @example
 * const { final } = await rawInvite({ ip: '127.0.0.1', port: BASE + 30, edgePort: BASE, from });
 * final?.code // 603
 */
export async function rawInvite(
  options: RawInvite,
): Promise<{ callId: string; replies: RawReply[]; final?: RawReply }> {
  const callId = options.callId ?? `${randomBytes(8).toString('hex')}@hostile.test`;
  const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
  const tag = randomBytes(4).toString('hex');
  const body = options.body ?? G711_SDP(options.ip);
  const contentType = options.contentType === undefined ? 'application/sdp' : options.contentType;
  const via = `Via: SIP/2.0/UDP ${options.ip}:${options.port};branch=${branch};rport`;
  const from = options.from ?? `"Ada" <sip:+14155550100@${options.ip}>`;
  const lines: (string | Buffer)[] = [
    `INVITE sip:zendesk@127.0.0.1:${options.edgePort} SIP/2.0`,
    via,
    Buffer.concat([Buffer.from('From: '), Buffer.from(from), Buffer.from(`;tag=${tag}`)]),
    `To: <sip:zendesk@127.0.0.1:${options.edgePort}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:caller@${options.ip}:${options.port}>`,
    'Max-Forwards: 70',
    Buffer.concat([Buffer.from('User-Agent: '), Buffer.from(options.userAgent ?? 'Hostile/1.0')]),
    ...(options.headers ?? []),
    ...(contentType === null ? [] : [`Content-Type: ${contentType}`]),
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  const message = Buffer.concat([
    ...lines.flatMap((l) => [Buffer.from(l), Buffer.from('\r\n')]),
    Buffer.from('\r\n'),
    Buffer.from(body),
  ]);

  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(options.port, options.ip, () => resolve()));
  const replies: RawReply[] = [];
  try {
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ callId, replies }), options.timeoutMs ?? 8000);
      socket.on('message', (buf) => {
        const reply = parseReply(buf);
        if (!reply || !reply.header('CSeq')[0]?.endsWith('INVITE')) return;
        replies.push(reply);
        if (reply.code < 200) return;
        if (reply.code >= 300) {
          const ack = [
            `ACK sip:zendesk@127.0.0.1:${options.edgePort} SIP/2.0`,
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
          socket.send(Buffer.from(ack, 'latin1'), options.edgePort, '127.0.0.1');
        }
        clearTimeout(timer);
        resolve({ callId, replies, final: reply });
      });
      socket.send(message, options.edgePort, '127.0.0.1');
    });
  } finally {
    // Let the ACK leave before the socket closes.
    await new Promise((r) => setTimeout(r, 50));
    socket.close();
  }
}

/**
 * Sends `count` raw requests back to back from one socket (a burst, however slow the machine),
 * then waits until each has a reply or `quietMs` pass without one. Resolves with how many were
 * answered (one reply per Call-ID counts). `message(ip, port, i)` must give each its own Call-ID.
 */
export async function rawBurst(
  message: (ip: string, port: number, i: number) => string,
  from: { ip: string; port: number },
  edgePort: number,
  count: number,
  quietMs = 1500,
): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(from.port, from.ip, () => resolve()));
  const answered = new Set<string>();
  try {
    return await new Promise((resolve) => {
      let timer = setTimeout(() => resolve(answered.size), quietMs);
      socket.on('message', (buf) => {
        const callId = parseReply(buf)?.header('Call-ID')[0];
        if (callId) answered.add(callId);
        if (answered.size >= count) {
          clearTimeout(timer);
          resolve(answered.size);
          return;
        }
        clearTimeout(timer);
        timer = setTimeout(() => resolve(answered.size), quietMs);
      });
      for (let i = 0; i < count; i++) {
        socket.send(Buffer.from(message(from.ip, from.port, i), 'latin1'), edgePort, '127.0.0.1');
      }
    });
  } finally {
    socket.close();
  }
}
