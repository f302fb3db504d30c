// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { CallerHistorySchema, TicketCallsSchema } from '../src/app/lib/contract';
import { assertChecked, ticketCallsJsonSchema } from './ticketCallsSchema';

describe('the call-record schema in the bundle', () => {
  const schema = ticketCallsJsonSchema(TicketCallsSchema);
  const call = schema.properties?.calls?.items;
  const caller = call?.properties?.caller;
  const candidate = caller?.properties?.candidates?.items;

  it('is the Worker’s, display strings included, without prose', () => {
    expect(schema.required).toEqual(['ticket_id', 'calls']);
    expect(caller?.properties?.display).toEqual({ type: ['string', 'null'] });
    expect(caller?.required).toContain('display');
    expect(candidate?.properties?.phone_display).toEqual({ type: ['string', 'null'] });
    expect(candidate?.required).toEqual(['id', 'name', 'phone', 'phone_display']);
    expect(call?.properties?.status?.enum).toEqual([
      'ringing',
      'answered',
      'completed',
      'failed',
      'cancelled',
      'rejected',
    ]);
    // Optional for older bridges, as in the Worker's schema.
    expect(call?.properties?.ticket?.required).toEqual(['id', 'link', 'passed_id']);
    expect(JSON.stringify(schema)).not.toMatch(/"(description|example|\$schema)"/);
  });

  it('stops the build at a keyword the app would not check', () => {
    expect(() => assertChecked(schema)).not.toThrow();
    const strict = {
      type: 'object',
      properties: { line: { type: 'string', pattern: '^[a-z]+$' } },
    };
    expect(() => assertChecked(strict)).toThrow(
      'the call-record JSON Schema uses "pattern" at /properties/line, which ' +
        'src/app/lib/jsonSchema.ts does not check: teach it that keyword',
    );
    expect(() => assertChecked({ anyOf: [{ type: 'string' }, { format: 'email' }] })).toThrow(
      /"format" at \/anyOf\/1/,
    );
  });
});

describe('the caller-history schema in the bundle', () => {
  const schema = ticketCallsJsonSchema(CallerHistorySchema);
  const entry = schema.properties?.calls?.items;

  it('is the Worker’s: a ticket id that may be null, the record’s statuses, no prose', () => {
    expect(schema.required).toEqual(['ticket_id', 'call_id', 'calls', 'has_more']);
    expect(entry?.required).toEqual(['received_at', 'line', 'status', 'duration_s', 'ticket_id']);
    expect(entry?.properties?.ticket_id).toEqual({
      anyOf: [
        { type: 'integer', minimum: -9007199254740991, maximum: 9007199254740991 },
        { type: 'null' },
      ],
    });
    expect(entry?.properties?.line?.properties?.name).toEqual({ type: ['string', 'null'] });
    expect(entry?.properties?.status?.enum).toHaveLength(6);
    expect(JSON.stringify(schema)).not.toMatch(/"(description|example|\$schema)"/);
  });
});
