import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { callIdOf, finalResponse, received } from './harness/sipp';
import { explain } from './harness/suite';
import { sipToolsAvailable } from './harness/tools';
import { PORT_BLOCKS } from './harness/ports';
import { startFullStack, type FullStack } from './harness/full-stack';

// Routing rules through the real Kamailio, agent, Worker and phone index: the Worker decides which
// rule takes a call (the stand-in's Ada has the `vip` tag, a stranger's number is nobody's), the
// agent syncs each rule's targets into a dispatcher set, and Kamailio relays to that set with the
// line's failover. What is not a rule's call, or is not decided, goes to the line's targets.
const BASE = PORT_BLOCKS.routingRules;

const ADA = '+14155550100'; // the stand-in's Ada Lovelace: tag vip, organization Acme
const STRANGER = '+14155550177'; // no Zendesk user has this number

describe.skipIf(!sipToolsAvailable())(
  'routing rules: caller kind and tags pick the targets',
  () => {
    let s: FullStack;
    const reject = (caller: string) =>
      s.uac('uac-reject-from', { CODE: '486', CALLER: caller }, '127.0.0.2');

    beforeAll(async () => {
      s = await startFullStack(BASE, [{ slug: 'rules', acl: ['127.0.0.2/32'] }], {
        aclSync: { intervalMs: 300 },
        scheduled: true,
      });
      const put = await s.admin('PUT', '/v1/admin/lines/rules/routing-rules', {
        time_zone: 'Europe/Paris',
        rules: [
          { id: 'vip', name: 'VIP', when: { user_tags: ['vip'] }, sip_targets: [s.target(1)] },
          {
            id: 'first-time',
            name: 'First-time',
            when: { caller: ['first_time'] },
            sip_targets: [s.target(2), s.target(3)],
          },
        ],
      });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      // The Worker's cron feeds the phone index (tags included) from the stand-in's user export.
      await vi.waitFor(
        async () => {
          await fetch(`${s.workerUrl}/__scheduled`);
          const res = await s.admin<{ phone_index: { status: string } }>(
            'GET',
            '/v1/admin/phone-index',
          );
          if (res.body.phone_index.status !== 'synced')
            throw new Error(res.body.phone_index.status);
        },
        { timeout: 20_000, interval: 500 },
      );
      // The agent's sync has given each rule its dispatcher set.
      await vi.waitFor(
        async () => {
          for (const rule of ['vip', 'first-time']) {
            const set = await s.edge.rpc.htableGet('linerules', `rules/${rule}`);
            if (!(Number(set.value) > 1)) throw new Error(`linerules rules/${rule}: ${set.value}`);
          }
        },
        { timeout: 20_000, interval: 200 },
      );
      await s.warmUp('rules');
    }, 90_000);
    afterAll(() => s?.stop(), 30_000);

    it('sends a returning VIP caller to the VIP rule’s target, not the line’s', async () => {
      const line = s.uas(0, 'uas-reject', { CODE: '486', REASON: 'Busy Here' });
      const vip = s.uas(1, 'uas-reject', { CODE: '486', REASON: 'Busy Here' });
      const caller = await reject(ADA);
      expect(finalResponse(caller), explain(caller, s.edge)).toBe('SIP/2.0 486 Busy Here');
      await line.stop();
      const [l, v] = await Promise.all([line.done, vip.done]);
      expect(received(v, /^INVITE /)).toBeDefined();
      expect(received(l, /^INVITE /)).toBeUndefined();
      const id = callIdOf(caller);
      const records = await s.waitForRecords([id], (r) => r.status === 'failed');
      expect(records.get(id)?.route_rule).toEqual({ id: 'vip', name: 'VIP' });
    }, 30_000);

    it('sends a first-time caller to the first-time rule’s targets, failing over within them', async () => {
      const first = s.uas(2, 'uas-reject', { CODE: '503', REASON: 'Service Unavailable' });
      const second = s.uas(3, 'uas-reject', { CODE: '486', REASON: 'Busy Here' });
      const caller = await reject(STRANGER);
      const [a, b] = await Promise.all([first.done, second.done]);
      expect(finalResponse(caller), explain(caller, s.edge)).toBe('SIP/2.0 486 Busy Here');
      expect(received(a, /^INVITE /)).toBeDefined();
      expect(received(b, /^INVITE /)).toBeDefined();
      const id = callIdOf(caller);
      const records = await s.waitForRecords([id], (r) => r.status === 'failed');
      expect(records.get(id)?.route_rule).toEqual({ id: 'first-time', name: 'First-time' });
    }, 30_000);

    it('sends a call no rule takes (a withheld number) to the line’s targets', async () => {
      const line = s.uas(0, 'uas-reject', { CODE: '486', REASON: 'Busy Here' });
      const caller = await reject('anonymous');
      expect(finalResponse(caller), explain(caller, s.edge)).toBe('SIP/2.0 486 Busy Here');
      expect(received(await line.done, /^INVITE /)).toBeDefined();
      const id = callIdOf(caller);
      const records = await s.waitForRecords([id], (r) => r.status === 'failed');
      expect(records.get(id)?.caller.match).toBe('withheld');
      expect(records.get(id)?.route_rule).toBeNull();
    }, 30_000);

    it('relays a rule Kamailio holds no set for to the line’s targets', async () => {
      // As if the rule had just been removed at the edge: the decision still names it.
      await s.edge.rpc.htableSet('linerules', 'rules/vip', 0);
      const line = s.uas(0, 'uas-reject', { CODE: '486', REASON: 'Busy Here' });
      const caller = await reject(ADA);
      expect(finalResponse(caller), explain(caller, s.edge)).toBe('SIP/2.0 486 Busy Here');
      expect(received(await line.done, /^INVITE /)).toBeDefined();
      expect(s.edge.log()).toMatch(/rule vip has no targets at the edge: the line's targets/);
    }, 30_000);

    it('fails open to the line’s targets when the Worker cannot decide', async () => {
      await s.stopWorker();
      const line = s.uas(0, 'uas-reject', { CODE: '486', REASON: 'Busy Here' });
      const caller = await reject(STRANGER);
      expect(finalResponse(caller), explain(caller, s.edge)).toBe('SIP/2.0 486 Busy Here');
      expect(received(await line.done, /^INVITE /)).toBeDefined();
    }, 30_000);
  },
);
