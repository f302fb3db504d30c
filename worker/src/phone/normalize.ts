import {
  getCountries,
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
  type PhoneNumber,
} from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js';
import { addrSpec, parseCallerUri, splitHeaderValues, splitParams } from './sip-uri';

export type CallerNumber =
  | {
      kind: 'e164';
      e164: string;
      country: CountryCode | undefined;
      nationalNumber: string;
      extension?: string;
    }
  | { kind: 'withheld'; raw: string }
  | { kind: 'invalid'; raw: string; reason: string };

const MAX_INPUT_LENGTH = 256;
/** No real number, even with an international prefix and a trunk prefix, has more digits. */
const MAX_DIGITS = 24;
/** User parts and display words carriers send instead of a number (compared lower-case, letters only). */
const WITHHELD_WORDS = new Set([
  'anonymous',
  'restricted',
  'unknown',
  'unavailable',
  'private',
  'withheld',
  'privatenumber',
  'unknownnumber',
  'notavailable',
  'blocked',
]);
const WITHHELD_HOSTS = new Set(['anonymous.invalid']);
/** RFC 3966 visual separators (`-`, `.`, `(`, `)`), plus whitespace and `/` that people type. */
const VISUAL_SEPARATORS = /[\s\-.()/]/g;
/** ` ext. 123`, `x123`, `, extension 123` at the end of a typed number. */
const EXTENSION_SUFFIX = /[\s,;]*(?:ext(?:ension)?\.?|x)\s*[:.]?\s*(\d{1,10})\s*$/i;
const OTHER_URI_SCHEME = /^[a-z][a-z0-9+.-]*:/i;
/** Calling codes that belong to no country (freephone, satellite, international networks). */
const NON_GEOGRAPHIC_CODES = ['800', '808', '870', '878', '881', '882', '883', '888', '979'];
const CALLING_CODES = new Set([
  ...getCountries().map((country) => getCountryCallingCode(country)),
  ...NON_GEOGRAPHIC_CODES,
]);

type ParseContext = { defaultCountry?: CountryCode; defaultCallingCode?: string };
type Outcome = { number: PhoneNumber } | { reason: string };

/**
 * Reads the number out of a SIP/tel URI or a bare number and returns it in E.164.
 * National numbers use `defaultCountry` (the line's country); never throws.
 *
 * @example
 * normalizeCallerNumber('sip:0612345678@carrier.example;user=phone', 'FR');
 * // { kind: 'e164', e164: '+33612345678', country: 'FR', nationalNumber: '612345678' }
 * normalizeCallerNumber('"Anonymous" <sip:anonymous@anonymous.invalid>;tag=1', 'US');
 * // { kind: 'withheld', raw: '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=1' }
 */
export function normalizeCallerNumber(input: string, defaultCountry: CountryCode): CallerNumber {
  if (typeof input !== 'string') return { kind: 'invalid', raw: '', reason: 'not a string' };
  const raw = input.slice(0, MAX_INPUT_LENGTH);
  if (input.length > MAX_INPUT_LENGTH) {
    return { kind: 'invalid', raw, reason: `longer than ${MAX_INPUT_LENGTH} characters` };
  }
  try {
    return normalizeText(raw, defaultCountry);
  } catch {
    // libphonenumber is not expected to throw on these calls; a caller number must never crash a call.
    return { kind: 'invalid', raw, reason: 'could not be parsed' };
  }
}

function normalizeText(raw: string, defaultCountry: CountryCode): CallerNumber {
  const withheld: CallerNumber = { kind: 'withheld', raw };
  const invalid = (reason: string): CallerNumber => ({ kind: 'invalid', raw, reason });

  // NFKC folds full-width digits and plus signs (common from East Asian handsets) to ASCII.
  const text = raw.normalize('NFKC').trim();
  const spec = addrSpec(text);
  if (spec === '') return withheld;
  const otherScheme = OTHER_URI_SCHEME.test(spec);
  // `+14155550100@host` without a scheme is a SIP URI whose `sip:` got lost on the way.
  const uri =
    parseCallerUri(spec) ??
    (!otherScheme && spec.includes('@') ? parseCallerUri(`sip:${spec}`) : undefined);
  let subscriber: { user: string; params: Map<string, string> };
  if (uri) {
    if (uri.user === undefined || uri.user.trim() === '') return withheld;
    if (uri.host && WITHHELD_HOSTS.has(uri.host)) return withheld;
    subscriber = { user: uri.user, params: uri.params };
  } else if (otherScheme) {
    return invalid('unsupported URI scheme');
  } else {
    subscriber = splitParams(spec);
  }

  let user = subscriber.user.trim();
  if (!/\d/.test(user) && WITHHELD_WORDS.has(user.toLowerCase().replace(/[^a-z]/g, ''))) {
    return withheld;
  }

  let extension = subscriber.params.get('ext')?.replace(VISUAL_SEPARATORS, '') || undefined;
  const suffix = EXTENSION_SUFFIX.exec(user);
  if (suffix) {
    extension ??= suffix[1];
    user = user.slice(0, suffix.index);
  }
  if (extension !== undefined && !/^\d{1,10}$/.test(extension))
    return invalid('extension is not 1-10 digits');

  const digits = user.replace(VISUAL_SEPARATORS, '');
  if (!/^\+?\d+$/.test(digits)) return invalid('not a phone number');
  if (/^\+?0+$/.test(digits)) return withheld; // carriers send all zeros for "no number"
  if (digits.length > MAX_DIGITS) return invalid('too long to be a phone number');

  const outcome = resolve(digits, subscriber.params.get('phone-context'), defaultCountry);
  if ('reason' in outcome) return invalid(outcome.reason);
  const { number } = outcome;
  return {
    kind: 'e164',
    e164: number.number,
    country: number.country,
    nationalNumber: number.nationalNumber,
    ...(extension ? { extension } : {}),
  };
}

/**
 * Chooses the parsing context and the reading of the digits.
 * Accepts *possible* numbers (right length), not only *valid* ones: carriers route newly
 * allocated ranges before the metadata knows them, while impossible lengths are still rejected.
 */
function resolve(digits: string, phoneContext: string | undefined, country: CountryCode): Outcome {
  if (digits.startsWith('+')) return accept(digits, {}, internationalLabel(digits));

  let context: ParseContext = { defaultCountry: country };
  let national = digits;
  let label: string = country;
  // A global phone-context (`+33`, `+1-212`) is the prefix of a local number; a domain context
  // cannot be resolved here, so the line's country stays the best guess.
  const contextDigits = phoneContext?.replace(VISUAL_SEPARATORS, '');
  if (contextDigits && /^\+\d{1,15}$/.test(contextDigits)) {
    const callingCode = callingCodePrefix(contextDigits.slice(1));
    if (!callingCode) return { reason: 'unknown country calling code in phone-context' };
    context = { defaultCallingCode: callingCode };
    national = contextDigits.slice(1 + callingCode.length) + digits;
    label = `+${callingCode}`;
  } else if (!isSupportedCountry(country)) {
    return { reason: `unknown default country ${String(country)}` };
  }

  const local = parse(national, context);
  if (local?.isValid()) return { number: local };
  // `00` is the international prefix almost everywhere, even where the metadata lists another.
  const afterIdd = national.startsWith('00') ? parse(`+${national.slice(2)}`, {}) : undefined;
  if (afterIdd?.isPossible()) return { number: afterIdd };
  if (local?.isPossible()) return { number: local };
  // Many trunks send E.164 without its `+`; read it so only when the national reading is impossible.
  const withPlus = parse(`+${national}`, {});
  if (withPlus?.isValid()) return { number: withPlus };
  return { reason: rejection(national, context, label) };
}

function accept(text: string, context: ParseContext, label: string): Outcome {
  const number = parse(text, context);
  return number?.isPossible() ? { number } : { reason: rejection(text, context, label) };
}

function parse(text: string, context: ParseContext): PhoneNumber | undefined {
  return parsePhoneNumberFromString(text, context);
}

function rejection(text: string, context: ParseContext, label: string): string {
  switch (validatePhoneNumberLength(text, context)) {
    case 'TOO_SHORT':
      return `too short for ${label}`;
    case 'TOO_LONG':
      return `too long for ${label}`;
    case 'INVALID_LENGTH':
      return `wrong length for ${label}`;
    case 'INVALID_COUNTRY':
      return 'unknown country calling code';
    case 'NOT_A_NUMBER':
      return 'not a phone number';
    default:
      return `not a possible number for ${label}`;
  }
}

function callingCodePrefix(digits: string): string | undefined {
  // Calling codes are prefix-free, so the first match is the only one.
  for (let length = 1; length <= 3; length++) {
    const candidate = digits.slice(0, length);
    if (candidate.length === length && CALLING_CODES.has(candidate)) return candidate;
  }
  return undefined;
}

function internationalLabel(e164: string): string {
  const code = callingCodePrefix(e164.slice(1));
  return code ? `+${code}` : 'any country';
}

/**
 * Chooses the caller identity: P-Asserted-Identity when it yields a number, else From.
 * An anonymous, missing or unusable PAI falls back to From. Returns which one was used.
 *
 * @example
 * callerIdentity({ from: 'sip:anonymous@anonymous.invalid', pAssertedIdentity: '<tel:+33612345678>' }, 'FR');
 * // { kind: 'e164', e164: '+33612345678', …, source: 'pai' }
 */
export function callerIdentity(
  h: { from: string; pAssertedIdentity?: string | null },
  defaultCountry: CountryCode,
): CallerNumber & { source: 'pai' | 'from' } {
  if (typeof h.pAssertedIdentity === 'string' && h.pAssertedIdentity.trim() !== '') {
    // PAI may carry a SIP and a tel URI (RFC 3325); the first one with a number wins.
    for (const value of splitHeaderValues(h.pAssertedIdentity.slice(0, MAX_INPUT_LENGTH * 2))) {
      const asserted = normalizeCallerNumber(value, defaultCountry);
      if (asserted.kind === 'e164') return { ...asserted, source: 'pai' };
    }
  }
  return { ...normalizeCallerNumber(h.from, defaultCountry), source: 'from' };
}

/**
 * Digits Zendesk's search should get (`phone:*<digits>`): the national significant number, digits
 * only, so the leading wildcard matches stored `+33 6…`, `06…` and `0033 6…` alike.
 *
 * @example
 * zendeskSearchDigits({ nationalNumber: '612345678' }); // '612345678'
 */
export function zendeskSearchDigits(n: { nationalNumber: string }): string {
  return n.nationalNumber.replace(/\D/g, '');
}

/**
 * True when two stored phone strings denote the same E.164 number (used to confirm search
 * candidates). National forms in `stored` are read in `defaultCountry`; extensions are ignored.
 *
 * @example
 * samePhoneNumber('06 12 34 56 78', '+33612345678', 'FR'); // true
 * samePhoneNumber('+44 6 12 34 56 78', '+33612345678', 'FR'); // false
 */
export function samePhoneNumber(
  stored: string,
  e164: string,
  defaultCountry: CountryCode,
): boolean {
  const a = normalizeCallerNumber(stored, defaultCountry);
  const b = normalizeCallerNumber(e164, defaultCountry);
  return a.kind === 'e164' && b.kind === 'e164' && a.e164 === b.e164;
}

/**
 * True for an ISO 3166-1 alpha-2 code that libphonenumber has metadata for (upper-case).
 *
 * @example
 * isCountryCode('FR'); // true
 * isCountryCode('fr'); // false
 */
export function isCountryCode(value: string): value is CountryCode {
  return typeof value === 'string' && isSupportedCountry(value);
}
