import ipaddr from 'ipaddr.js';

/** An IPv4 or IPv6 network in canonical form: network address, explicit prefix length. */
export interface Cidr {
  version: 4 | 6;
  address: string;
  prefix: number;
  /** `address/prefix`, the form stored and sent to the edge. */
  text: string;
}

export type CidrResult = { ok: true; cidr: Cidr } | { ok: false; reason: string };

/** An IP address and its canonical spelling (IPv6 as RFC 5952 writes it, lower case). */
export interface IpAddress {
  version: 4 | 6;
  address: string;
}

type Parsed = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * The spellings accepted: dotted-quad IPv4 without leading zeros (never 010.0.0.1, which some
 * parsers read as octal, nor the two- and three-part or hex forms); IPv6 of 1-4 digit hex groups,
 * at most one `::`, an optional dotted-quad tail, and no zone (an address that names an interface
 * means nothing to the Worker or to Kamailio's permissions table).
 */
const IPV6_SPELLING =
  /^(?:[0-9a-f]{1,4}|:)(?::[0-9a-f]{0,4})*(?::(?:0|[1-9]\d{0,2})(?:\.(?:0|[1-9]\d{0,2})){3})?$/i;

function parseAddress(text: string): Parsed | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (IPV6_SPELLING.test(text) && ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return undefined;
}

const versionOf = (ip: Parsed): 4 | 6 => (ip.kind() === 'ipv4' ? 4 : 6);

/** IPv4 dotted quad; IPv6 per RFC 5952 (an IPv4-mapped address too: `::ffff:c000:201`). */
const canonical = (ip: Parsed): string =>
  ip.kind() === 'ipv4' ? ip.toString() : (ip as ipaddr.IPv6).toRFC5952String();

/** The network `ip` lies in with this prefix: its bits past the prefix cleared. */
function networkOf(ip: Parsed, prefix: number): Parsed {
  const mask = (
    ip.kind() === 'ipv4'
      ? ipaddr.IPv4.subnetMaskFromPrefixLength(prefix)
      : ipaddr.IPv6.subnetMaskFromPrefixLength(prefix)
  ).toByteArray();
  return ipaddr.fromByteArray(ip.toByteArray().map((byte, i) => byte & mask[i]!));
}

/**
 * Parses an IP address (v4 or v6, no zone) into its canonical spelling, or undefined.
 * @example parseIp('2001:DB8:0:0::1') // { version: 6, address: '2001:db8::1' }
 */
export function parseIp(text: string): IpAddress | undefined {
  const ip = parseAddress(text);
  return ip && { version: versionOf(ip), address: canonical(ip) };
}

/**
 * Reads `10.0.0.0/8`, `2001:db8::/32` or a bare address (a host route), and refuses host bits
 * set below the prefix, so what the operator wrote is exactly what the edge enforces.
 * @example parseCidr('192.0.2.0/24') // { ok: true, cidr: { text: '192.0.2.0/24', ... } }
 */
export function parseCidr(input: string): CidrResult {
  const trimmed = input.trim();
  const [addressText, prefixText, extra] = trimmed.split('/');
  if (extra !== undefined || !addressText) return { ok: false, reason: 'expected ADDRESS/PREFIX' };
  const ip = parseAddress(addressText);
  if (!ip) return { ok: false, reason: 'the address is not an IPv4 or IPv6 address' };
  const version = versionOf(ip);
  const max = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^(0|[1-9]\d{0,2})$/.test(prefixText)) {
    return { ok: false, reason: 'the prefix is not a number' };
  }
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return { ok: false, reason: `prefix /${prefix} is longer than /${max}` };
  const network = networkOf(ip, prefix);
  const address = canonical(network);
  if (address !== canonical(ip)) {
    return { ok: false, reason: `host bits are set; the network is ${address}/${prefix}` };
  }
  return { ok: true, cidr: { version, address, prefix, text: `${address}/${prefix}` } };
}

/** True when the address lies inside the network. */
export function cidrContains(cidr: Cidr, address: string): boolean {
  const ip = parseAddress(address);
  const net = parseAddress(cidr.address);
  if (!ip || !net || ip.kind() !== net.kind()) return false;
  return ip.kind() === 'ipv4'
    ? (ip as ipaddr.IPv4).match(net as ipaddr.IPv4, cidr.prefix)
    : (ip as ipaddr.IPv6).match(net as ipaddr.IPv6, cidr.prefix);
}
