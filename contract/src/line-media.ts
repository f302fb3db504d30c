// A line's media setting, as the Worker stores it, ships it to the edge and the edge enforces it
// (docs/secure-media.md): `rtp` takes plain RTP only (SRTP refused with 488); `secure` takes
// calls over TLS with SDES SRTP only and relays them to TLS targets.

export const LINE_MEDIA = ['rtp', 'secure'] as const;
export type LineMedia = (typeof LINE_MEDIA)[number];

export const isLineMedia = (value: unknown): value is LineMedia =>
  value === 'rtp' || value === 'secure';

/**
 * True when the edge reaches this SIP target over TLS: a `sips:` URI, or `sip:` with
 * `;transport=tls` among its parameters.
 * @example isTlsTarget('sip:acme@acme.sip.twilio.com;transport=tls') // true
 */
export function isTlsTarget(target: string): boolean {
  if (/^sips:/i.test(target)) return true;
  const params = target.split(';').slice(1);
  return params.some((p) => p.toLowerCase() === 'transport=tls');
}
