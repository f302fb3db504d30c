import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeCall, RIVERAS } from '../../test/fixtures';
import { TicketCallsSchema } from './contract';
import { parseTicketCalls } from './parseCalls';

const body = (ticket: Record<string, unknown>) => {
  const call = makeCall();
  return { ticket_id: 1001, calls: [{ ...call, ticket: { ...call.ticket, ...ticket } }] };
};

/** The body with one value replaced (or, for `undefined`, removed) at a dotted path. */
function withValue(source: unknown, path: string, value: unknown): unknown {
  const copy = structuredClone(source) as Record<string, unknown>;
  const keys = path.split('.');
  const last = keys.pop() as string;
  let parent: Record<string, unknown> = copy;
  for (const key of keys) parent = parent[key] as Record<string, unknown>;
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return copy;
}

function leafPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const entries = Object.entries(value);
  return [
    ...(prefix ? [prefix] : []),
    ...entries.flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k)),
  ];
}

afterEach(() => vi.restoreAllMocks());

describe('parseTicketCalls', () => {
  it('keeps a well-formed answer as it came, display strings included', () => {
    const answer = {
      ticket_id: 1001,
      calls: [makeCall({ caller: { match: 'ambiguous', user_id: null, candidates: RIVERAS } })],
    };
    const parsed = parseTicketCalls(answer);
    expect(parsed).toEqual(answer);
    expect(parsed?.calls[0]?.caller.display).toBe('+1 415 555 0100');
    expect(parsed?.calls[0]?.caller.candidates.map((c) => c.phone_display)).toEqual([
      '+1 415 555 0199',
      '+1 415 555 0199',
    ]);
  });

  it.each([true, false, null])('keeps ticket.requester_mismatch %s', (flag) => {
    const parsed = parseTicketCalls(body({ requester_mismatch: flag }));
    expect(parsed?.calls[0]?.ticket.requester_mismatch).toBe(flag);
  });

  it('accepts a call from an older API without ticket.requester_mismatch', () => {
    const call = makeCall(); // the fixture has no requester_mismatch, as older APIs sent
    expect(call.ticket).not.toHaveProperty('requester_mismatch');
    const parsed = parseTicketCalls({ ticket_id: 1001, calls: [call] });
    expect(parsed?.calls).toHaveLength(1);
    expect(parsed?.calls[0]?.ticket).not.toHaveProperty('requester_mismatch');
  });

  it('accepts fields a newer bridge adds', () => {
    const call = { ...makeCall(), recording_url: 'https://example.com/r.wav' };
    expect(parseTicketCalls({ ticket_id: 1001, calls: [call], next: null })?.calls).toHaveLength(1);
  });

  it.each([
    ['null', null, '(body): expected object'],
    ['another API', { hello: 1 }, 'ticket_id: missing'],
    ['a ticket id as text', { ticket_id: '1001', calls: [] }, 'ticket_id: expected integer'],
    [
      'a call that is only an id',
      { ticket_id: 1001, calls: [{ call_id: 'x' }] },
      'calls.0.line: missing',
    ],
    [
      'a Worker older than the display strings',
      withValue({ ticket_id: 1001, calls: [makeCall()] }, 'calls.0.caller.display', undefined),
      'calls.0.caller.display: missing',
    ],
    [
      'a display string that is a number',
      withValue({ ticket_id: 1001, calls: [makeCall()] }, 'calls.0.caller.display', 14155550100),
      'calls.0.caller.display: expected string or null',
    ],
    [
      'a candidate without phone_display',
      {
        ticket_id: 1001,
        calls: [
          makeCall({ caller: { candidates: [{ id: 1, name: 'Sam', phone: null }] as never } }),
        ],
      },
      'calls.0.caller.candidates.0.phone_display: missing',
    ],
    [
      'an unknown status',
      withValue({ ticket_id: 1001, calls: [makeCall()] }, 'calls.0.status', 'on_hold'),
      'calls.0.status: expected one of ringing, answered, completed, failed, cancelled, rejected',
    ],
    [
      'a fractional duration',
      withValue({ ticket_id: 1001, calls: [makeCall()] }, 'calls.0.duration_s', 1.5),
      'calls.0.duration_s: matches none of the allowed forms',
    ],
    [
      'codecs as one string',
      withValue({ ticket_id: 1001, calls: [makeCall()] }, 'calls.0.codecs', 'PCMU'),
      'calls.0.codecs: expected array',
    ],
    [
      'a requester_mismatch that is not a boolean',
      body({ requester_mismatch: 'yes' }),
      'calls.0.ticket.requester_mismatch: expected boolean or null',
    ],
  ])('refuses %s, and says where in the console', (_name, answer, where) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(parseTicketCalls(answer)).toBeUndefined();
    expect(warn).toHaveBeenCalledWith(
      `The bridge's answer is not a list of call records: ${where}`,
    );
  });

  it('agrees with the zod schema on every field of a record, for wrong and missing values', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const good = {
      ticket_id: 1001,
      calls: [
        makeCall({
          ticket: { requester_mismatch: true },
          caller: { match: 'ambiguous', user_id: null, candidates: RIVERAS },
        }),
      ],
    };
    const wrong = [undefined, null, 0, 1.5, -1, 'x', '', true, [], {}, ['PCMU'], 'completed'];
    const paths = leafPaths(good);
    expect(paths.length).toBeGreaterThan(50);
    let refused = 0;
    for (const path of paths) {
      for (const value of wrong) {
        const answer = withValue(good, path, value);
        const zod = TicketCallsSchema.safeParse(answer).success;
        expect([path, value, parseTicketCalls(answer) !== undefined]).toEqual([path, value, zod]);
        if (!zod) refused += 1;
      }
    }
    expect(refused).toBeGreaterThan(paths.length * 5);
  });
});
