import { describe, expect, it } from 'vitest';
import { formatPhoneNumber } from './phone';

describe('formatPhoneNumber', () => {
  it.each([
    ['+14155550100', '+1 415 555 0100'],
    ['+33612345678', '+33 6 12 34 56 78'],
    ['+442079460958', '+44 20 7946 0958'],
    ['+447700900123', '+44 7700 900123'],
    ['+81312345678', '+81 3 1234 5678'],
    ['+821012345678', '+82 10 1234 5678'],
    ['+79161234567', '+7 916 123 45 67'],
    ['+4930901820', '+49 30 901820'],
    ['+3725123456', '+372 512 3456'],
  ])('%s → %s', (e164, expected) => expect(formatPhoneNumber(e164)).toBe(expected));

  it('leaves anything that is not E.164 alone', () => {
    expect(formatPhoneNumber('0612345678')).toBe('0612345678');
    expect(formatPhoneNumber('anonymous')).toBe('anonymous');
  });
});
