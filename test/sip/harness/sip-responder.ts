import { createSocket } from 'node:dgram';

/**
 * A stateless SIP target over UDP that answers every request (but ACK) with a final status chosen
 * by method, and records the requests it got. Probing tests use it: sipp's scenarios cannot
 * answer the edge's OPTIONS probes between calls.
 * @example const up = await startResponder(5170, { OPTIONS: 200, INVITE: 486 });
 */
export interface Responder {
  /** Start lines of the requests received, in order. */
  requests: string[];
  /** Changes the answers from now on. */
  answer(codes: Record<string, number>): void;
  close(): Promise<void>;
}

const REASONS: Record<number, string> = {
  200: 'OK',
  404: 'Not Found',
  486: 'Busy Here',
  500: 'Server Internal Error',
  503: 'Service Unavailable',
};

export async function startResponder(
  port: number,
  initial: Record<string, number>,
  ip = '127.0.0.1',
): Promise<Responder> {
  let codes = { ...initial };
  const requests: string[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (buf, from) => {
    const text = buf.toString('latin1');
    const [startLine = '', ...rest] = text.split('\r\n\r\n')[0]!.split('\r\n');
    const method = /^([A-Z]+) /.exec(startLine)?.[1];
    if (!method || startLine.startsWith('SIP/')) return;
    requests.push(startLine);
    const code = codes[method];
    if (method === 'ACK' || code === undefined) return;
    const copy = (name: string) => rest.filter((l) => new RegExp(`^${name}\\s*:`, 'i').test(l));
    const to = copy('To').map((l) => (/;tag=/i.test(l) ? l : `${l};tag=responder${port}`));
    const reply = [
      `SIP/2.0 ${code} ${REASONS[code] ?? 'Answer'}`,
      ...copy('Via'),
      ...copy('From'),
      ...to,
      ...copy('Call-ID'),
      ...copy('CSeq'),
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    socket.send(reply, from.port, from.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, ip, () => resolve());
  });
  return {
    requests,
    answer(next) {
      codes = { ...next };
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
