import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js';

// How the bridge writes numbers for people: the agent's sidebar, ticket notes and exports.
// Always the international format (`+44 20 7946 0958`), as Zendesk itself shows numbers: the
// agent may sit in another country than the line, a line takes callers from anywhere, and the
// form reads the same whatever the line's default country is (or later becomes).

/** Formatted strings by input; call lists and exports repeat the same few numbers. */
const memo = new Map<string, string>();
const MEMO_LIMIT = 2_000;

function remembered(key: string, format: () => string): string {
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const value = format();
  if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value!);
  memo.set(key, value);
  return value;
}

/**
 * An E.164 number in international format; the E.164 string itself if it cannot be read, and
 * null for no number (withheld or invalid callers).
 *
 * @example
 * displayNumber('+442079460958'); // '+44 20 7946 0958'
 * displayNumber('+14155550100'); // '+1 415 555 0100'
 * displayNumber(null); // null
 */
export function displayNumber(e164: string | null): string | null {
  if (!e164) return null;
  return remembered(e164, () => parsePhoneNumberFromString(e164)?.formatInternational() ?? e164);
}

/**
 * A phone as someone typed it into Zendesk, in international format with its extension; national
 * forms are read in the country of `context` (the caller's E.164, which a candidate's phone was
 * confirmed to match). Text that is not a possible number is returned as stored, trimmed.
 *
 * @example
 * displayStoredPhone('(415) 555-0199 x12', '+14155550199'); // '+1 415 555 0199 ext. 12'
 * displayStoredPhone('06 12 34 56 78', '+33612345678'); // '+33 6 12 34 56 78'
 * displayStoredPhone('family phone', '+14155550199'); // 'family phone'
 */
export function displayStoredPhone(stored: string, context: string | null): string {
  return remembered(`${context ?? ''} ${stored}`, () => {
    const country = context ? countryOf(context) : undefined;
    const number = parsePhoneNumberFromString(stored, country ? { defaultCountry: country } : {});
    return number?.isPossible() ? number.formatInternational() : stored.trim();
  });
}

function countryOf(e164: string): CountryCode | undefined {
  return parsePhoneNumberFromString(e164)?.country;
}
