// The agent's schemas must accept exactly what the Worker accepts: an event the agent spools but
// the Worker refuses would otherwise never leave the spool. This checks both on the same samples.
import { describe, expect, it } from 'vitest';
import {
  CallEventSchema as WorkerEventSchema,
  DecisionRequestSchema as WorkerDecisionRequestSchema,
} from '@sip-bridge/contract/edge';
import { CallFactsSchema, KamailioEventSchema } from './schemas';
import { callEvent, callFacts } from './testing/fixtures';

const facts = callFacts();
const factVariants: Array<[string, unknown]> = [
  ['as documented', facts],
  [
    'without ticket and PAI',
    { ...facts, ticket_id: null, sip: { ...facts.sip, p_asserted_identity: null } },
  ],
  ['IPv6 source', { ...facts, source: { ip: '2001:db8::1', port: 5060, transport: 'tcp' } }],
  ['IPv4-mapped IPv6 source', { ...facts, source: { ip: '::ffff:192.0.2.1' } }],
  ['bad source ip', { ...facts, source: { ip: '999.1.1.1' } }],
  ['host name as source', { ...facts, source: { ip: 'carrier.example' } }],
  ['bad line slug', { ...facts, line: 'Demo_Line' }],
  ['line slug ending in a dash', { ...facts, line: 'demo-' }],
  ['call id with a space', { ...facts, call_id: 'a b' }],
  ['ticket id of 20 digits', { ...facts, ticket_id: '12345678901234567890' }],
  ['CRLF in From', { ...facts, sip: { ...facts.sip, from: '<sip:a@b>\r\nVia: x' } }],
  ['From over 1024', { ...facts, sip: { ...facts.sip, from: 'x'.repeat(1025) } }],
  ['User-Agent over 512', { ...facts, sip: { ...facts.sip, user_agent: 'x'.repeat(513) } }],
  ['33 codecs', { ...facts, codecs: Array.from({ length: 33 }, () => 'PCMU') }],
  ['unknown transport', { ...facts, source: { ip: '127.0.0.1', transport: 'sctp' } }],
  ['port 70000', { ...facts, source: { ip: '127.0.0.1', port: 70000 } }],
  ['missing To', { ...facts, sip: { ...facts.sip, to: undefined } }],
];

describe('the agent accepts what the Worker accepts', () => {
  it.each(factVariants)('call facts %s', (_name, variant) => {
    const agent = CallFactsSchema.safeParse(variant);
    const worker = WorkerDecisionRequestSchema.safeParse(
      agent.success
        ? { ...agent.data, budget_ms: 700 }
        : { ...(variant as object), budget_ms: 700 },
    );
    expect(agent.success).toBe(worker.success);
  });

  const event = callEvent(1);
  it.each<[string, unknown]>([
    ['answered', event],
    [
      'ended by the caller',
      { ...event, kind: 'ended', ended_by: 'caller', sip_code: undefined, reason: undefined },
    ],
    ['with call facts', { ...event, call: facts }],
    ['with invalid call facts', { ...event, call: { ...facts, line: 'BAD' } }],
    ['unknown kind', { ...event, kind: 'ringing' }],
    ['code 99', { ...event, sip_code: 99 }],
    ['time without zone', { ...event, at: '2026-11-21T09:30:12' }],
    ['time with offset', { ...event, at: '2026-11-21T09:30:12+01:00' }],
    ['reason over 200', { ...event, reason: 'x'.repeat(201) }],
    ['reason with LF', { ...event, reason: 'a\nb' }],
    ['ended_by somebody', { ...event, ended_by: 'somebody' }],
  ])('event %s', (_name, variant) => {
    const agent = KamailioEventSchema.safeParse(variant);
    const worker = WorkerEventSchema.safeParse(agent.success ? agent.data : variant);
    expect(agent.success).toBe(worker.success);
  });

  it('turns Kamailio empty strings into absent values the Worker accepts', () => {
    const agent = KamailioEventSchema.parse({
      call_id: 'x@y',
      kind: 'ended',
      at: '',
      sip_code: 0,
      reason: '',
      ended_by: '',
      call: {
        ...facts,
        acl_entry: '',
        ticket_id: '',
        codecs: 'PCMU,PCMA',
        source: { ip: '127.0.0.1', port: 0, transport: '' },
      },
    });
    expect(agent).toMatchObject({
      call: { ticket_id: null, acl_entry: null, codecs: ['PCMU', 'PCMA'] },
    });
    expect(agent.call?.source).toEqual({ ip: '127.0.0.1' });
    expect(WorkerEventSchema.safeParse({ ...agent, at: new Date().toISOString() }).success).toBe(
      true,
    );
  });
});

describe('SIP facts a caller controls are made safe, never a reason to skip the decision', () => {
  const hex = (text: string | Buffer) => Buffer.from(text).toString('hex');

  it('decodes a From that was not UTF-8 (Latin-1 display name) and marks it escaped', () => {
    const latin1 = Buffer.from('"M\xfcller" <sip:+33612345678@carrier.example>', 'latin1');
    const parsed = CallFactsSchema.parse({
      ...facts,
      sip: { ...facts.sip, from: undefined, from_hex: hex(latin1) },
    });
    expect(parsed.sip.from).toBe('"M\uFFFDller" <sip:+33612345678@carrier.example>');
    expect(parsed.sip.sanitized).toEqual(['from:escaped']);
    expect(WorkerDecisionRequestSchema.safeParse({ ...parsed, budget_ms: 700 }).success).toBe(true);
  });

  it('flattens folded lines and control characters to spaces', () => {
    const parsed = CallFactsSchema.parse({
      ...facts,
      sip: { ...facts.sip, user_agent: 'Bot/1\r\n\tbuild 7\x00' },
    });
    expect(parsed.sip.user_agent).toBe('Bot/1 build 7 ');
    expect(parsed.sip.sanitized).toEqual(['user_agent:escaped']);
  });

  it('cuts an over-long User-Agent and keeps the marks Kamailio sent', () => {
    const parsed = CallFactsSchema.parse({
      ...facts,
      sip: { ...facts.sip, user_agent: 'x'.repeat(600), sanitized: ['to:escaped'] },
    });
    expect(parsed.sip.user_agent).toHaveLength(512);
    expect(parsed.sip.sanitized).toEqual(['to:escaped', 'user_agent:truncated']);
  });

  it('keeps valid context headers and leaves out any other, so context never refuses a call', () => {
    const context = [
      { name: 'X-Intent', value: 'billing' },
      { name: 'X-Zendesk-Group', value: '7' },
      { name: 'X-Bad', value: 'caf\u00e9' },
      { name: 'Via', value: 'x' },
      { name: 'User-to-User', value: '56a390f3;encoding=hex' },
      'not an object',
    ];
    const parsed = CallFactsSchema.parse({ ...facts, sip: { ...facts.sip, context } });
    expect(parsed.sip.context).toEqual([
      { name: 'X-Intent', value: 'billing' },
      { name: 'User-to-User', value: '56a390f3;encoding=hex' },
    ]);
    expect(parsed.sip.sanitized).toEqual(['context:dropped']);
    expect(WorkerDecisionRequestSchema.safeParse({ ...parsed, budget_ms: 700 }).success).toBe(true);
  });

  it('leaves clean facts untouched and unmarked', () => {
    const parsed = CallFactsSchema.parse(facts);
    expect(parsed.sip).toMatchObject({ from: facts.sip.from, user_agent: facts.sip.user_agent });
    expect(parsed.sip.sanitized).toBeUndefined();
  });
});
