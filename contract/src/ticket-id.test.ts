import { describe, expect, it } from 'vitest';
import { parseTicketId } from './ticket-id';

describe('parseTicketId', () => {
  it.each([
    ['1', 1],
    ['1001', 1001],
    ['0001001', 1001],
    ['9007199254740991', 9007199254740991],
  ])('reads %s exactly', (text, id) => expect(parseTicketId(text)).toEqual({ ok: true, id }));

  it.each([
    '9007199254740992',
    '9007199254740993',
    '9999999999999999999',
    '0',
    '',
    '1e3',
    '-1',
    ' 1',
  ])('refuses %j rather than rounding it', (text) =>
    expect(parseTicketId(text)).toEqual({ ok: false, reason: 'not_a_zendesk_id' }),
  );
});
