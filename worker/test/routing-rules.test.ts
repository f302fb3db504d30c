import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ACME_ORG_ID,
  BLETCHLEY_ORG_ID,
  OPEN_TICKET_ID,
  VIP_TAG,
} from '@sip-bridge/zendesk-standin/seed';
import type { ZendeskStandin } from '@sip-bridge/zendesk-standin/app';
import { phoneIndexZendeskFromEnv } from '../src/config';
import { syncPhoneIndex } from '../src/phone-index/sync';
import { clearMatchMemory } from '../src/calls/match-cache';
import {
  adminFetch,
  appFetch,
  callRow,
  createTestLine,
  decide,
  edgeFetch,
  installStandin,
  invite,
} from './harness';

const DEFAULT = 'sip:mongoose@mongoose.sip.twilio.com';
const VIP = 'sip:vip@vip-desk.sip.twilio.com';
const ACME = 'sip:acme@acme-desk.sip.twilio.com';
const KNOWN = 'sip:known@returning.sip.twilio.com';
const FIRST = 'sip:new@first-time.sip.twilio.com';
const NIGHT = 'sip:night@night-desk.sip.twilio.com';

const ADA = '"Ada" <sip:+14155550100@carrier.example>;tag=1'; // tags vip, organization Acme
const ALAN = '"Alan" <sip:+442079460958@carrier.example>;tag=1'; // organization Bletchley
const MARIE = '"Marie" <sip:+33612345678@carrier.example>;tag=1'; // no tags, no organization
const STRANGER = '"New" <sip:+14155550177@carrier.example>;tag=1'; // nobody has this number
const WITHHELD = '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=9';

let standin: ZendeskStandin;

beforeEach(async () => {
  await env.DB.batch([
    env.DB.prepare('DELETE FROM calls'),
    env.DB.prepare('DELETE FROM lines'),
    env.DB.prepare('DELETE FROM phone_index'),
    env.DB.prepare('DELETE FROM phone_index_state'),
    env.DB.prepare('DELETE FROM caller_matches'),
  ]);
  standin = installStandin();
});

afterEach(() => {
  vi.useRealTimers();
});

/** Runs the phone index sync over the stand-in's export until it has caught up. */
async function indexUsers() {
  for (let i = 0; i < 10; i++) {
    const run = await syncPhoneIndex({
      db: env.DB,
      zendesk: phoneIndexZendeskFromEnv(env),
      country: 'US',
    });
    expect(run.error).toBeUndefined();
    if (run.caughtUp) return;
  }
  throw new Error('the phone index never caught up');
}

function putRules(body: unknown, slug = 'ai-agent') {
  return adminFetch(`/v1/admin/lines/${slug}/routing-rules`, { method: 'PUT', body });
}

const RULES = [
  { id: 'vip', name: 'VIP', when: { user_tags: [VIP_TAG] }, sip_targets: [VIP] },
  { id: 'acme', name: 'Acme', when: { organization_ids: [ACME_ORG_ID] }, sip_targets: [ACME] },
  {
    id: 'bletchley',
    name: 'Bletchley Park',
    when: { organization_ids: [BLETCHLEY_ORG_ID], caller: ['returning'] },
    sip_targets: [ACME, KNOWN],
  },
  { id: 'returning', name: 'Returning', when: { caller: ['returning'] }, sip_targets: [KNOWN] },
  { id: 'first-time', name: 'First-time', when: { caller: ['first_time'] }, sip_targets: [FIRST] },
];

async function decideFrom(from: string) {
  clearMatchMemory();
  const req = invite({ from });
  const res = await decide(req);
  expect(res.status).toBe(200);
  return { req, body: res.body };
}

describe('routing rules through the decision, with the stand-in’s users', () => {
  beforeEach(async () => {
    await createTestLine();
    await indexUsers();
    expect((await putRules({ time_zone: 'UTC', rules: RULES })).status).toBe(200);
  });

  it('routes a caller with the VIP tag by the VIP rule, and the record and sidebar name it', async () => {
    const before = standin.requests.length;
    const { req, body } = await decideFrom(ADA);
    expect(body).toMatchObject({ action: 'relay', route_rule: { id: 'vip', name: 'VIP' } });
    expect(body.targets).toEqual([VIP]);
    // Tags came from the phone index: the decision asked Zendesk nothing.
    expect(standin.requests.length).toBe(before);
    const row = await callRow(req.call_id);
    expect(row).toMatchObject({ route_rule_id: 'vip', route_rule_name: 'VIP' });

    const linked = invite({ from: ADA, ticket_id: String(OPEN_TICKET_ID) });
    clearMatchMemory();
    expect((await decide(linked)).body.route_rule).toEqual({ id: 'vip', name: 'VIP' });
    const shown = await appFetch(`/v1/tickets/${OPEN_TICKET_ID}/calls`);
    const calls = ((await shown.json()) as { calls: Record<string, any>[] }).calls;
    expect(calls.find((c) => c.call_id === linked.call_id)?.route_rule).toEqual({
      id: 'vip',
      name: 'VIP',
    });
  });

  it('routes by organization when the tag rule does not hold, and needs every condition', async () => {
    await putRules({ time_zone: 'UTC', rules: RULES.slice(1) });
    expect((await decideFrom(ADA)).body.route_rule?.id).toBe('acme');
    // Alan is in Bletchley and returning: both conditions of that rule hold.
    const alan = (await decideFrom(ALAN)).body;
    expect(alan.route_rule).toEqual({ id: 'bletchley', name: 'Bletchley Park' });
    expect(alan.targets).toEqual([ACME, KNOWN]);
  });

  it('tells a returning caller without tags from a first-time caller', async () => {
    const marie = (await decideFrom(MARIE)).body;
    expect(marie.call.match).toBe('matched');
    expect(marie).toMatchObject({ route_rule: { id: 'returning' }, targets: [KNOWN] });
    const stranger = (await decideFrom(STRANGER)).body;
    expect(stranger.call.match).toBe('no_match');
    expect(stranger).toMatchObject({ route_rule: { id: 'first-time' }, targets: [FIRST] });
  });

  it('sends a call no rule takes to the line’s targets, naming no rule', async () => {
    const { req, body } = await decideFrom(WITHHELD);
    expect(body.action).toBe('relay');
    expect(body.route_rule).toBeUndefined();
    expect(body.targets).toEqual([DEFAULT]);
    expect(await callRow(req.call_id)).toMatchObject({ route_rule_id: null });
  });

  it('routes withheld callers by a withheld rule, first match winning over a later one', async () => {
    await putRules({
      rules: [
        {
          id: 'hidden',
          name: 'Hidden number',
          when: { caller: ['withheld'] },
          sip_targets: [FIRST],
        },
        {
          id: 'later',
          name: 'Later',
          when: { caller: ['withheld', 'first_time'] },
          sip_targets: [KNOWN],
        },
      ],
    });
    expect((await decideFrom(WITHHELD)).body.route_rule?.id).toBe('hidden');
    expect((await decideFrom(STRANGER)).body.route_rule?.id).toBe('later');
  });

  it('reads time windows in the line’s zone at the time of the call', async () => {
    await putRules({
      time_zone: 'America/New_York',
      rules: [
        {
          id: 'night',
          name: 'Night desk',
          when: { caller: ['returning'], time: [{ days: ['sun'], from: '22:00', to: '06:00' }] },
          sip_targets: [NIGHT],
        },
      ],
    });
    vi.useFakeTimers({ toFake: ['Date'] });
    // Monday 2026-11-02 05:59 in New York (EST, the day after DST ended) is 10:59 UTC.
    vi.setSystemTime(new Date('2026-11-02T10:59:00Z'));
    expect((await decideFrom(MARIE)).body.route_rule?.id).toBe('night');
    vi.setSystemTime(new Date('2026-11-02T11:00:00Z'));
    const after = (await decideFrom(MARIE)).body;
    expect(after.route_rule).toBeUndefined();
    expect(after.targets).toEqual([DEFAULT]);
  });

  it('never routes a blocked caller: the block list refuses a VIP too', async () => {
    const block = await adminFetch('/v1/admin/blocked-numbers', {
      body: { number: '+14155550100', line: 'ai-agent' },
    });
    expect(block.status).toBe(201);
    const { body } = await decideFrom(ADA);
    expect(body).toMatchObject({ action: 'reject', code: 603 });
    expect(body.route_rule).toBeUndefined();
  });

  it('keeps a first-time caller first-time when the line creates their user', async () => {
    await adminFetch('/v1/admin/lines/ai-agent', {
      method: 'PATCH',
      body: { create_ticket: true },
    });
    const { body } = await decideFrom(STRANGER);
    expect(body.call).toMatchObject({ ticket_link: 'created' });
    expect(body.route_rule).toEqual({ id: 'first-time', name: 'First-time' });
    // The next call from the number is the new user's: returning.
    expect((await decideFrom(STRANGER)).body.route_rule?.id).toBe('returning');
  });

  it('gives the edge each rule’s targets in its config', async () => {
    const res = await edgeFetch('/v1/edge/config');
    const config = (await res.json()) as { lines: Record<string, any>[] };
    expect(config.lines[0]!.rules).toEqual(
      RULES.map((r) => ({ id: r.id, sip_targets: r.sip_targets })),
    );
    await putRules({ rules: [] });
    const plain = (await (await edgeFetch('/v1/edge/config')).json()) as typeof config;
    expect(plain.lines[0]).not.toHaveProperty('rules');
  });
});

describe('the routing rules admin API', () => {
  beforeEach(async () => {
    await createTestLine();
  });

  it('gives a line no rules, and keeps the ordered list it is given', async () => {
    const empty = await adminFetch('/v1/admin/lines/ai-agent/routing-rules');
    expect(await empty.json()).toEqual({ routing_rules: { time_zone: 'UTC', rules: [] } });
    const put = await putRules({ time_zone: 'Europe/Paris', rules: RULES });
    expect(put.status).toBe(200);
    const shown = await adminFetch('/v1/admin/lines/ai-agent/routing-rules');
    const { routing_rules } = (await shown.json()) as { routing_rules: Record<string, any> };
    expect(routing_rules.time_zone).toBe('Europe/Paris');
    expect(routing_rules.rules.map((r: { id: string }) => r.id)).toEqual(RULES.map((r) => r.id));
    expect((await putRules({ rules: [] }, 'no-such-line')).status).toBe(404);
  });

  it('refuses invalid rules naming each field, echoing nothing, and keeps the old ones', async () => {
    await putRules({ rules: RULES.slice(0, 1) });
    const res = await putRules({
      time_zone: 'Mars/Olympus_Mons',
      rules: [
        {
          id: 'Bad Id',
          name: 'x',
          when: { caller: ['vip-ish'] },
          sip_targets: ['http://evil.example'],
        },
        { id: 'ok', name: 'ok', when: {}, sip_targets: [VIP] },
        {
          id: 'ok',
          name: 'ok',
          when: { time: [{ days: ['mon', 'mon'], from: '09:00', to: '09:00' }] },
          sip_targets: Array.from({ length: 9 }, (_, i) => `sip:t${i}@example.com`),
        },
      ],
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    for (const sent of ['Mars', 'Bad Id', 'vip-ish', 'evil']) expect(text).not.toContain(sent);
    const paths = (JSON.parse(text) as { issues: { path: string }[] }).issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'time_zone',
        'rules[0].id',
        'rules[0].when.caller[0]',
        'rules[0].sip_targets[0]',
        'rules[1].when',
        'rules[2].when.time[0].days[1]',
        'rules[2].when.time[0].to',
        'rules[2].sip_targets',
      ]),
    );
    const shown = await adminFetch('/v1/admin/lines/ai-agent/routing-rules');
    const kept = (await shown.json()) as { routing_rules: { rules: { id: string }[] } };
    expect(kept.routing_rules.rules.map((r) => r.id)).toEqual(['vip']);
  });

  it('describes the rules in the OpenAPI document, with their bounds', async () => {
    const doc = (await (await adminFetch('/openapi.json')).json()) as Record<string, any>;
    const path = doc.paths['/v1/admin/lines/{slug}/routing-rules'];
    expect(Object.keys(path).sort()).toEqual(['get', 'put']);
    const schemas = doc.components.schemas;
    expect(schemas.RoutingRules.properties.rules.maxItems).toBe(20);
    expect(schemas.RoutingRule.properties.sip_targets.maxItems).toBe(8);
    expect(schemas.RoutingRuleConditions.properties.caller.items.enum).toEqual([
      'returning',
      'first_time',
      'withheld',
    ]);
    expect(schemas.Decision.properties.route_rule).toBeDefined();
    expect(schemas.CallRecord.properties.route_rule).toBeDefined();
  });

  it('refuses two rules with one id, naming the second', async () => {
    const res = await putRules({ rules: [RULES[0], RULES[3], { ...RULES[1], id: 'vip' }] });
    expect(res.status).toBe(400);
    const issues = ((await res.json()) as { issues: { path: string; message: string }[] }).issues;
    expect(issues).toEqual([{ path: 'rules[2].id', message: 'repeats rules[0].id' }]);
  });

  it('refuses more than 20 rules and an unknown field', async () => {
    const many = Array.from({ length: 21 }, (_, i) => ({ ...RULES[0], id: `r${i}` }));
    const res = await putRules({ rules: many, priority: 1 });
    expect(res.status).toBe(400);
    const issues = ((await res.json()) as { issues: { path: string; message: string }[] }).issues;
    expect(issues.map((i) => i.path).sort()).toEqual(['', 'rules']);
  });

  it('D1 itself refuses a secure line with a plain rule target, however the write came', async () => {
    await putRules({ rules: RULES.slice(0, 1) });
    const write = env.DB.prepare(
      `UPDATE lines SET media = 'secure', sip_targets = '["sips:a@b.example"]' WHERE slug = ?`,
    )
      .bind('ai-agent')
      .run();
    await expect(write).rejects.toThrow(/secure_media_needs_tls_targets/);
  });

  it('keeps a secure line’s rule targets on TLS, in both orders of change', async () => {
    const secure = await putRules({ rules: RULES.slice(0, 1) });
    expect(secure.status).toBe(200);
    // The line becomes secure while a rule still has a plain target: refused, naming media.
    const patch = await adminFetch('/v1/admin/lines/ai-agent', {
      method: 'PATCH',
      body: { media: 'secure', sip_targets: ['sips:mongoose@mongoose.sip.twilio.com'] },
    });
    expect(patch.status).toBe(400);
    const paths = ((await patch.json()) as { issues: { path: string }[] }).issues.map(
      (i) => i.path,
    );
    expect(paths).toEqual(['media']);
    // TLS rule targets first, then the line can be secure; a plain rule target is then refused.
    expect(
      (
        await putRules({
          rules: [{ ...RULES[0], sip_targets: ['sips:vip@vip-desk.sip.twilio.com'] }],
        })
      ).status,
    ).toBe(200);
    const ok = await adminFetch('/v1/admin/lines/ai-agent', {
      method: 'PATCH',
      body: { media: 'secure', sip_targets: ['sips:mongoose@mongoose.sip.twilio.com'] },
    });
    expect(ok.status).toBe(200);
    const plain = await putRules({
      rules: [{ ...RULES[0], sip_targets: ['sips:a@b.example', VIP] }],
    });
    expect(plain.status).toBe(400);
    const plainPaths = ((await plain.json()) as { issues: { path: string }[] }).issues;
    expect(plainPaths.map((i) => i.path)).toEqual(['rules[0].sip_targets[1]']);
  });
});
