import { agentBasicPassword } from './credential';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from './log';
import { startEdgeAgent } from './server';
import { callEvent, callFacts, SECRET, tempDir, TOKEN } from './testing/fixtures';
import { startTestAgent, type TestAgent } from './testing/harness';

let t: TestAgent;
afterEach(() => t?.close());

describe('agent HTTP API', () => {
  it.each([
    ['no token', null],
    ['a wrong token', 'not-the-token'],
    ['a token with a suffix', `${TOKEN}x`],
    ['an empty token', ''],
  ])('refuses %s with a 401 that names no check', async (_name, token) => {
    t = await startTestAgent();
    for (const path of ['/v1/decide', '/v1/events']) {
      const res = await t.post(path, path === '/v1/decide' ? callFacts() : callEvent(1), token);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: 'unauthorized',
        message: 'Missing or invalid credentials.',
      });
    }
    expect(t.worker.state.decisions).toHaveLength(0);
    expect(t.agent.spool.depth).toBe(0);
  });

  it("takes Kamailio's Basic credentials (derived from the token) on its two endpoints only", async () => {
    t = await startTestAgent();
    const basic = (password: string) =>
      `Basic ${Buffer.from(`kamailio:${password}`).toString('base64')}`;
    const send = (path: string, authorization: string, body?: unknown) =>
      fetch(`${t.url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { Authorization: authorization, 'Content-Type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const good = basic(agentBasicPassword(TOKEN));
    expect((await send('/v1/decide', good, callFacts())).status).toBe(200);
    expect((await send('/v1/events', good, callEvent(3))).status).toBe(202);
    expect((await send('/v1/decide', basic(TOKEN), callFacts())).status).toBe(401);
    expect(
      (await send('/v1/decide', basic(agentBasicPassword(`${TOKEN}x`)), callFacts())).status,
    ).toBe(401);
    expect(
      (
        await send(
          '/v1/decide',
          `Basic ${Buffer.from(`admin:${agentBasicPassword(TOKEN)}`).toString('base64')}`,
          callFacts(),
        )
      ).status,
    ).toBe(401);
    // The operator's and Prometheus's endpoints want the token itself.
    expect((await send('/metrics', good)).status).toBe(401);
  });

  it('serves /health without a token', async () => {
    t = await startTestAgent();
    const res = await fetch(`${t.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      spool: { depth: 0, oldest_at: null },
      worker: { reachable: true, last_ok_at: null, last_error: null, breaker: 'closed' },
    });
  });

  it('spools an event and answers 202 only once it is on disk', async () => {
    const NOW = Date.parse('2026-11-21T08:00:00.250Z');
    t = await startTestAgent({ delivery: { idlePollMs: 60_000 }, now: () => NOW });
    await t.worker.stop(); // keep it in the spool
    const res = await t.post('/v1/events', { ...callEvent(7), at: undefined, call: callFacts() });
    expect(res).toMatchObject({ status: 202, body: { spooled: true } });
    const files = readdirSync(t.spoolDir).filter((f) => f.endsWith('.jsonl'));
    const line = JSON.parse(readFileSync(join(t.spoolDir, files[0]!), 'utf8').trim());
    expect(line.e).toMatchObject({
      call_id: 'call-7@127.0.0.1',
      kind: 'answered',
      call: { line: 'demo' },
    });
    expect(line.e.at).toBe('2026-11-21T08:00:00.250Z'); // stamped by the agent, on its clock
    const health = await (await fetch(`${t.url}/health`)).json();
    expect(health.spool).toEqual({ depth: 1, oldest_at: '2026-11-21T08:00:00.250Z' });
  });

  it('answers 400 with the field for an invalid event, and for bad JSON', async () => {
    t = await startTestAgent();
    const bad = await t.post('/v1/events', { ...callEvent(1), kind: 'ringing' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_event');
    expect(bad.body.message).toMatch(/^kind: /);
    const json = await t.post('/v1/events', '{"call_id": ');
    expect(json.status).toBe(400);
    expect(json.body.error).toBe('invalid_json');
    expect(t.agent.spool.depth).toBe(0);
  });

  it('refuses the call (never relays it unvetted) when its facts are invalid, naming no value', async () => {
    t = await startTestAgent();
    const facts = await t.post('/v1/decide', {
      ...callFacts(),
      line: 'Secret-Line_Name',
      sip: { from: 'x' },
    });
    expect(facts.status).toBe(200);
    expect(facts.body).toEqual({
      action: 'reject',
      code: 400,
      reason: 'Call details refused',
      headers: '',
      source: 'worker',
    });
    expect(t.worker.state.decisions).toHaveLength(0);
    const logged = t.logs.find((l) => l.includes('decide.invalid_facts'))!;
    expect(logged).toMatch(/sip\.to/);
    expect(logged).not.toContain('Secret-Line_Name');
  });

  it('answers 413 for a body over 64 KB', async () => {
    t = await startTestAgent();
    const big = { ...callEvent(1), reason: 'x'.repeat(70 * 1024) };
    const res = await t.post('/v1/events', big);
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('payload_too_large');
    // Without a Content-Length too (chunked upload).
    const chunked = await fetch(`${t.url}/v1/events`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: new Blob(['{"a":"', 'y'.repeat(100 * 1024), '"}']).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it('answers 404 and 405 for other paths and methods', async () => {
    t = await startTestAgent();
    expect((await fetch(`${t.url}/v1/nothing`)).status).toBe(404);
    const get = await fetch(`${t.url}/v1/decide`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('listens on loopback by default', async () => {
    t = await startTestAgent();
    expect(t.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('rejects when the port is taken, leaving nothing running', async () => {
    t = await startTestAgent();
    const port = Number(new URL(t.url).port);
    const spool = tempDir('agent-port-');
    await expect(
      startEdgeAgent({
        port,
        token: TOKEN,
        workerUrl: t.worker.url,
        edgeSecret: SECRET,
        spoolDir: spool.dir,
        log: silentLogger,
      }),
    ).rejects.toThrow(/EADDRINUSE/);
    spool.remove();
  });
});
