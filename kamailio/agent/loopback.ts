import { cidrContains, parseCidr, type Cidr } from '@sip-bridge/contract/cidr';

const LOOPBACK: Cidr[] = ['127.0.0.0/8', '::1/128', '::ffff:127.0.0.0/104'].map((text) => {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.cidr;
});

/**
 * True for `localhost`, 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104 (brackets allowed): addresses
 * whose traffic never leaves the host. Any other name is false, since it may resolve anywhere.
 * @example isLoopbackHost('127.0.0.1') // true; isLoopbackHost('0.0.0.0') // false
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost') return true;
  return LOOPBACK.some((network) => cidrContains(network, bare));
}
