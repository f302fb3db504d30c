import { describe, expect, it } from 'vitest';
import { displayNumber, displayStoredPhone } from './display';

describe('displayNumber', () => {
  it.each([
    ['+14155550100', '+1 415 555 0100'],
    ['+442079460958', '+44 20 7946 0958'],
    ['+447700900123', '+44 7700 900123'],
    ['+33612345678', '+33 6 12 34 56 78'],
    ['+4930901820', '+49 30 901820'],
    ['+81312345678', '+81 3 1234 5678'],
    ['+821012345678', '+82 10 1234 5678'],
    ['+79161234567', '+7 916 123 45 67'],
    ['+3725123456', '+372 512 3456'],
    ['+5511987654321', '+55 11 98765 4321'],
    ['+80012345678', '+800 1234 5678'],
  ])('%s → %s', (e164, expected) => expect(displayNumber(e164)).toBe(expected));

  it('gives null for no number and the text itself for what is not a number', () => {
    expect(displayNumber(null)).toBeNull();
    expect(displayNumber('+999123')).toBe('+999123');
  });
});

describe('displayStoredPhone', () => {
  it.each([
    ['+1 (415) 555-0100', '+14155550100', '+1 415 555 0100'],
    ['(415) 555-0199 x12', '+14155550199', '+1 415 555 0199 ext. 12'],
    ['+1 415 555 0199;ext=5', '+14155550199', '+1 415 555 0199 ext. 5'],
    ['06 12 34 56 78', '+33612345678', '+33 6 12 34 56 78'],
    ['0033 6 12 34 56 78', '+33612345678', '+33 6 12 34 56 78'],
    ['020 7946 0958', '+442079460958', '+44 20 7946 0958'],
    ['+81 3-1234-5678', null, '+81 3 1234 5678'],
  ])('%s (caller %s) → %s', (stored, caller, expected) =>
    expect(displayStoredPhone(stored, caller)).toBe(expected),
  );

  it('reads a national form only in the caller’s country, never another one remembered', () => {
    expect(displayStoredPhone('020 7946 0958', '+442079460958')).toBe('+44 20 7946 0958');
    expect(displayStoredPhone('020 7946 0958', '+14155550100')).toBe('020 7946 0958');
    expect(displayStoredPhone('020 7946 0958', null)).toBe('020 7946 0958');
  });

  it('keeps text that is not a possible number as stored, trimmed', () => {
    expect(displayStoredPhone('  family phone ', '+14155550199')).toBe('family phone');
    expect(displayStoredPhone('555-0199', '+14155550199')).toBe('555-0199');
  });
});
