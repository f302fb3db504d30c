/** An IPv4 or IPv6 network in canonical form: network address, explicit prefix length. */
export interface Cidr {
  version: 4 | 6;
  address: string;
  prefix: number;
  /** `address/prefix`, the form stored and sent to the edge. */
  text: string;
}

export type CidrResult = { ok: true; cidr: Cidr } | { ok: false; reason: string };

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = parts.map((p) => (/^(0|[1-9]\d{0,2})$/.test(p) ? Number(p) : NaN));
  return bytes.every((b) => b >= 0 && b <= 255) ? bytes : undefined;
}

function parseIpv6(text: string): number[] | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.split('::').length > 2) return undefined;
  let pure = text;
  if (text.includes('.')) {
    // An embedded IPv4 tail (::ffff:192.0.2.1) becomes two hex groups.
    const lastColon = text.lastIndexOf(':');
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    const hi = ((v4[0]! << 8) | v4[1]!).toString(16);
    const lo = ((v4[2]! << 8) | v4[3]!).toString(16);
    pure = `${text.slice(0, lastColon + 1)}${hi}:${lo}`;
  }
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const halves = pure.split('::');
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  if ([...left, ...right].some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const count = left.length + right.length;
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined;
  const word = (g: string) => parseInt(g, 16);
  return [...left.map(word), ...new Array<number>(8 - count).fill(0), ...right.map(word)];
}

function formatIpv6(words: number[]): string {
  // RFC 5952: lower case, longest run of two or more zero groups shortened to "::".
  let best = { start: -1, len: 1 };
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > best.len) best = { start: i, len: j - i };
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.len).join(':')}`;
}

/** Parses an IP address (v4 or v6, no zone) into bits, or undefined. */
export function parseIp(text: string): { version: 4 | 6; bits: number[] } | undefined {
  const v4 = parseIpv4(text);
  if (v4) return { version: 4, bits: v4.flatMap((b) => byteBits(b, 8)) };
  const v6 = parseIpv6(text);
  if (v6) return { version: 6, bits: v6.flatMap((w) => byteBits(w, 16)) };
  return undefined;
}

function byteBits(value: number, width: number): number[] {
  return Array.from({ length: width }, (_, i) => (value >> (width - 1 - i)) & 1);
}

function fromBits(bits: number[], width: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < bits.length; i += width) {
    out.push(bits.slice(i, i + width).reduce((acc, b) => (acc << 1) | b, 0) >>> 0);
  }
  return out;
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
  const ip = parseIp(addressText);
  if (!ip) return { ok: false, reason: 'the address is not an IPv4 or IPv6 address' };
  const max = ip.version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^(0|[1-9]\d{0,2})$/.test(prefixText)) {
    return { ok: false, reason: 'the prefix is not a number' };
  }
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return { ok: false, reason: `prefix /${prefix} is longer than /${max}` };
  if (ip.bits.slice(prefix).some((b) => b === 1)) {
    return { ok: false, reason: `host bits are set; the network is ${networkText(ip, prefix)}` };
  }
  const address = formatAddress(ip.version, ip.bits);
  return { ok: true, cidr: { version: ip.version, address, prefix, text: `${address}/${prefix}` } };
}

function formatAddress(version: 4 | 6, bits: number[]): string {
  return version === 4 ? fromBits(bits, 8).join('.') : formatIpv6(fromBits(bits, 16));
}

function networkText(ip: { version: 4 | 6; bits: number[] }, prefix: number): string {
  const bits = ip.bits.map((b, i) => (i < prefix ? b : 0));
  return `${formatAddress(ip.version, bits)}/${prefix}`;
}

/** True when the address lies inside the network. */
export function cidrContains(cidr: Cidr, address: string): boolean {
  const ip = parseIp(address);
  const net = parseIp(cidr.address);
  if (!ip || !net || ip.version !== net.version) return false;
  for (let i = 0; i < cidr.prefix; i++) if (ip.bits[i] !== net.bits[i]) return false;
  return true;
}
