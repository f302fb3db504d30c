import { describe, expect, it } from 'vitest';
import { edgeSigningInput, signatureHex, signatureVersion } from './edge-signing-input';

const fields = {
  timestamp: '1795000000',
  nonce: 'abcdefghijklmnop0123',
  method: 'post',
  host: 'bridge.example.com:8443',
  pathWithQuery: '/v1/edge/lines?since=3',
  bodySha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
};

describe('edgeSigningInput (v2)', () => {
  it('is one field per line after the scheme line, the method upper-cased', () => {
    expect(edgeSigningInput(fields)).toBe(
      [
        'sipbridge-edge-v2',
        '1795000000',
        'abcdefghijklmnop0123',
        'POST',
        'bridge.example.com:8443',
        '/v1/edge/lines?since=3',
        fields.bodySha256,
      ].join('\n'),
    );
  });

  it.each([
    ['timestamp', '1795000000\n'],
    ['nonce', 'abcdefghijklmnop\n0123'],
    ['method', 'PO\nST'],
    ['host', 'bridge.example.com\n/v1'],
    ['host', 'Bridge.example.com'],
    ['pathWithQuery', '/v1/edge/a\nb'],
    ['pathWithQuery', '/v1/edge/a b'],
    ['pathWithQuery', 'v1/edge/a'],
    ['bodySha256', 'E3B0'],
  ] as const)('refuses a %s not in canonical form (%j), naming it', (field, value) => {
    expect(() => edgeSigningInput({ ...fields, [field]: value })).toThrow(
      `edge signature: ${field} is not in its canonical form`,
    );
  });

  it('accepts an IPv6 host with its port', () => {
    expect(edgeSigningInput({ ...fields, host: '[::1]:8787' })).toContain('\n[::1]:8787\n');
  });
});

describe('signature header', () => {
  it('reads the scheme version, and the MAC of v2 only', () => {
    expect(signatureVersion(`v1=${'a'.repeat(64)}`)).toBe(1);
    expect(signatureVersion('v2=zz')).toBe(2);
    expect(signatureVersion('sha256=abc')).toBeNull();
    expect(signatureHex(`v2=${'a'.repeat(64)}`)).toBe('a'.repeat(64));
    expect(signatureHex(`v1=${'a'.repeat(64)}`)).toBeNull();
    expect(signatureHex(`v2=${'a'.repeat(63)}`)).toBeNull();
  });
});
