// A decision naming a routing rule: Kamailio is told the rule only when the edge holds its targets.
import { describe, expect, it } from 'vitest';
import { createDecider } from './decide';
import { createWorkerStatus } from './health';
import { createAgentMetrics } from './metrics';
import { RELAY_1001 } from './testing/fake-worker';
import { callFacts } from './testing/fixtures';
import { CallFactsSchema } from './schemas';
import type { WorkerClient } from './worker-client';

/** A Worker that answers every decision with `body`. */
const workerAnswering = (body: unknown) =>
  ({
    post: async () => ({ status: 200, body, headers: new Headers() }),
    get: async () => ({ status: 200, body: {}, headers: new Headers() }),
  }) as unknown as WorkerClient;

function decider(body: unknown, hasRule?: (line: string, rule: string) => boolean) {
  const logs: string[] = [];
  const metrics = createAgentMetrics({ spool: { depth: 0, oldestAt: null } });
  const d = createDecider({
    worker: workerAnswering(body),
    status: createWorkerStatus(),
    log: (level, event, fields) => logs.push(`${level} ${event} ${JSON.stringify(fields)}`),
    budgetMs: 800,
    metrics,
    ...(hasRule ? { hasRule } : {}),
  });
  return { d, logs, metrics };
}

/** The fixture's facts as Kamailio sends them, read the way the agent reads them. */
const facts = () => CallFactsSchema.parse(callFacts());

const VIP_DECISION = { ...RELAY_1001, route_rule: { id: 'vip', name: 'VIP' } };

describe('decisions naming a routing rule', () => {
  it('tells Kamailio the rule when the edge holds its targets, and counts it', async () => {
    const { d, metrics } = decider(VIP_DECISION, (line, rule) => line === 'demo' && rule === 'vip');
    const answer = await d.decide(facts());
    expect(answer).toMatchObject({ action: 'relay', source: 'worker', rule: 'vip' });
    expect(await metrics.registry.metrics()).toMatch(
      /sipbridge_rule_routes_total\{line="demo",rule="vip"\} 1/,
    );
    d.stop();
  });

  it('sends a rule the edge does not hold to the line targets: logged and counted', async () => {
    const { d, logs, metrics } = decider(VIP_DECISION, () => false);
    const answer = await d.decide(facts());
    expect(answer.action).toBe('relay');
    expect(answer).not.toHaveProperty('rule');
    expect(answer.headers).toBe('X-Zendesk-Ticket-Id: 1001\r\n');
    expect(
      logs.some((l) => l.startsWith('warn decide.rule_unknown') && l.includes('"rule":"vip"')),
    ).toBe(true);
    expect(await metrics.registry.metrics()).toMatch(
      /sipbridge_rule_fallbacks_total\{line="demo"\} 1/,
    );
    d.stop();
  });

  it('drops the rule without ACL sync (no rule sets at the edge), and never on a reject', async () => {
    const plain = decider(VIP_DECISION);
    expect(await plain.d.decide(facts())).not.toHaveProperty('rule');
    plain.d.stop();
    const refused = decider(
      { ...VIP_DECISION, action: 'reject', code: 603, reason: 'Decline', headers: [] },
      () => true,
    );
    expect(await refused.d.decide(facts())).toEqual({
      action: 'reject',
      code: 603,
      reason: 'Decline',
      headers: '',
      source: 'worker',
    });
    refused.d.stop();
  });

  it('treats a malformed rule id as a broken decision (fail open, line targets)', async () => {
    const { d } = decider(
      { ...RELAY_1001, route_rule: { id: 'VIP;x=1', name: 'VIP' } },
      () => true,
    );
    const answer = await d.decide(facts());
    expect(answer).toMatchObject({ action: 'relay', source: 'fail_open' });
    expect(answer).not.toHaveProperty('rule');
    d.stop();
  });
});
