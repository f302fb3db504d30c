import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createKamailioRpc,
  KamailioRpcConnectionError,
  KamailioRpcError,
  KamailioRpcFailure,
  KamailioRpcResponseError,
  KamailioRpcTimeoutError,
} from './index';

// Failure handling and result mapping against local stand-ins; the client against a real
// Kamailio is test/sip/jsonrpc-client.test.ts.
const servers: (Server | HttpServer)[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  for (const s of servers.splice(0)) {
    if ('closeAllConnections' in s) s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function listen<T extends Server | HttpServer>(server: T): Promise<string> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/RPC`;
}

/** An HTTP server answering every request with `answer(request body)`. */
function fakeKamailio(answer: (req: any) => { status?: number; body: unknown }) {
  const seen: any[] = [];
  const server = createHttpServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(raw);
      seen.push(parsed);
      const { status = 200, body } = answer(parsed);
      res.writeHead(status).end(typeof body === 'string' ? body : JSON.stringify(body));
    });
  });
  return { server, seen };
}

describe('kamailio-jsonrpc transport', () => {
  it('times out when its timer fires, against a server that accepts and never answers', async () => {
    let received!: () => void;
    const requestArrived = new Promise<void>((resolve) => (received = resolve));
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.once('data', () => received());
    });
    const url = await listen(silent);
    // A clock the test moves: the call must end when its timer fires, not on the machine's time.
    const timers: { fire?: () => void; ms?: number } = {};
    const fake = {
      setTimeout: (fn: () => void, ms: number) => Object.assign(timers, { fire: fn, ms }),
      clearTimeout: () => {},
    };
    const pending = createKamailioRpc({ url, timeoutMs: 200, timers: fake })
      .coreVersion()
      .catch((e) => e);
    await requestArrived;
    expect(timers.ms).toBe(200);
    timers.fire!();
    const error = await pending;
    expect(error).toBeInstanceOf(KamailioRpcTimeoutError);
    expect(error).toBeInstanceOf(KamailioRpcFailure);
    expect(error).toMatchObject({ method: 'core.version', timeoutMs: 200 });
  });

  it('reports a closed port as a connection error', async () => {
    const probe = createServer();
    const url = await listen(probe);
    await new Promise((r) => probe.close(r));
    servers.pop();
    const error = await createKamailioRpc({ url })
      .coreUptime()
      .catch((e) => e);
    expect(error).toBeInstanceOf(KamailioRpcConnectionError);
    expect(error).toMatchObject({ method: 'core.uptime', errorCode: 'ECONNREFUSED' });
  });

  it('reports a reset connection as a connection error', async () => {
    const url = await listen(
      createServer((socket) => socket.on('data', () => socket.resetAndDestroy())),
    );
    const error = await createKamailioRpc({ url })
      .coreVersion()
      .catch((e) => e);
    expect(error).toBeInstanceOf(KamailioRpcConnectionError);
    expect(error.errorCode).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
  });

  it('sends JSON-RPC 2.0 with a fresh id per call and params as a list', async () => {
    const fake = fakeKamailio((req) => ({ body: { jsonrpc: '2.0', result: 'Ok.', id: req.id } }));
    const rpc = createKamailioRpc({ url: await listen(fake.server) });
    await rpc.htableSet('linecps', 'a', 5);
    await rpc.htableSet('linecps', 'b', 'five');
    expect(fake.seen).toEqual([
      { jsonrpc: '2.0', method: 'htable.seti', params: ['linecps', 'a', 5], id: 1 },
      { jsonrpc: '2.0', method: 'htable.sets', params: ['linecps', 'b', 'five'], id: 2 },
    ]);
  });

  it('turns a Kamailio error answer into KamailioRpcError (sent with the code as HTTP status)', async () => {
    const fake = fakeKamailio((req) => ({
      status: 500,
      body: { jsonrpc: '2.0', error: { code: 500, message: 'Reload in progress' }, id: req.id },
    }));
    const error = await createKamailioRpc({ url: await listen(fake.server) })
      .addressReload()
      .catch((e) => e);
    expect(error).toBeInstanceOf(KamailioRpcError);
    expect(error).toMatchObject({
      method: 'permissions.addressReload',
      code: 500,
      kamailioMessage: 'Reload in progress',
    });
    expect(error.message).toContain('Reload in progress');
  });

  it.each([
    ['another id', (req: any) => ({ body: { jsonrpc: '2.0', result: 'x', id: req.id + 1 } }), /id/],
    ['no id', () => ({ body: { jsonrpc: '2.0', result: {} } }), /id/],
    [
      'an empty result',
      (req: any) => ({ body: { jsonrpc: '2.0', result: {}, id: req.id } }),
      /empty/,
    ],
    ['HTTP 403', () => ({ status: 403, body: 'Forbidden' }), /HTTP 403/],
    ['not JSON', () => ({ body: 'hello' }), /not a JSON-RPC 2.0 answer: hello/],
    [
      'a wrong shape',
      (req: any) => ({ body: { jsonrpc: '2.0', result: 7, id: req.id } }),
      /string/,
    ],
  ])('rejects an answer with %s', async (_name, answer, problem) => {
    const fake = fakeKamailio(answer);
    const error = await createKamailioRpc({ url: await listen(fake.server) })
      .coreVersion()
      .catch((e) => e);
    expect(error).toBeInstanceOf(KamailioRpcResponseError);
    expect(error.message).toMatch(problem);
  });

  it('refuses values Kamailio would silently turn into 0, before sending', async () => {
    const fake = fakeKamailio(() => ({ body: 'never asked' }));
    const rpc = createKamailioRpc({ url: await listen(fake.server) });
    await expect(rpc.htableSet('linecps', 'a', 1.5)).rejects.toThrow(RangeError);
    await expect(rpc.cfgSet('core', 'debug', 2 ** 31)).rejects.toThrow(RangeError);
    await expect(rpc.htableGet('', 'a')).rejects.toThrow(TypeError);
    expect(fake.seen).toEqual([]);
  });

  it('maps a dialog the callee has not answered yet (its leg is all nulls)', async () => {
    const leg = { tag: null, contact: null, cseq: null, route_set: null, socket: null };
    const unconfirmed = {
      h_entry: 888,
      h_id: 9008,
      'call-id': 'a@127.0.0.1',
      from_uri: 'sip:+14155550100@127.0.0.1',
      to_uri: 'sip:zendesk@127.0.0.1',
      state: 1,
      start_ts: 0,
      timeout: 0,
      lifetime: 7200,
      duration: 0,
      caller: { ...leg, tag: 'f1', contact: 'sip:caller@127.0.0.1', cseq: '1', socket: 'udp:x' },
      callee: leg,
      variables: [],
    };
    const fake = fakeKamailio((req) => ({
      body: { jsonrpc: '2.0', result: [unconfirmed], id: req.id },
    }));
    const [dialog] = await createKamailioRpc({ url: await listen(fake.server) }).dialogs();
    expect(dialog).toMatchObject({
      callId: 'a@127.0.0.1',
      fromTag: 'f1',
      toTag: null,
      stateName: 'unconfirmed',
      variables: {},
    });
  });

  it('reads core.shmmem as numbers of bytes', async () => {
    const shmem = {
      total: 67108864,
      free: 66477272,
      used: 391552,
      real_used: 631592,
      max_used: 631592,
      fragments: 1,
    };
    const fake = fakeKamailio((req) => ({ body: { jsonrpc: '2.0', result: shmem, id: req.id } }));
    const rpc = createKamailioRpc({ url: await listen(fake.server) });
    expect(await rpc.coreShmem()).toEqual(shmem);
    expect(fake.seen[0]).toMatchObject({ method: 'core.shmmem', params: [] });
  });

  it('flushes an htable, and reports a table Kamailio does not have', async () => {
    // As Kamailio 5.6.3 answers htable.flush.
    const fake = fakeKamailio((req) =>
      req.params[0] === 'breaker'
        ? { body: { jsonrpc: '2.0', result: 'Ok. Htable flushed.', id: req.id } }
        : {
            status: 500,
            body: { jsonrpc: '2.0', error: { code: 500, message: 'No such htable' }, id: req.id },
          },
    );
    const rpc = createKamailioRpc({ url: await listen(fake.server) });
    await expect(rpc.htableFlush('breaker')).resolves.toBeUndefined();
    const error = await rpc.htableFlush('nope').catch((e) => e);
    expect(error).toBeInstanceOf(KamailioRpcError);
    expect(error).toMatchObject({ method: 'htable.flush', code: 500 });
    expect(fake.seen.map((r) => r.params)).toEqual([['breaker'], ['nope']]);
    await expect(rpc.htableFlush('')).rejects.toThrow(TypeError);
  });

  it('uses the fetch it is given', async () => {
    const calls: string[] = [];
    const rpc = createKamailioRpc({
      url: 'http://kamailio.invalid/RPC',
      fetch: async (input, init) => {
        calls.push(String(input));
        const { id } = JSON.parse(String(init?.body));
        return new Response(JSON.stringify({ jsonrpc: '2.0', result: 'kamailio 5.6.3 ', id }));
      },
    });
    expect(await rpc.coreVersion()).toBe('kamailio 5.6.3');
    expect(calls).toEqual(['http://kamailio.invalid/RPC']);
  });
});
