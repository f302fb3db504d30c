import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSipbridge } from './main';
import {
  closedPortUrl,
  startFakeAgent,
  startSilentServer,
  type FakeServer,
} from './testing/fake-servers';

const TOKEN = 'agent-token-0123456789abcdef';
const ACL = {
  last_sync_at: '2026-11-21T08:00:01.000Z',
  etag: '"e1"',
  entries: 2,
  last_error: null,
};

describe('sipbridge sync', () => {
  let answer: [number, unknown] = [200, { synced: true, acl: ACL }];
  let agent: FakeServer;
  beforeAll(async () => {
    agent = await startFakeAgent({
      'POST /v1/acl/sync': (req) =>
        req.authorization === `Bearer ${TOKEN}`
          ? answer
          : [401, { error: 'unauthorized', message: 'Missing or invalid credentials.' }],
    });
  });
  afterAll(() => agent.close());

  const run = (extra: string[] = [], env: Record<string, string> = { EDGE_AGENT_TOKEN: TOKEN }) =>
    runSipbridge(['sync', '--agent', agent.url, ...extra], env);

  it('asks the agent to sync with the token from the environment, and never prints the token', async () => {
    answer = [200, { synced: true, acl: ACL }];
    const before = agent.requests.length;
    const result = await run();
    expect(result).toEqual({
      code: 0,
      stdout: [
        'ACL synced: Kamailio loaded the Worker allowlists',
        'entries    2',
        'etag       "e1"',
        'last sync  2026-11-21T08:00:01.000Z',
      ],
      stderr: [],
    });
    expect(agent.requests.slice(before)).toEqual([
      { method: 'POST', path: '/v1/acl/sync', authorization: `Bearer ${TOKEN}`, body: '' },
    ]);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it('--json passes the agent answer on as one object', async () => {
    answer = [200, { synced: true, acl: ACL }];
    const result = await run(['--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout[0]!)).toEqual({ synced: true, acl: ACL });
  });

  it('exits 1 when the agent could not sync, showing the ACL still in force', async () => {
    const acl = { ...ACL, last_error: 'Kamailio loaded 1 of 2 entries' };
    answer = [502, { error: 'acl_sync_failed', message: acl.last_error, acl }];
    const result = await run();
    expect(result.code).toBe(1);
    expect(result.stderr).toEqual(['sipbridge: ACL sync failed: Kamailio loaded 1 of 2 entries']);
    expect(result.stdout[0]).toBe('ACL in force (the previous one):');
    const json = await run(['--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout[0]!)).toEqual({
      synced: false,
      error: 'acl_sync_failed',
      message: 'Kamailio loaded 1 of 2 entries',
      acl,
    });
  });

  it('exits 2 when ACL sync is off in the agent, saying what to set', async () => {
    answer = [409, { error: 'acl_sync_off', message: 'ACL sync is off: set EDGE_ACL_SYNC_DIR.' }];
    const result = await run();
    expect(result).toEqual({
      code: 2,
      stdout: [],
      stderr: [
        `sipbridge: ACL sync is off in the edge agent at ${agent.url}: set EDGE_ACL_SYNC_DIR in its environment (/etc/sipbridge/agent.env) and restart it`,
      ],
    });
  });

  it('exits 2 when the agent refuses the token, without echoing it', async () => {
    const result = await run([], { EDGE_AGENT_TOKEN: 'wrong-token-value' });
    expect(result.code).toBe(2);
    expect(result.stderr).toEqual([
      `sipbridge: the edge agent at ${agent.url} refused EDGE_AGENT_TOKEN (401): use the token from the agent's environment`,
    ]);
    expect(JSON.stringify(result)).not.toContain('wrong-token-value');
  });

  it('exits 2 without EDGE_AGENT_TOKEN and does not call the agent', async () => {
    const before = agent.requests.length;
    const result = await run([], {});
    expect(result.code).toBe(2);
    expect(result.stderr[0]).toMatch(/^sipbridge: EDGE_AGENT_TOKEN is not set: export the token/);
    expect(agent.requests.length).toBe(before);
  });

  it('exits 1 on an answer it does not expect from the agent', async () => {
    answer = [500, { error: 'internal', message: 'The agent failed; see its log.' }];
    const result = await run();
    expect(result.stderr).toEqual([
      `sipbridge: the edge agent at ${agent.url} answered HTTP 500: The agent failed; see its log.`,
    ]);
    expect(result.code).toBe(1);
  });

  it('exits 3 when the agent cannot be reached', async () => {
    const down = await closedPortUrl();
    const result = await runSipbridge(['sync'], { EDGE_AGENT_URL: down, EDGE_AGENT_TOKEN: TOKEN });
    expect(result).toEqual({
      code: 3,
      stdout: [],
      stderr: [
        `sipbridge: cannot reach the edge agent at ${down} (ECONNREFUSED); is sipbridge-agent running?`,
      ],
    });
  });

  it('exits 3 when the agent takes longer than the timeout to answer', async () => {
    const silent = await startSilentServer();
    const result = await runSipbridge(
      ['sync', '--agent', silent.url],
      { EDGE_AGENT_TOKEN: TOKEN },
      { syncTimeoutMs: 150 },
    );
    await silent.close();
    expect(result).toEqual({
      code: 3,
      stdout: [],
      stderr: [
        `sipbridge: the edge agent at ${silent.url} did not answer /v1/acl/sync within 150 ms; is it overloaded or stuck?`,
      ],
    });
  });
});
