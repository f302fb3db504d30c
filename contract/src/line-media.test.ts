import { describe, expect, it } from 'vitest';
import { isLineMedia, isTlsTarget } from './line-media';

describe('line media', () => {
  it('takes rtp and secure only', () => {
    expect(['rtp', 'secure', 'srtp', 'SECURE', undefined].map(isLineMedia)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('knows a TLS target by sips: or a ;transport=tls parameter, in any case', () => {
    expect(
      [
        'sips:acme@acme.sip.twilio.com',
        'SIPS:acme@acme.sip.twilio.com:5061',
        'sip:acme@acme.sip.twilio.com;transport=tls',
        'sip:acme@10.0.0.1:5061;lr;TRANSPORT=TLS',
        'sip:acme@acme.sip.twilio.com',
        'sip:acme@acme.sip.twilio.com;transport=tcp',
        'sip:acme@acme.sip.twilio.com;transport=tlsx',
        'sip:tls@example.com;x=transport=tls',
      ].map(isTlsTarget),
    ).toEqual([true, true, true, true, false, false, false, false]);
  });
});
