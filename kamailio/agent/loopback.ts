import { parseIp } from '@sip-bridge/contract/cidr';

/**
 * True for `localhost`, 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104 (brackets allowed): addresses
 * whose traffic never leaves the host. Any other name is false, since it may resolve anywhere.
 * @example isLoopbackHost('127.0.0.1') // true; isLoopbackHost('0.0.0.0') // false
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost') return true;
  const ip = parseIp(bare);
  if (!ip) return false;
  if (ip.version === 4) return ip.bits.slice(0, 8).join('') === '01111111';
  const isV6Loopback = ip.bits.slice(0, 127).every((b) => b === 0) && ip.bits[127] === 1;
  const mapped =
    ip.bits.slice(0, 80).every((b) => b === 0) && ip.bits.slice(80, 96).every((b) => b === 1);
  return isV6Loopback || (mapped && ip.bits.slice(96, 104).join('') === '01111111');
}
