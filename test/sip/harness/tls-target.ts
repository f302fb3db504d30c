import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';

/** A test CA and certificates it signs, made with openssl in `dir`. */
export function makeCertificates(dir: string) {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const key = (name: string) => run(['genrsa', '-out', `${name}.key`, '2048']);
  key('ca');
  run(['req', '-x509', '-new', '-key', 'ca.key', '-days', '1', '-subj', '/CN=sipbridge test CA', '-out', 'ca.crt']); // prettier-ignore
  /** A leaf certificate for 127.0.0.1, signed by the test CA or by itself. */
  const leaf = (name: string, signer: 'ca' | 'self') => {
    key(name);
    writeFileSync(join(dir, `${name}.ext`), 'subjectAltName=IP:127.0.0.1\n');
    if (signer === 'self') {
      run(['req', '-x509', '-new', '-key', `${name}.key`, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-out', `${name}.crt`]); // prettier-ignore
      return;
    }
    run(['req', '-new', '-key', `${name}.key`, '-subj', '/CN=127.0.0.1', '-out', `${name}.csr`]);
    run(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.crt`]); // prettier-ignore
  };
  return { leaf, path: (file: string) => join(dir, file) };
}

/**
 * A Zendesk stand-in on SIP over TLS (sipp here is built without TLS): answers each INVITE with
 * 486, or with 200 and `state.answer` as its SDP when set (then ACKs are absorbed and BYEs get
 * 200), and counts what it got (`bodies`: each INVITE's body; `methods`: every request's).
 * `handshakes` counts connections that completed TLS.
 */
export async function startTlsTarget(cert: string, key: string) {
  const state = {
    handshakes: 0,
    invites: 0,
    tlsErrors: 0,
    bodies: [] as string[],
    methods: [] as string[],
    answer: null as string | null,
  };
  let port = 0;
  const server = createServer({ cert, key }, (socket: TLSSocket) => {
    state.handshakes += 1;
    let buffer = '';
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.slice(0, end);
        const length = Number(/\r\nContent-Length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        const body = buffer.slice(end + 4, end + 4 + length);
        buffer = buffer.slice(end + 4 + length);
        if (head.startsWith('SIP/2.0 ')) continue;
        const method = head.slice(0, head.indexOf(' '));
        state.methods.push(method);
        if (method === 'ACK') continue;
        const lines = head.split('\r\n');
        const pick = (name: string) =>
          lines.filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
        const sdp = method === 'INVITE' ? state.answer : null;
        if (method === 'INVITE') {
          state.invites += 1;
          state.bodies.push(body);
        }
        const to = pick('To')[0]!;
        const reply = [
          method === 'INVITE' && sdp === null ? 'SIP/2.0 486 Busy Here' : 'SIP/2.0 200 OK',
          ...pick('Via'),
          ...(sdp === null ? [] : pick('Record-Route')),
          ...pick('From'),
          /;tag=/.test(to) ? to : `${to};tag=tls-target`,
          ...pick('Call-ID'),
          ...pick('CSeq'),
          ...(sdp === null
            ? ['Content-Length: 0', '', '']
            : [
                `Contact: <sip:zendesk@127.0.0.1:${port};transport=tls>`,
                'Content-Type: application/sdp',
                `Content-Length: ${Buffer.byteLength(sdp)}`,
                '',
                sdp,
              ]),
        ].join('\r\n');
        socket.write(reply);
      }
    });
    socket.on('error', () => {});
  });
  server.on('tlsClientError', () => (state.tlsErrors += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    port,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
