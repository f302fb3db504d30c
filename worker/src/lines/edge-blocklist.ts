import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/**
 * The caller digits under which the edge holds one blocked number for a line, so Kamailio can
 * refuse the caller itself (with 603) while it relays without the Worker's decision. Kamailio
 * compares the caller's digits with separators removed and a leading `+` or `00` dropped, so a
 * number is published as its E.164 digits and, for a number of the line's own country, in the
 * national forms callers send (with the trunk prefix, as dialled, and without it).
 * @example
 * edgeBlockKeys('+33612345678', 'FR') // ['33612345678', '0612345678', '612345678']
 * edgeBlockKeys('+33612345678', 'US') // ['33612345678']
 */
export function edgeBlockKeys(e164: string, lineCountry: CountryCode): string[] {
  const keys = new Set([e164.replace(/^\+/, '')]);
  const parsed = parsePhoneNumberFromString(e164);
  if (parsed && parsed.country === lineCountry) {
    keys.add(parsed.formatNational().replace(/\D/g, ''));
    keys.add(parsed.nationalNumber);
  }
  return [...keys].filter((k) => /^[0-9]{3,20}$/.test(k));
}
