// Formats E.164 numbers for people without a phone-metadata library (keeps the bundle small):
// the country code, then the national number in the groups that country writes.

/** Group sizes of the national number by country calling code; the first that fits is used. */
const GROUPS: Record<string, number[][]> = {
  '1': [[3, 3, 4]], // NANP: US, Canada…
  '7': [[3, 3, 2, 2]], // Russia, Kazakhstan
  '33': [[1, 2, 2, 2, 2]], // France
  '34': [[3, 3, 3]], // Spain
  '39': [[3, 3, 4]], // Italy
  '44': [[4, 6]], // United Kingdom mobiles and most areas (London is below)
  '49': [
    [2, 6],
    [3, 7],
    [3, 8],
  ], // Germany: area codes vary; a readable split
  '61': [[1, 4, 4]], // Australia
  '81': [
    [2, 4, 4],
    [1, 4, 4],
  ], // Japan: mobiles, then Tokyo/Osaka
  '82': [
    [2, 4, 4],
    [1, 4, 4],
  ], // South Korea: mobiles, then Seoul
  '86': [[3, 4, 4]], // China
};

// ITU calling codes are 1-3 digits; these 1- and 2-digit codes are the unambiguous prefixes.
const ONE_DIGIT = new Set(['1', '7']);
const TWO_DIGIT = new Set(
  '20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98'.split(
    ' ',
  ),
);

function splitCountryCode(digits: string): [string, string] {
  if (ONE_DIGIT.has(digits.slice(0, 1))) return [digits.slice(0, 1), digits.slice(1)];
  if (TWO_DIGIT.has(digits.slice(0, 2))) return [digits.slice(0, 2), digits.slice(2)];
  return [digits.slice(0, 3), digits.slice(3)];
}

function group(national: string, sizes: number[] | undefined): string {
  const parts: string[] = [];
  let rest = national;
  for (const size of sizes ?? []) {
    if (rest.length <= size) break;
    parts.push(rest.slice(0, size));
    rest = rest.slice(size);
  }
  if (!sizes) {
    // Unknown plan: threes, with a final group of up to four digits.
    while (rest.length > 4) {
      parts.push(rest.slice(0, 3));
      rest = rest.slice(3);
    }
  }
  parts.push(rest);
  return parts.filter(Boolean).join(' ');
}

/**
 * Formats an E.164 number for reading; anything else is returned unchanged.
 * @example formatPhoneNumber('+14155550100') // '+1 415 555 0100'
 */
export function formatPhoneNumber(e164: string): string {
  const m = /^\+([1-9]\d{6,14})$/.exec(e164);
  if (!m?.[1]) return e164;
  const [cc, national] = splitCountryCode(m[1]);
  const plans = cc === '44' && national.startsWith('2') ? [[2, 4, 4]] : (GROUPS[cc] ?? []);
  const sizes = plans.find((p) => p.reduce((a, b) => a + b, 0) === national.length);
  return `+${cc} ${group(national, sizes)}`;
}
