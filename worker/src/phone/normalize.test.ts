import type { CountryCode } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import {
  callerIdentity,
  isCountryCode,
  normalizeCallerNumber,
  samePhoneNumber,
  zendeskSearchDigits,
} from './normalize';

/** [input as carriers and people send it, line's default country, expected E.164]. */
const REAL_WORLD: [string, CountryCode, string][] = [
  // United States
  ['+1-415-555-0100', 'US', '+14155550100'],
  ['(415) 555-0100', 'US', '+14155550100'],
  ['415.555.0100', 'US', '+14155550100'],
  ['1 (415) 555-0100', 'US', '+14155550100'],
  ['14155550100', 'US', '+14155550100'],
  ['sip:+14155550100@carrier.example;user=phone', 'US', '+14155550100'],
  [
    '"Ada Lovelace" <sip:+14155550100@carrier.example;user=phone>;tag=9fxced76sl',
    'US',
    '+14155550100',
  ],
  ['<sip:4155550100@10.0.0.1:5060;transport=udp>;tag=1', 'US', '+14155550100'],
  ['SIP:+14155550100@carrier.example', 'US', '+14155550100'],
  ['sips:%2B14155550100@carrier.example', 'US', '+14155550100'],
  ['sip:+14155550100:secret@carrier.example', 'US', '+14155550100'],
  ['tel:+1-415-555-0100', 'US', '+14155550100'],
  ['011 44 20 7946 0958', 'US', '+442079460958'],
  ['+14155550100@carrier.example', 'US', '+14155550100'],
  // Canada
  ['604-555-0123', 'CA', '+16045550123'],
  ['+1 (604) 555-0123', 'CA', '+16045550123'],
  ['sip:16045550123@trunk.example', 'CA', '+16045550123'],
  // United Kingdom
  ['020 7946 0958', 'GB', '+442079460958'],
  ['07700 900123', 'GB', '+447700900123'],
  ['+44 (0)20 7946 0958', 'GB', '+442079460958'],
  ['00 44 20 7946 0958', 'FR', '+442079460958'],
  ['tel:+44-20-7946-0958', 'US', '+442079460958'],
  // France
  ['0612345678', 'FR', '+33612345678'],
  ['06 12 34 56 78', 'FR', '+33612345678'],
  ['06.12.34.56.78', 'FR', '+33612345678'],
  ['0033612345678', 'FR', '+33612345678'],
  ['tel:+33-6-12-34-56-78', 'US', '+33612345678'],
  ['tel:0612345678;phone-context=+33', 'US', '+33612345678'],
  ['sip:0612345678;phone-context=+33@pbx.example;user=phone', 'DE', '+33612345678'],
  ['33612345678', 'FR', '+33612345678'],
  ['+33 (0)1 42 68 53 00', 'US', '+33142685300'],
  // Germany
  ['030 12345678', 'DE', '+493012345678'],
  ['0151 23456789', 'DE', '+4915123456789'],
  ['+49 (0)30 / 123 456 78', 'DE', '+493012345678'],
  ['sip:004930123456789@sbc.example', 'DE', '+4930123456789'],
  // South Korea
  ['010-1234-5678', 'KR', '+821012345678'],
  ['02-312-3456', 'KR', '+8223123456'],
  ['+82 10-1234-5678', 'US', '+821012345678'],
  ['00 44 20 7946 0958', 'KR', '+442079460958'],
  // Russia
  ['8 (912) 345-67-89', 'RU', '+79123456789'],
  ['+7 912 345-67-89', 'US', '+79123456789'],
  ['8 (495) 123-45-67', 'RU', '+74951234567'],
  ['8 10 44 20 7946 0958', 'RU', '+442079460958'],
  // Japan
  ['090-1234-5678', 'JP', '+819012345678'],
  ['03-1234-5678', 'JP', '+81312345678'],
  ['010 44 20 7946 0958', 'JP', '+442079460958'],
  ['＋８１ ９０ １２３４ ５６７８', 'JP', '+819012345678'],
  // Australia
  ['0412 345 678', 'AU', '+61412345678'],
  ['(02) 9876 5432', 'AU', '+61298765432'],
  ['0011 44 20 7946 0958', 'AU', '+442079460958'],
  // Brazil
  ['(11) 91234-5678', 'BR', '+5511912345678'],
  ['+55 11 91234-5678', 'US', '+5511912345678'],
  // India
  ['098765 43210', 'IN', '+919876543210'],
  ['+91 98765 43210', 'GB', '+919876543210'],
  // Italy keeps the leading zero of fixed lines in the national number
  ['06 1234 5678', 'IT', '+390612345678'],
  // A local number inside an area-code phone-context (RFC 3966 example)
  ['tel:7042;phone-context=+1-212-555', 'FR', '+12125557042'],
];

describe('normalizeCallerNumber: real-world inputs', () => {
  it.each(REAL_WORLD)('%s on a %s line is %s', (input, country, e164) => {
    const result = normalizeCallerNumber(input, country);
    expect(result).toMatchObject({ kind: 'e164', e164 });
  });

  it.each([
    ['(415) 555-0100', 'US', 'US'],
    ['604-555-0123', 'CA', 'CA'],
    ['00 44 20 7946 0958', 'FR', 'GB'],
    ['tel:0612345678;phone-context=+33', 'US', 'FR'],
    ['0151 23456789', 'DE', 'DE'],
    ['+82 10-1234-5678', 'US', 'KR'],
    ['+7 912 345-67-89', 'US', 'RU'],
    ['090-1234-5678', 'JP', 'JP'],
    ['0412 345 678', 'AU', 'AU'],
    ['+55 11 91234-5678', 'US', 'BR'],
    ['+91 98765 43210', 'GB', 'IN'],
    ['06 1234 5678', 'IT', 'IT'],
  ] as [string, CountryCode, CountryCode][])(
    '%s on a %s line is a number of %s',
    (input, line, country) => {
      expect(normalizeCallerNumber(input, line)).toMatchObject({ kind: 'e164', country });
    },
  );

  it('returns the country and national significant number', () => {
    expect(normalizeCallerNumber('0612345678', 'FR')).toEqual({
      kind: 'e164',
      e164: '+33612345678',
      country: 'FR',
      nationalNumber: '612345678',
    });
  });
});

describe('normalizeCallerNumber: extensions', () => {
  it.each([
    ['tel:+14155550100;ext=123', 'US', '+14155550100', '123'],
    ['sip:+14155550100;ext=123@carrier.example;user=phone', 'US', '+14155550100', '123'],
    ['+1 415 555 0100 ext. 123', 'US', '+14155550100', '123'],
    ['(415) 555-0100 x123', 'US', '+14155550100', '123'],
    ['+14155550100x123', 'US', '+14155550100', '123'],
    ['020 7946 0958 extension 42', 'GB', '+442079460958', '42'],
    ['+14155550100;ext=1-2-3', 'US', '+14155550100', '123'],
  ] as [string, CountryCode, string, string][])(
    '%s on a %s line is %s extension %s',
    (input, country, e164, extension) => {
      expect(normalizeCallerNumber(input, country)).toMatchObject({
        kind: 'e164',
        e164,
        extension,
      });
    },
  );

  it.each(['+14155550100', 'tel:+14155550100;ext='])('%s has no extension', (input) => {
    expect(normalizeCallerNumber(input, 'US')).not.toHaveProperty('extension');
  });
});

describe('normalizeCallerNumber: withheld callers', () => {
  it.each([
    'anonymous',
    'Anonymous',
    'restricted',
    'unknown',
    'unavailable',
    'private',
    'withheld',
    'Private Number',
    '',
    '   ',
    'sip:anonymous@anonymous.invalid',
    '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=hyh8',
    '<sip:+14155550100@anonymous.invalid>',
    'sip:anonymous@localhost',
    'sip:Restricted@carrier.example;user=phone',
    'tel:unavailable',
    'sip:@carrier.example',
    'sip:carrier.example',
    '<sip:10.0.0.1:5060>;tag=1',
    'tel:',
    '<>',
    '0000000000',
  ])('%j is withheld', (input) => {
    expect(normalizeCallerNumber(input, 'US')).toEqual({ kind: 'withheld', raw: input });
  });
});

describe('normalizeCallerNumber: invalid inputs', () => {
  it.each([
    ['sip:alice@example.com', 'US', 'not a phone number'],
    ['"Alice" <sips:alice.smith@example.com>', 'US', 'not a phone number'],
    ['sip:1001@pbx.example', 'US', 'too short for US'],
    ['012', 'FR', 'too short for FR'],
    ['06123456789012', 'FR', 'too long for FR'],
    ['+33 12', 'US', 'too short for +33'],
    ['+999 1234 5678', 'US', 'unknown country calling code'],
    ['tel:*67', 'US', 'not a phone number'],
    ['1-800-FLOWERS', 'US', 'not a phone number'],
    ['mailto:ada@example.com', 'US', 'unsupported URI scheme'],
    ['tel:+14155550100;ext=12a', 'US', 'extension is not 1-10 digits'],
    ['tel:0612345678;phone-context=+999', 'FR', 'unknown country calling code in phone-context'],
    ['1234567890123456789012345', 'US', 'too long to be a phone number'],
  ] as [string, CountryCode, string][])('%s on a %s line: %s', (input, country, reason) => {
    expect(normalizeCallerNumber(input, country)).toEqual({ kind: 'invalid', raw: input, reason });
  });

  it('rejects input longer than 256 characters without parsing it', () => {
    const result = normalizeCallerNumber(`+1415555010${'0'.repeat(300)}`, 'US');
    expect(result).toMatchObject({ kind: 'invalid', reason: 'longer than 256 characters' });
    expect(result.kind !== 'e164' && result.raw.length).toBe(256);
  });

  it('rejects national numbers when the default country is unknown', () => {
    expect(normalizeCallerNumber('0612345678', 'XX' as CountryCode)).toMatchObject({
      kind: 'invalid',
    });
    expect(normalizeCallerNumber('+33612345678', 'XX' as CountryCode)).toMatchObject({
      e164: '+33612345678',
    });
  });
});

describe('normalizeCallerNumber: never throws', () => {
  // A small deterministic generator keeps failures reproducible.
  function* randomStrings(count: number): Generator<string> {
    let seed = 0x2545f491;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const alphabet = 'sip:tel+0123456789@<>";=%-.()/ xX\u0000\uffff\u00a0\ud800extanonymous';
    for (let i = 0; i < count; i++) {
      const length = next() % 300;
      let text = '';
      for (let j = 0; j < length; j++) {
        text +=
          next() % 4 === 0
            ? String.fromCharCode(next() % 0x10000)
            : alphabet[next() % alphabet.length];
      }
      yield text;
    }
  }

  it('returns a result for 2,000 random strings', () => {
    for (const input of randomStrings(2000)) {
      const result = normalizeCallerNumber(input, 'FR');
      expect(['e164', 'withheld', 'invalid']).toContain(result.kind);
    }
  });

  it.each([
    [
      'a very long string',
      'sip:'.repeat(100_000),
      { kind: 'invalid', raw: 'sip:'.repeat(64), reason: 'longer than 256 characters' },
    ],
    ['only whitespace (no number at all)', ' '.repeat(255), { kind: 'withheld' }],
    ['many separators', `+1${'-'.repeat(250)}4`, { kind: 'invalid', reason: 'too short for +1' }],
    [
      'malformed percent-encoding',
      'sip:%E0%A4%A@host',
      { kind: 'invalid', raw: 'sip:%E0%A4%A@host', reason: 'not a phone number' },
    ],
    [
      'a lone surrogate',
      'tel:+1\ud800415',
      { kind: 'invalid', raw: 'tel:+1\ud800415', reason: 'not a phone number' },
    ],
    [
      'nested brackets',
      '<<<sip:+14155550100@h>>>',
      { kind: 'invalid', raw: '<<<sip:+14155550100@h>>>', reason: 'not a phone number' },
    ],
    [
      'an unterminated quote',
      '"Ada <sip:+14155550100@h>',
      { kind: 'e164', e164: '+14155550100', country: 'US' },
    ],
  ])('handles %s', (_, input, expected) => {
    expect(normalizeCallerNumber(input, 'US')).toMatchObject(expected);
  });

  it('handles values that are not strings at runtime', () => {
    expect(normalizeCallerNumber(undefined as unknown as string, 'US')).toMatchObject({
      kind: 'invalid',
    });
  });
});

describe('callerIdentity', () => {
  it('prefers P-Asserted-Identity over From', () => {
    const identity = callerIdentity(
      {
        from: '<sip:0612345678@carrier.example>',
        pAssertedIdentity: '<sip:+33698765432@carrier.example>',
      },
      'FR',
    );
    expect(identity).toMatchObject({ source: 'pai', e164: '+33698765432' });
  });

  it('keeps the asserted number when From is anonymous (privacy: id)', () => {
    const identity = callerIdentity(
      {
        from: '"Anonymous" <sip:anonymous@anonymous.invalid>',
        pAssertedIdentity: '<tel:+14155550100>',
      },
      'US',
    );
    expect(identity).toMatchObject({ source: 'pai', kind: 'e164', e164: '+14155550100' });
  });

  it('takes the first PAI value that holds a number', () => {
    const identity = callerIdentity(
      {
        from: 'sip:+1@x',
        pAssertedIdentity: '"Support, EU" <sip:agent@pbx.example>, <tel:+442079460958>',
      },
      'GB',
    );
    expect(identity).toMatchObject({ source: 'pai', e164: '+442079460958' });
  });

  it.each([
    ['an anonymous PAI', '<sip:anonymous@anonymous.invalid>'],
    ['an empty PAI', ''],
    ['a null PAI', null],
    ['an alphanumeric PAI', '<sip:trunk-7@carrier.example>'],
  ])('falls back to From with %s', (_, pAssertedIdentity) => {
    const identity = callerIdentity(
      { from: '"Ada" <sip:+14155550100@carrier.example>;tag=1', pAssertedIdentity },
      'US',
    );
    expect(identity).toMatchObject({ source: 'from', e164: '+14155550100' });
  });

  it('falls back to From without a PAI header', () => {
    expect(callerIdentity({ from: 'anonymous' }, 'US')).toEqual({
      kind: 'withheld',
      raw: 'anonymous',
      source: 'from',
    });
  });
});

describe('zendeskSearchDigits', () => {
  it.each([
    ['+33612345678', 'FR', '612345678'],
    ['(415) 555-0100', 'US', '4155550100'],
    ['06 1234 5678', 'IT', '0612345678'],
  ] as [string, CountryCode, string][])('%s on a %s line searches %s', (input, country, digits) => {
    const result = normalizeCallerNumber(input, country);
    expect(result.kind === 'e164' && zendeskSearchDigits(result)).toBe(digits);
  });

  it('keeps only digits', () => {
    expect(zendeskSearchDigits({ nationalNumber: '415-555 0100' })).toBe('4155550100');
  });
});

describe('samePhoneNumber', () => {
  it.each([
    ['+33 6 12 34 56 78', '+33612345678', 'FR'],
    ['06 12 34 56 78', '+33612345678', 'FR'],
    ['0033 6 12 34 56 78', '+33612345678', 'FR'],
    ['tel:+33-6-12-34-56-78', '+33612345678', 'US'],
    ['(415) 555-0100', '+14155550100', 'US'],
    ['1-415-555-0100 ext. 7', '+14155550100', 'US'],
    ['8 (912) 345-67-89', '+79123456789', 'RU'],
  ] as [string, string, CountryCode][])('%s is %s on a %s line', (stored, e164, country) => {
    expect(samePhoneNumber(stored, e164, country)).toBe(true);
  });

  it.each([
    ['+44 6 12 34 56 78', '+33612345678', 'FR'],
    ['+49 612345678', '+33612345678', 'FR'],
    ['+1 415 555 0100', '+44 415 555 0100', 'US'],
    ['06 12 34 56 78', '+33612345678', 'US'],
    ['anonymous', '+33612345678', 'FR'],
    ['', '+33612345678', 'FR'],
  ] as [string, string, CountryCode][])('%s is not %s on a %s line', (stored, e164, country) => {
    expect(samePhoneNumber(stored, e164, country)).toBe(false);
  });
});

describe('isCountryCode', () => {
  it.each(['US', 'FR', 'KR', 'RU', 'GB'])('%s is a country code', (code) => {
    expect(isCountryCode(code)).toBe(true);
  });

  it.each(['fr', 'XX', 'UK', '', 'FRA'])('%j is not a country code', (code) => {
    expect(isCountryCode(code)).toBe(false);
  });
});
