// A line's carrier options in the form: limits, routing, media and caller auth. Their state, what
// is wrong with them as typed (the admin API's own rules: @sip-bridge/contract's line-limits,
// caller-auth, header-names and line-media, never copies), and their part of the request body.
// Secrets are write-only: the form starts them empty, and leaving one empty keeps the stored one.
import {
  CALLER_AUTH_LIMITS,
  DIGEST_PASSWORD_LENGTH,
  DIGEST_REALM,
  DIGEST_USERNAME,
  E164_NUMBER,
  PRINTABLE_ASCII,
  TECH_PREFIX,
  TOKEN_HEADER,
  TOKEN_SECRET,
} from '@sip-bridge/contract/caller-auth';
import { RESERVED_HEADER } from '@sip-bridge/contract/header-names';
import {
  LINE_LIMITS,
  ROUTING_LIMITS,
  withinLimits,
  type RoutingMode,
} from '@sip-bridge/contract/line-limits';
import { isTlsTarget, type LineMedia } from '@sip-bridge/contract/line-media';
import type { Line } from './consoleApi';

/** A problem with one field, as lineForm.ts shows it (a translation key and its values). */
type KeyProblem = { key: string; vars?: Record<string, string | number> };

export interface DigestUserRow {
  username: string;
  /** Typed only: never shown back. Empty keeps a stored user's password (same realm). */
  password: string;
  /** The line already has this user (its HA1 is stored). */
  stored: boolean;
}

export interface CarrierDraft {
  /** Numbers as typed (text), checked against the API's bounds. */
  maxCps: string;
  maxCreations: string;
  maxConcurrent: string;
  routingMode: RoutingMode;
  noRingbackMs: string;
  noAnswerMs: string;
  media: LineMedia;
  /**
   * `auth.ip` as the line has it (true for a new line): the console does not change it (a line
   * without an ACL check is set up through the admin API), and sends it back as it is.
   */
  ip: boolean;
  tokenOn: boolean;
  tokenHeader: string;
  /** Typed only: never shown back. Empty keeps the stored token (when `tokenSet`). */
  tokenSecret: string;
  tokenSet: boolean;
  techPrefix: string;
  digestOn: boolean;
  digestRealm: string;
  /** The realm the stored users' HA1s were made with ('' when none). */
  storedRealm: string;
  digestUsers: DigestUserRow[];
  /** P-Charge-Info numbers, one E.164 number per line of the text area. */
  chargeNumbers: string;
}

export const emptyCarrierDraft = (): CarrierDraft => ({
  maxCps: String(LINE_LIMITS.max_cps.default),
  maxCreations: String(LINE_LIMITS.max_creations_per_minute.default),
  maxConcurrent: String(ROUTING_LIMITS.max_concurrent_calls.default),
  routingMode: 'sequential',
  noRingbackMs: String(ROUTING_LIMITS.no_ringback_ms.default),
  noAnswerMs: String(ROUTING_LIMITS.no_answer_ms.default),
  media: 'rtp',
  ip: true,
  tokenOn: false,
  tokenHeader: '',
  tokenSecret: '',
  tokenSet: false,
  techPrefix: '',
  digestOn: false,
  digestRealm: '',
  storedRealm: '',
  digestUsers: [],
  chargeNumbers: '',
});

/** The carrier options of an existing line (secrets empty: they are never answered). */
export function carrierDraftOf(line: Line): CarrierDraft {
  const empty = emptyCarrierDraft();
  const { routing, auth } = line;
  return {
    ...empty,
    maxCps: String(line.max_cps ?? empty.maxCps),
    maxCreations: String(line.max_creations_per_minute ?? empty.maxCreations),
    maxConcurrent: String(routing?.max_concurrent_calls ?? empty.maxConcurrent),
    routingMode: routing?.mode ?? empty.routingMode,
    noRingbackMs: String(routing?.no_ringback_ms ?? empty.noRingbackMs),
    noAnswerMs: String(routing?.no_answer_ms ?? empty.noAnswerMs),
    media: line.media ?? 'rtp',
    ip: auth?.ip ?? true,
    tokenOn: Boolean(auth?.token),
    tokenHeader: auth?.token?.header ?? '',
    tokenSet: Boolean(auth?.token?.secret_set),
    techPrefix: auth?.tech_prefix ?? '',
    digestOn: Boolean(auth?.digest),
    digestRealm: auth?.digest?.realm ?? '',
    storedRealm: auth?.digest?.realm ?? '',
    digestUsers: (auth?.digest?.users ?? []).map((u) => ({
      username: u.username,
      password: '',
      stored: true,
    })),
    chargeNumbers: (auth?.p_charge_info?.numbers ?? []).join('\n'),
  };
}

const numbersOf = (text: string) =>
  text
    .split('\n')
    .map((n) => n.trim())
    .filter(Boolean);

const REQUIRED: KeyProblem = { key: 'console.form.errors.required' };

/** A whole number within `bounds`, as typed; the problem names the bounds. */
function numberProblem(text: string, bounds: { min: number; max: number }): KeyProblem | null {
  const trimmed = text.trim();
  if (!trimmed) return REQUIRED;
  if (/^\d+$/.test(trimmed) && withinLimits(Number(trimmed), bounds)) return null;
  return { key: 'console.form.errors.range', vars: { min: bounds.min, max: bounds.max } };
}

/**
 * What is wrong with the carrier options as typed, by the request's field path
 * (`routing.no_ringback_ms`, `auth.digest.users[0].password`); `targets` are the SIP targets,
 * which a secure line needs over TLS.
 */
export function carrierProblems(
  draft: CarrierDraft,
  targets: readonly string[],
): Record<string, KeyProblem> {
  const problems: Record<string, KeyProblem> = {};
  const check = (field: string, problem: KeyProblem | null) => {
    if (problem) problems[field] = problem;
  };
  check('max_cps', numberProblem(draft.maxCps, LINE_LIMITS.max_cps));
  check(
    'max_creations_per_minute',
    numberProblem(draft.maxCreations, LINE_LIMITS.max_creations_per_minute),
  );
  check(
    'routing.max_concurrent_calls',
    numberProblem(draft.maxConcurrent, ROUTING_LIMITS.max_concurrent_calls),
  );
  check('routing.no_ringback_ms', numberProblem(draft.noRingbackMs, ROUTING_LIMITS.no_ringback_ms));
  check('routing.no_answer_ms', numberProblem(draft.noAnswerMs, ROUTING_LIMITS.no_answer_ms));
  if (draft.media === 'secure') {
    const plain = targets.findIndex((t) => !isTlsTarget(t));
    if (plain >= 0)
      problems.sip_targets = {
        key: 'console.media.errors.insecure_target',
        vars: { number: plain + 1 },
      };
  }
  if (draft.tokenOn) {
    const header = draft.tokenHeader.trim();
    if (!header) problems['auth.token.header'] = REQUIRED;
    else if (!TOKEN_HEADER.test(header))
      problems['auth.token.header'] = { key: 'console.auth.errors.token_header' };
    else if (RESERVED_HEADER.test(header))
      problems['auth.token.header'] = { key: 'console.auth.errors.reserved_header' };
    if (!draft.tokenSecret && !draft.tokenSet) problems['auth.token.secret'] = REQUIRED;
    else if (draft.tokenSecret && !TOKEN_SECRET.test(draft.tokenSecret))
      problems['auth.token.secret'] = { key: 'console.auth.errors.token_secret' };
  }
  if (draft.techPrefix.trim() && !TECH_PREFIX.test(draft.techPrefix.trim()))
    problems['auth.tech_prefix'] = { key: 'console.auth.errors.tech_prefix' };
  if (draft.digestOn) digestProblems(draft, problems);
  const numbers = numbersOf(draft.chargeNumbers);
  if (numbers.some((n) => !E164_NUMBER.test(n)))
    problems['auth.p_charge_info.numbers'] = { key: 'console.auth.errors.e164' };
  else if (numbers.length > CALLER_AUTH_LIMITS.numbers)
    problems['auth.p_charge_info.numbers'] = {
      key: 'console.auth.errors.too_many_numbers',
      vars: { max: CALLER_AUTH_LIMITS.numbers },
    };
  return problems;
}

function digestProblems(draft: CarrierDraft, problems: Record<string, KeyProblem>) {
  const realm = draft.digestRealm.trim();
  if (!realm) problems['auth.digest.realm'] = REQUIRED;
  else if (!DIGEST_REALM.test(realm))
    problems['auth.digest.realm'] = { key: 'console.auth.errors.realm' };
  if (draft.digestUsers.length === 0)
    problems['auth.digest.users'] = { key: 'console.auth.errors.users_required' };
  else if (draft.digestUsers.length > CALLER_AUTH_LIMITS.users)
    problems['auth.digest.users'] = {
      key: 'console.auth.errors.too_many_users',
      vars: { max: CALLER_AUTH_LIMITS.users },
    };
  // A stored user keeps its HA1 only in the realm it was made with.
  const sameRealm = realm === draft.storedRealm;
  const seen = new Set<string>();
  draft.digestUsers.forEach((user, i) => {
    const at = `auth.digest.users[${i}]`;
    const name = user.username.trim();
    if (!name) problems[`${at}.username`] = REQUIRED;
    else if (!DIGEST_USERNAME.test(name))
      problems[`${at}.username`] = { key: 'console.auth.errors.username' };
    else if (seen.has(name))
      problems[`${at}.username`] = { key: 'console.auth.errors.username_repeated' };
    seen.add(name);
    const { password } = user;
    if (!password) {
      if (!user.stored || !sameRealm) problems[`${at}.password`] = REQUIRED;
    } else if (
      password.length < DIGEST_PASSWORD_LENGTH.min ||
      password.length > DIGEST_PASSWORD_LENGTH.max ||
      !PRINTABLE_ASCII.test(password)
    )
      problems[`${at}.password`] = {
        key: 'console.auth.errors.password',
        vars: { min: DIGEST_PASSWORD_LENGTH.min, max: DIGEST_PASSWORD_LENGTH.max },
      };
  });
}

/** The carrier options' fields of the request body (create and PATCH alike). */
export function carrierBody(draft: CarrierDraft) {
  const numbers = numbersOf(draft.chargeNumbers);
  const prefix = draft.techPrefix.trim();
  return {
    max_cps: Number(draft.maxCps.trim()),
    max_creations_per_minute: Number(draft.maxCreations.trim()),
    media: draft.media,
    routing: {
      mode: draft.routingMode,
      no_ringback_ms: Number(draft.noRingbackMs.trim()),
      no_answer_ms: Number(draft.noAnswerMs.trim()),
      max_concurrent_calls: Number(draft.maxConcurrent.trim()),
    },
    // The whole caller auth (a PATCH replaces it); a secret left empty keeps the stored one.
    auth: {
      ip: draft.ip,
      ...(draft.tokenOn
        ? {
            token: {
              header: draft.tokenHeader.trim(),
              ...(draft.tokenSecret ? { secret: draft.tokenSecret } : {}),
            },
          }
        : {}),
      ...(prefix ? { tech_prefix: prefix } : {}),
      ...(draft.digestOn
        ? {
            digest: {
              realm: draft.digestRealm.trim(),
              users: draft.digestUsers.map((u) => ({
                username: u.username.trim(),
                ...(u.password ? { password: u.password } : {}),
              })),
            },
          }
        : {}),
      ...(numbers.length ? { p_charge_info: { numbers } } : {}),
    },
  };
}

/** The fields of the form the carrier options own, by request path (for the Worker's issues). */
export const CARRIER_FIELDS = [
  'max_cps',
  'max_creations_per_minute',
  'media',
  'routing.mode',
  'routing.no_ringback_ms',
  'routing.no_answer_ms',
  'routing.max_concurrent_calls',
  'auth.token.header',
  'auth.token.secret',
  'auth.tech_prefix',
  'auth.digest.realm',
  'auth.digest.users',
  'auth.p_charge_info.numbers',
] as const;
