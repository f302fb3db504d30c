import { describe, expect, it } from 'vitest';
import { addrSpec, parseCallerUri, percentDecode, splitHeaderValues, uriUserPart } from './sip-uri';

describe('uriUserPart', () => {
  it.each([
    ['"Ada" <sip:+14155550100@carrier.example;user=phone>;tag=x', '+14155550100'],
    ['sip:%2B14155550100@carrier.example', '+14155550100'],
    ['sip:ada:secret@example.com', 'ada'],
    ['SIPS:+44-20-7946-0958@example.com', '+44-20-7946-0958'],
    ['Tel:+33-6-12-34-56-78;ext=12;isub=3', '+33-6-12-34-56-78'],
    ['sip:0612345678;phone-context=+33@pbx.example', '0612345678'],
    ['"a <b>" <sip:+14155550100@h>', '+14155550100'],
    ['sip:@carrier.example', ''],
  ])('%s → %s', (uri, user) => {
    expect(uriUserPart(uri)).toBe(user);
  });

  it.each(['sip:carrier.example', '+14155550100', 'mailto:a@b', 'anonymous', ''])(
    '%j has no user part',
    (uri) => {
      expect(uriUserPart(uri)).toBeUndefined();
    },
  );
});

describe('parseCallerUri', () => {
  it('separates subscriber parameters, URI parameters and the host', () => {
    const uri = parseCallerUri(
      '<sip:0612345678;phone-context=%2B33;isub=7@PBX.example:5061;user=phone?Subject=x>;tag=1',
    );
    expect(uri).toEqual({
      scheme: 'sip',
      user: '0612345678',
      host: 'pbx.example',
      params: new Map([
        ['user', 'phone'],
        ['phone-context', '+33'],
        ['isub', '7'],
      ]),
    });
  });

  it('reads a tel URI without a host', () => {
    expect(parseCallerUri('tel:+1-415-555-0100;EXT=12')).toEqual({
      scheme: 'tel',
      user: '+1-415-555-0100',
      host: undefined,
      params: new Map([['ext', '12']]),
    });
  });

  it('keeps an IPv6 host whole', () => {
    expect(parseCallerUri('sip:+14155550100@[2001:db8::1]:5060')?.host).toBe('[2001:db8::1]');
  });
});

describe('addrSpec', () => {
  it.each([
    ['"Ada" <sip:a@b>;tag=1', 'sip:a@b'],
    ['Ada Lovelace <tel:+1>', 'tel:+1'],
    ['sip:a@b;tag=1', 'sip:a@b;tag=1'],
    ['"quote \\" <inside>" <sip:c@d>', 'sip:c@d'],
    ['<sip:unterminated@h', 'sip:unterminated@h'],
  ])('%s → %s', (value, spec) => {
    expect(addrSpec(value)).toBe(spec);
  });
});

describe('percentDecode', () => {
  it('decodes escapes and survives malformed UTF-8', () => {
    expect(percentDecode('%2B33%206')).toBe('+33 6');
    expect(percentDecode('%FF%2B1')).toBe('\u00ff+1');
  });
});

describe('splitHeaderValues', () => {
  it('ignores commas inside quotes and angle brackets', () => {
    expect(splitHeaderValues('"Support, EU" <sip:a@b;x=1,2>, <tel:+1>')).toEqual([
      '"Support, EU" <sip:a@b;x=1,2>',
      '<tel:+1>',
    ]);
  });
});
