// Turns the admin API's caller auth into what is stored and sent to the edge: passwords become
// HA1s (MD5(username:realm:password), RFC 2617, what Kamailio's auth module checks), the token
// its SHA-256. Omitted secrets keep the stored ones when they still apply.
import type { EdgeLineAuth } from '@sip-bridge/contract/caller-auth';
import type { LineAuth, LineAuthInput } from '../schemas/line-auth';

export const DEFAULT_LINE_AUTH: EdgeLineAuth = { ip: true };

async function hex(algorithm: 'MD5' | 'SHA-256', text: string): Promise<string> {
  const digest = await crypto.subtle.digest(algorithm, new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** MD5(username:realm:password) in lower-case hex. */
export const digestHa1 = (username: string, realm: string, password: string) =>
  hex('MD5', `${username}:${realm}:${password}`);

/**
 * The stored form of `input`, or the fields that need a secret they lack (a new digest user, a
 * changed realm, a new token). `previous` is the line's stored auth (null for a new line).
 * @example await resolveLineAuth({ ip: true, tech_prefix: '1234' }, null) // { ok: true, auth }
 */
export async function resolveLineAuth(
  input: LineAuthInput,
  previous: EdgeLineAuth | null,
): Promise<
  { ok: true; auth: EdgeLineAuth } | { ok: false; issues: { path: string; message: string }[] }
> {
  const issues: { path: string; message: string }[] = [];
  const auth: EdgeLineAuth = { ip: input.ip };
  if (input.digest) {
    const { realm } = input.digest;
    const kept =
      previous?.digest?.realm === realm
        ? new Map(previous.digest.users.map((u) => [u.username, u.ha1]))
        : new Map<string, string>();
    const users = await Promise.all(
      input.digest.users.map(async (u, i) => {
        const ha1 =
          u.ha1 ??
          (u.password !== undefined
            ? await digestHa1(u.username, realm, u.password)
            : kept.get(u.username));
        if (ha1 === undefined) {
          issues.push({
            path: `auth.digest.users[${i}].password`,
            message: 'is required for a new user or a changed realm (or give ha1)',
          });
        }
        return { username: u.username, ha1: ha1 ?? '' };
      }),
    );
    auth.digest = { realm, users };
  }
  if (input.token) {
    const sha256 =
      input.token.secret !== undefined
        ? await hex('SHA-256', input.token.secret)
        : previous?.token?.sha256;
    if (sha256 === undefined) {
      issues.push({ path: 'auth.token.secret', message: 'is required for a new token' });
    }
    auth.token = { header: input.token.header, sha256: sha256 ?? '' };
  }
  if (input.tech_prefix !== undefined) auth.tech_prefix = input.tech_prefix;
  if (input.p_charge_info) {
    auth.p_charge_info = {
      numbers: [...new Set(input.p_charge_info.numbers.map((n) => n.slice(1)))],
    };
  }
  return issues.length ? { ok: false, issues } : { ok: true, auth };
}

/** What the admin API shows: no HA1, no token hash. */
export function publicLineAuth(auth: EdgeLineAuth): LineAuth {
  return {
    ip: auth.ip,
    ...(auth.digest
      ? {
          digest: {
            realm: auth.digest.realm,
            users: auth.digest.users.map((u) => ({ username: u.username })),
          },
        }
      : {}),
    ...(auth.token ? { token: { header: auth.token.header, secret_set: true as const } } : {}),
    ...(auth.tech_prefix !== undefined ? { tech_prefix: auth.tech_prefix } : {}),
    ...(auth.p_charge_info
      ? { p_charge_info: { numbers: auth.p_charge_info.numbers.map((n) => `+${n}`) } }
      : {}),
  };
}

/** True when the line asks nothing beyond its ACL (the edge config then carries no `auth`). */
export const isDefaultLineAuth = (auth: EdgeLineAuth) =>
  auth.ip && !auth.digest && !auth.token && auth.tech_prefix === undefined && !auth.p_charge_info;
