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
  /** The offer; empty for a late offer (no body: the answer then goes in the 2xx's ACK). */
  body: string;
  /** The ACK's body for a 2xx (the answer to a late offer). */
  ackBody?: string;
  callId?: string;
  timeoutMs?: number;
}

/** The complete SIP messages at the start of `text` (replies parsed), and what is left. */
export function parseMessages(text: string): {
  messages: { text: string; reply?: RawReply }[];
  rest: string;
} {
  const messages: { text: string; reply?: RawReply }[] = [];
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
    if (!m) {
      messages.push({ text: message });
      continue;
    }
    const lines = head.split('\r\n').slice(1);
    messages.push({
      text: message,
      reply: {
        code: Number(m[1]),
        reason: m[2]!,
        text: message,
        header: (name) =>
          lines
            .filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
            .map((l) => l.slice(name.length + 1).trim()),
      },
    });
  }
  return { messages, rest };
}

/** An answered call over TLS: the caller's side of the dialog. */
export interface TlsDialog {
  /** Requests the edge sent the caller (a BYE when the edge ends the call), as text. */
  requests: string[];
  /** Sends BYE along the route set; resolves with its final reply (or undefined at the timeout). */
  bye(timeoutMs?: number): Promise<RawReply | undefined>;
  /** A re-INVITE with this offer along the route set, ACKed; resolves with its final reply. */
  reinvite(body: string, timeoutMs?: number): Promise<RawReply | undefined>;
  close(): void;
}

/**
 * Sends one INVITE over TLS and resolves with every reply once a final one came (or at the
 * timeout). A 2xx is ACKed along its Record-Route and the connection stays open as `dialog`.
 * @example
 * const { final } = await tlsInvite({ ip: '127.0.0.1', edgePort: BASE + 1, ca, body: SRTP_SDP });
 */
export async function tlsInvite(
  options: TlsInvite,
): Promise<{ callId: string; replies: RawReply[]; final?: RawReply; dialog?: TlsDialog }> {
  const callId = options.callId ?? `${randomBytes(8).toString('hex')}@tls-caller.test`;
  const newBranch = () => `z9hG4bK${randomBytes(6).toString('hex')}`;
  const tag = randomBytes(4).toString('hex');
  // From the line's source address (net's localAddress; tls.connect has no such option).
  const tcp = netConnect({ host: '127.0.0.1', port: options.edgePort, localAddress: options.ip });
  const socket = connect({ socket: tcp, host: '127.0.0.1', ca: options.ca });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => resolve());
    socket.once('error', reject);
  });
  socket.on('error', () => {});
  const local = `${options.ip}:${tcp.localPort}`;
  const via = (branch: string) => `Via: SIP/2.0/TLS ${local};branch=${branch};rport`;
  const inviteVia = via(newBranch());
  const uri = `sip:zendesk@127.0.0.1:${options.edgePort};transport=tls`;
  const from = `From: "Ada" <sip:+14155550100@${options.ip}>;tag=${tag}`;
  const invite = [
    `INVITE ${uri} SIP/2.0`,
    inviteVia,
    from,
    `To: <${uri}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:caller@${local};transport=tls>`,
    'Max-Forwards: 70',
    'User-Agent: TlsCaller/1.0',
    ...withBody(options.body),
  ].join('\r\n');
  const replies: RawReply[] = [];
  const requests: string[] = [];
  let onReply: ((reply: RawReply) => void) | undefined;
  let buffer = '';
  socket.on('data', (chunk: Buffer) => {
    const parsed = parseMessages(buffer + chunk.toString('latin1'));
    buffer = parsed.rest;
    for (const message of parsed.messages) {
      if (message.reply) onReply?.(message.reply);
      else {
        requests.push(message.text);
        if (message.text.startsWith('BYE ')) socket.write(okFor(message.text));
      }
    }
  });
  const final = await new Promise<RawReply | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), options.timeoutMs ?? 8000);
    onReply = (reply) => {
      if (!reply.header('CSeq')[0]?.endsWith('INVITE')) return;
      replies.push(reply);
      if (reply.code < 200) return;
      clearTimeout(timer);
      resolve(reply);
    };
    socket.write(invite);
  });
  if (!final || final.code >= 300) {
    if (final) {
      // A non-2xx is ACKed hop by hop, in the INVITE's transaction.
      socket.write(request('ACK', uri, inviteVia, final, 1, []));
    }
    // Let the ACK leave before the connection closes.
    await new Promise((r) => setTimeout(r, 50));
    socket.end();
    return { callId, replies, ...(final ? { final } : {}) };
  }
  // A 2xx: ACK and later BYE go to its Contact along its Record-Route, reversed (RFC 3261 12.1.2).
  const target = /<([^>]+)>/.exec(final.header('Contact')[0] ?? '')?.[1] ?? uri;
  const routes = final
    .header('Record-Route')
    .flatMap((h) => h.split(/,(?=\s*<)/))
    .map((r) => r.trim())
    .reverse();
  socket.write(request('ACK', target, via(newBranch()), final, 1, routes, options.ackBody));
  let cseq = 1;
  /** Sends an in-dialog request and resolves with its final reply (or undefined at the timeout). */
  const inDialog = (method: string, viaLine: string, timeoutMs: number, body?: string) =>
    new Promise<RawReply | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      const sent = ++cseq;
      onReply = (reply) => {
        if (reply.header('CSeq')[0] !== `${sent} ${method}` || reply.code < 200) return;
        clearTimeout(timer);
        resolve(reply);
      };
      socket.write(request(method, target, viaLine, final, sent, routes, body));
    });
  const dialog: TlsDialog = {
    requests,
    bye: (timeoutMs = 5000) => inDialog('BYE', via(newBranch()), timeoutMs),
    async reinvite(body, timeoutMs = 8000) {
      const viaLine = via(newBranch());
      const reply = await inDialog('INVITE', viaLine, timeoutMs, body);
      if (reply) {
        // A 2xx is ACKed end to end (new branch), a refusal hop by hop (the INVITE's branch).
        const ackVia = reply.code < 300 ? via(newBranch()) : viaLine;
        const to = {
          ...final,
          header: (n: string) => (n === 'To' ? reply.header('To') : final.header(n)),
        };
        socket.write(request('ACK', target, ackVia, to, cseq, routes));
      }
      return reply;
    },
    close: () => socket.end(),
  };
  return { callId, replies, final, dialog };

  function request(
    method: string,
    ruri: string,
    viaLine: string,
    reply: RawReply,
    cseq: number,
    routeSet: string[],
    body = '',
  ) {
    return [
      `${method} ${ruri} SIP/2.0`,
      viaLine,
      ...routeSet.map((r) => `Route: ${r}`),
      `From: ${reply.header('From')[0]}`,
      `To: ${reply.header('To')[0]}`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} ${method}`,
      ...(method === 'INVITE' ? [`Contact: <sip:caller@${local};transport=tls>`] : []),
      'Max-Forwards: 70',
      ...withBody(body),
    ].join('\r\n');
  }
}

/** The Content-Type (SDP, when there is a body) and Content-Length lines, a blank line, the body. */
const withBody = (body: string) => [
  ...(body ? ['Content-Type: application/sdp'] : []),
  `Content-Length: ${Buffer.byteLength(body)}`,
  '',
  body,
];

/** 200 OK for a request the edge sent (its Via, From, To, Call-ID and CSeq copied). */
export function okFor(text: string): string {
  const head = text.split('\r\n\r\n')[0]!.split('\r\n');
  const pick = (name: string) => head.filter((l) => l.toLowerCase().startsWith(`${name}:`));
  return [
    'SIP/2.0 200 OK',
    ...pick('via'),
    ...pick('from'),
    ...pick('to'),
    ...pick('call-id'),
    ...pick('cseq'),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}
