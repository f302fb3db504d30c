// How a caller proves it may use a line, as the Worker stores it, ships it to the edge and the
// edge agent checks it before Kamailio enforces it (docs/caller-auth.md). Only derived values
// travel: digest HA1s and the token's SHA-256, never a password or a token.

/** A digest username: 4-32 letters or digits. */
export const DIGEST_USERNAME = /^[A-Za-z0-9]{4,32}$/;
/** A digest realm: a host-like name (letters, digits, dots, dashes), 1-64 characters. */
export const DIGEST_REALM = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,62}[A-Za-z0-9])?$/;
/** MD5(username:realm:password) in lower-case hex (RFC 2617), what Kamailio's auth module checks. */
export const HA1 = /^[0-9a-f]{32}$/;
/** The token's SHA-256 in lower-case hex, as Kamailio's `{s.sha256}` prints it. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;
/**
 * The token header's name: `X-` and 1-64 letters, digits or dashes, not one of the bridge's own
 * (X-Zendesk-, X-Bridge-).
 */
export const TOKEN_HEADER = /^[Xx]-[A-Za-z0-9-]{1,64}$/;
/** A tech prefix: exactly 4 digits at the start of the Request-URI's user part. */
export const TECH_PREFIX = /^[0-9]{4}$/;
/** A digest password's length; it must be printable ASCII (`PRINTABLE_ASCII`). */
export const DIGEST_PASSWORD_LENGTH = { min: 8, max: 128 } as const;
/** Printable ASCII, spaces included. */
export const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;
/** The token callers send: 16-256 printable ASCII characters without spaces. */
export const TOKEN_SECRET = /^[!-~]{16,256}$/;
/** A P-Charge-Info number as the admin gives it: E.164 with its `+`. */
export const E164_NUMBER = /^\+[1-9][0-9]{6,14}$/;
/** A line number as the edge compares it: E.164 digits without the `+`. */
export const LINE_NUMBER_DIGITS = /^[1-9][0-9]{6,14}$/;

/** The most digest users and P-Charge-Info numbers a line may have. */
export const CALLER_AUTH_LIMITS = { users: 16, numbers: 32 } as const;

/** A line's caller authentication in the edge config (every part optional but `ip`). */
export interface EdgeLineAuth {
  /**
   * True: the source must be in the line's ACL. False: a source in no line's ACL may still reach
   * the line by its credential (`credentialOnlyProblem`): a digest username, or a tech prefix
   * with a token.
   */
  ip: boolean;
  /** SIP digest: a 407 challenge, then Proxy-Authorization checked against these HA1s. */
  digest?: { realm: string; users: { username: string; ha1: string }[] };
  /** A header the caller sends with the line's secret; the edge compares SHA-256s. */
  token?: { header: string; sha256: string };
  /** Four digits the Request-URI's user part must start with; removed before relay. */
  tech_prefix?: string;
  /** P-Charge-Info must name one of these numbers (E.164 digits without `+`). */
  p_charge_info?: { numbers: string[] };
}

/**
 * The first problem with an edge line's `auth`, or null when it is sound. Messages name the field
 * and never echo a value (they may reach logs).
 * @example callerAuthProblem({ ip: true, tech_prefix: '12a4' }) // 'tech_prefix is not 4 digits'
 */
export function callerAuthProblem(auth: unknown): string | null {
  if (typeof auth !== 'object' || auth === null || Array.isArray(auth)) return 'is not an object';
  const a = auth as Record<string, unknown>;
  const known = new Set(['ip', 'digest', 'token', 'tech_prefix', 'p_charge_info']);
  const extra = Object.keys(a).find((k) => !known.has(k));
  if (extra !== undefined) return 'has an unknown field';
  if (typeof a.ip !== 'boolean') return 'ip is not true or false';
  if (a.digest !== undefined) {
    const d = a.digest as { realm?: unknown; users?: unknown } | null;
    if (typeof d?.realm !== 'string' || !DIGEST_REALM.test(d.realm))
      return 'digest.realm is invalid';
    if (!Array.isArray(d.users) || d.users.length < 1 || d.users.length > CALLER_AUTH_LIMITS.users)
      return `digest.users is not a list of 1-${CALLER_AUTH_LIMITS.users}`;
    const seen = new Set<string>();
    for (const [i, u] of (d.users as unknown[]).entries()) {
      const user = u as { username?: unknown; ha1?: unknown } | null;
      if (typeof user?.username !== 'string' || !DIGEST_USERNAME.test(user.username))
        return `digest.users[${i}].username is not 4-32 letters or digits`;
      if (seen.has(user.username)) return `digest.users[${i}].username repeats`;
      seen.add(user.username);
      if (typeof user.ha1 !== 'string' || !HA1.test(user.ha1))
        return `digest.users[${i}].ha1 is not 32 lower-case hex digits`;
    }
  }
  if (a.token !== undefined) {
    const t = a.token as { header?: unknown; sha256?: unknown } | null;
    if (
      typeof t?.header !== 'string' ||
      !TOKEN_HEADER.test(t.header) ||
      /^[Xx]-(?:[Zz][Ee][Nn][Dd][Ee][Ss][Kk]|[Bb][Rr][Ii][Dd][Gg][Ee])-/.test(t.header)
    )
      return 'token.header is not an X- header of the caller’s';
    if (typeof t.sha256 !== 'string' || !SHA256_HEX.test(t.sha256))
      return 'token.sha256 is not 64 lower-case hex digits';
  }
  if (a.tech_prefix !== undefined) {
    if (typeof a.tech_prefix !== 'string' || !TECH_PREFIX.test(a.tech_prefix))
      return 'tech_prefix is not 4 digits';
  }
  if (a.p_charge_info !== undefined) {
    const numbers = (a.p_charge_info as { numbers?: unknown } | null)?.numbers;
    if (
      !Array.isArray(numbers) ||
      numbers.length < 1 ||
      numbers.length > CALLER_AUTH_LIMITS.numbers
    )
      return `p_charge_info.numbers is not a list of 1-${CALLER_AUTH_LIMITS.numbers}`;
    const bad = numbers.findIndex((n) => typeof n !== 'string' || !LINE_NUMBER_DIGITS.test(n));
    if (bad !== -1) return `p_charge_info.numbers[${bad}] is not E.164 digits`;
  }
  if (a.ip === false && !identifiesLine(a)) return IP_FALSE_NEEDS;
  return null;
}

/** Why a line without its IP allowlist needs more (the admin API's and the agent's message). */
export const IP_FALSE_NEEDS =
  'ip false needs a credential that names the line and proves the caller: digest users, or a ' +
  'tech prefix with a token';

/**
 * True when `auth` lets the edge find the line without the source address and prove the caller:
 * digest (its username names the line, its password proves it) or a tech prefix (names the
 * line: 4 digits, guessable) together with a token (proves it). A token alone does not name a
 * line: its header differs per line and its value is a secret the edge holds only hashed.
 */
export const identifiesLine = (auth: {
  digest?: unknown;
  tech_prefix?: unknown;
  token?: unknown;
}) => auth.digest !== undefined || (auth.tech_prefix !== undefined && auth.token !== undefined);

/** Where two credential-only lines collide: which field of the later one, and the earlier line. */
export interface CredentialConflict {
  slug: string;
  /** `digest.users[i].username`, `tech_prefix` or `digest.realm`. */
  field: string;
  /** The line it collides with. */
  with: string;
  message: string;
}

/**
 * What stops the edge from finding each line without its ACL (`ip: false`) by its credential
 * alone: a digest username or a tech prefix two such lines share, or a second digest realm
 * (a caller from an unknown address is challenged before the edge knows the line, so the
 * challenge names the one realm those lines share). Lines with `ip: true` never count: they are
 * found by their ACL only. Messages name the field and the other line, never a credential.
 * @example credentialConflicts([{ slug: 'a', auth: a }, { slug: 'b', auth: b }]) // [] or conflicts
 */
export function credentialConflicts(
  lines: readonly { slug: string; auth?: EdgeLineAuth | undefined }[],
): CredentialConflict[] {
  const users = new Map<string, string>();
  const prefixes = new Map<string, string>();
  let realm: { realm: string; slug: string } | undefined;
  const conflicts: CredentialConflict[] = [];
  for (const { slug, auth } of lines) {
    if (!auth || auth.ip !== false) continue;
    if (auth.digest) {
      if (realm && realm.realm !== auth.digest.realm) {
        conflicts.push({
          slug,
          field: 'digest.realm',
          with: realm.slug,
          message: `differs from the realm of line ${realm.slug}: lines without an IP allowlist share one realm`,
        });
      }
      realm ??= { realm: auth.digest.realm, slug };
      auth.digest.users.forEach((u, i) => {
        const other = users.get(u.username);
        if (other !== undefined && other !== slug) {
          conflicts.push({
            slug,
            field: `digest.users[${i}].username`,
            with: other,
            message: `is a user of line ${other}, which also takes callers without an IP allowlist`,
          });
        } else users.set(u.username, slug);
      });
    }
    if (auth.tech_prefix !== undefined) {
      const other = prefixes.get(auth.tech_prefix);
      if (other !== undefined && other !== slug) {
        conflicts.push({
          slug,
          field: 'tech_prefix',
          with: other,
          message: `is the tech prefix of line ${other}, which also takes callers without an IP allowlist`,
        });
      } else prefixes.set(auth.tech_prefix, slug);
    }
  }
  return conflicts;
}
