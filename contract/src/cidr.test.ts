import { describe, expect, it } from 'vitest';
import { cidrContains, parseCidr, parseIp } from './cidr';

describe('parseCidr', () => {
  it.each([
    ['192.0.2.0/24', '192.0.2.0/24'],
    ['127.0.0.1', '127.0.0.1/32'],
    [' 10.0.0.0/8 ', '10.0.0.0/8'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2001:DB8::/32', '2001:db8::/32'],
    ['2001:db8:0:0:0:0:0:1', '2001:db8::1/128'],
    ['::1', '::1/128'],
    ['::ffff:192.0.2.0/120', '::ffff:c000:200/120'],
    ['168.86.128.0/18', '168.86.128.0/18'],
  ])('reads %s as %s', (input, text) => {
    const result = parseCidr(input);
    expect(result.ok && result.cidr.text).toBe(text);
  });

  it.each([
    ['192.0.2.1/24', 'host bits are set; the network is 192.0.2.0/24'],
    ['192.0.2.0/33', 'prefix /33 is longer than /32'],
    ['256.0.0.0/8', 'the address is not an IPv4 or IPv6 address'],
    ['10.0.0/8', 'the address is not an IPv4 or IPv6 address'],
    ['010.0.0.0/8', 'the address is not an IPv4 or IPv6 address'],
    ['10.0.0.0/x', 'the prefix is not a number'],
    ['10.0.0.0/8/9', 'expected ADDRESS/PREFIX'],
    ['2001:db8::1::/64', 'the address is not an IPv4 or IPv6 address'],
    ['example.com', 'the address is not an IPv4 or IPv6 address'],
    // Spellings other parsers accept: octal, hex and short IPv4, long IPv6 groups, zones.
    ['0x7f.0.0.1', 'the address is not an IPv4 or IPv6 address'],
    ['127.1/8', 'the address is not an IPv4 or IPv6 address'],
    ['2001:db8::00001', 'the address is not an IPv4 or IPv6 address'],
    ['::ffff:192.0.2.01', 'the address is not an IPv4 or IPv6 address'],
    ['fe80::1%eth0', 'the address is not an IPv4 or IPv6 address'],
    ['2001:db8::1/128/', 'expected ADDRESS/PREFIX'],
    ['2001:db8::1/64', 'host bits are set; the network is 2001:db8::/64'],
    ["1.2.3.4'; DROP TABLE lines;--", expect.stringContaining('is not an IPv4')],
  ])('refuses %s', (input, reason) => {
    expect(parseCidr(input)).toEqual({ ok: false, reason });
  });
});

describe('cidrContains', () => {
  const net = (t: string) => {
    const r = parseCidr(t);
    if (!r.ok) throw new Error(r.reason);
    return r.cidr;
  };
  it('matches addresses inside the network only', () => {
    expect(cidrContains(net('127.0.0.1/32'), '127.0.0.1')).toBe(true);
    expect(cidrContains(net('127.0.0.1/32'), '127.0.0.2')).toBe(false);
    expect(cidrContains(net('2001:db8::/32'), '2001:db8:ffff::5')).toBe(true);
    expect(cidrContains(net('2001:db8::/32'), '2001:db9::5')).toBe(false);
    expect(cidrContains(net('10.0.0.0/8'), '::1')).toBe(false);
  });
  it('parses addresses of both families', () => {
    expect(parseIp('::')?.version).toBe(6);
    expect(parseIp('1.1.1.1')?.version).toBe(4);
    expect(parseIp('1.1.1.1.1')).toBeUndefined();
    expect(parseIp('2001:DB8:0:0:1:0:0:0')).toEqual({ version: 6, address: '2001:db8:0:0:1::' });
    expect(parseIp('::ffff:127.0.0.1')).toEqual({ version: 6, address: '::ffff:7f00:1' });
  });
});
