import { describe, expect, it } from 'vitest';
import { makeCall } from '../../test/fixtures';
import { parseTicketCalls } from './parseCalls';

const body = (ticket: Record<string, unknown>) => {
  const call = makeCall();
  return { ticket_id: 1001, calls: [{ ...call, ticket: { ...call.ticket, ...ticket } }] };
};

describe('parseTicketCalls', () => {
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

  it('reads a requester_mismatch that is not a boolean as "could not be told"', () => {
    const parsed = parseTicketCalls(body({ requester_mismatch: 'yes' }));
    expect(parsed?.calls[0]?.ticket.requester_mismatch).toBeNull();
  });

  it('refuses a body that is not a list of calls', () => {
    expect(parseTicketCalls({ ticket_id: 1001, calls: [{ call_id: 'x' }] })).toBeUndefined();
    expect(parseTicketCalls(null)).toBeUndefined();
  });
});
