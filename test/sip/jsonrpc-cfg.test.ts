import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sipToolsAvailable } from './harness/tools';
import { createKamailioRpc, KamailioRpcError, type KamailioRpc } from 'kamailio-jsonrpc';
import { startMiniKamailio } from './harness/mini-kamailio';
import { PORT_BLOCKS } from './harness/ports';

// A minimal Kamailio with only JSON-RPC, on its block's RPC port.
const RPC_PORT = PORT_BLOCKS.jsonrpcCfg + 20;

describe.skipIf(!sipToolsAvailable())('kamailio-jsonrpc cfg (cfg_rpc module)', () => {
  let kamailio: Awaited<ReturnType<typeof startMiniKamailio>>;
  let rpc: KamailioRpc;

  beforeAll(async () => {
    kamailio = await startMiniKamailio(RPC_PORT);
    rpc = createKamailioRpc({ url: kamailio.url });
  }, 20_000);
  afterAll(() => kamailio?.stop());

  it('reads a core value as a number', async () => {
    expect(await rpc.cfgGet('core', 'debug')).toBe(1);
  });

  it('sets an integer and reads it back', async () => {
    await rpc.cfgSet('core', 'debug', 2);
    expect(await rpc.cfgGet('core', 'debug')).toBe(2);
    await rpc.cfgSet('core', 'debug', 1);
    expect(await rpc.cfgGet('core', 'debug')).toBe(1);
  });

  it('reports an unknown variable as a Kamailio error', async () => {
    const error = await rpc.cfgGet('core', 'no_such_setting').catch((e) => e);
    expect(error).toBeInstanceOf(KamailioRpcError);
    expect(error).toMatchObject({ method: 'cfg.get', code: 400 });
  });

  it('reports a string for an integer variable as a Kamailio error', async () => {
    const error = await rpc.cfgSet('core', 'debug', 'x').catch((e) => e);
    expect(error).toBeInstanceOf(KamailioRpcError);
    expect(error).toMatchObject({ method: 'cfg.sets', code: 400 });
    expect(await rpc.cfgGet('core', 'debug')).toBe(1);
  });
});
