// What ACL sync reads and compares: the Worker's edge config (validated line by line) and the
// rows of a permissions address list, in the spelling Kamailio's dumps use.
import { sipTargetProblem } from '../renderer/config-schema';
import { parseCidr } from '@sip-bridge/contract/cidr';
import { isSlug } from '@sip-bridge/contract/identifiers';
import { isLineMedia, isTlsTarget } from '@sip-bridge/contract/line-media';
import { callerAuthProblem, type EdgeLineAuth } from '@sip-bridge/contract/caller-auth';
import type { EdgeRouting } from '@sip-bridge/contract/edge';
import { isRuleId, ROUTING_RULE_LIMITS } from '@sip-bridge/contract/routing-rules';
import type { RuleTargets } from '../renderer/files';
import type { EdgeLine } from './line-sync';

export const EDGE_CONFIG_PATH = '/v1/edge/config';

export interface Row {
  group: number;
  ip: string;
  mask: number;
  port: number;
  tag: string;
}

export class SyncError extends Error {
  /** A deterministic refusal (bad config, Kamailio skipped lines): not retried for the same ETag. */
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export const rowKey = (r: Row) => `${r.group} ${r.ip} ${r.mask} ${r.port} ${r.tag}`;

/** The rows of an address.list text as Kamailio should load them (comments and blanks skipped). */
export function parseAddressList(text: string): Row[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [group, ip, mask, port, tag] = l.split(/\s+/);
      return {
        group: Number(group),
        ip: ip ?? '',
        mask: Number(mask),
        port: Number(port),
        tag: tag ?? '',
      };
    });
}

/** Canonical address text, so Kamailio's IPv6 spelling and ours compare equal. */
export function canonicalIp(ip: string, mask: number): string {
  const parsed = parseCidr(`${ip}/${mask}`);
  return parsed.ok ? parsed.cidr.address : ip;
}

/** Validates the Worker's edge config body; throws a SyncError naming the first problem. */
export function validateEdgeConfig(body: unknown): EdgeLine[] {
  const lines = (body as { lines?: unknown } | undefined)?.lines;
  if (!Array.isArray(lines)) throw new SyncError('edge config: "lines" is not an array', true);
  return lines.map((line: unknown, i) => {
    const {
      slug,
      acl,
      sip_targets: targets,
      max_cps: maxCps,
      blocked,
      media,
      auth,
      routing,
      rules,
    } = (line ?? {}) as {
      slug?: unknown;
      acl?: unknown;
      sip_targets?: unknown;
      max_cps?: unknown;
      blocked?: unknown;
      media?: unknown;
      auth?: unknown;
      routing?: unknown;
      rules?: unknown;
    };
    if (typeof slug !== 'string' || !isSlug(slug)) {
      throw new SyncError(`edge config: lines[${i}].slug ${JSON.stringify(slug)} is invalid`, true);
    }
    if (!Array.isArray(acl))
      throw new SyncError(`edge config: line ${slug}: acl is not an array`, true);
    if (!Array.isArray(targets) || targets.length === 0) {
      throw new SyncError(`edge config: line ${slug}: sip_targets is not a non-empty array`, true);
    }
    targets.forEach((target: unknown, j) => {
      const problem = typeof target === 'string' ? sipTargetProblem(target) : 'not a string';
      if (problem) {
        throw new SyncError(
          `edge config: line ${slug}: sip_targets[${j}] ${JSON.stringify(target)}: ${problem}`,
          true,
        );
      }
    });
    if (!Number.isInteger(maxCps) || (maxCps as number) < 0 || (maxCps as number) > 10_000) {
      throw new SyncError(`edge config: line ${slug}: max_cps is not 0-10000`, true);
    }
    // Older Workers send no block list: Kamailio then holds none for the line.
    if (blocked !== undefined && !Array.isArray(blocked)) {
      throw new SyncError(`edge config: line ${slug}: blocked is not an array`, true);
    }
    (blocked ?? []).forEach((digits: unknown, j: number) => {
      if (typeof digits !== 'string' || !/^[0-9]{3,20}$/.test(digits)) {
        throw new SyncError(`edge config: line ${slug}: blocked[${j}] is not 3-20 digits`, true);
      }
    });
    // Older Workers send no auth: the line is admitted by its ACL alone, as before.
    const authProblem = auth === undefined ? null : callerAuthProblem(auth);
    if (authProblem) {
      throw new SyncError(`edge config: line ${slug}: auth ${authProblem}`, true);
    }
    // Older Workers send no media: rtp, as before. A secure line reaches its targets over TLS only.
    if (media !== undefined && !isLineMedia(media)) {
      throw new SyncError(`edge config: line ${slug}: media is not rtp or secure`, true);
    }
    if (media === 'secure') {
      const plain = (targets as string[]).findIndex((t) => !isTlsTarget(t));
      if (plain !== -1) {
        throw new SyncError(
          `edge config: line ${slug}: sip_targets[${plain}] is not sips: or ;transport=tls on a secure line`,
          true,
        );
      }
    }
    const ruleTargets = validateRules(slug, rules, media === 'secure');
    return {
      slug,
      ...(ruleTargets.length ? { rules: ruleTargets } : {}),
      ...(auth === undefined ? {} : { auth: auth as EdgeLineAuth }),
      ...(media === undefined ? {} : { media }),
      targets: targets as string[],
      maxCps: maxCps as number,
      routing: validateRouting(slug, routing),
      blocked: (blocked ?? []) as string[],
      acl: acl.map((entry: unknown, j) => {
        const cidr = (entry as { cidr?: unknown } | null)?.cidr;
        const parsed = typeof cidr === 'string' ? parseCidr(cidr) : undefined;
        if (!parsed?.ok) {
          const reason = parsed && !parsed.ok ? parsed.reason : 'not a string';
          throw new SyncError(
            `edge config: line ${slug}: acl[${j}] ${JSON.stringify(cidr)}: ${reason}`,
            true,
          );
        }
        return parsed.cidr.text;
      }),
    };
  });
}

/** Bounds of a line's routing (the Worker's ROUTING_LIMITS; docs/admins.md). */
const ROUTING_BOUNDS = {
  no_ringback_ms: [100, 60_000],
  no_answer_ms: [1_000, 3_600_000],
  max_concurrent_calls: [0, 100_000],
} as const;

/**
 * A line's routing; a Worker from before routing sends none, and the line then keeps the edge's
 * own behaviour (targets in order, its timers, no concurrent limit).
 */
function validateRouting(slug: string, routing: unknown): EdgeRouting | undefined {
  if (routing === undefined) return undefined;
  if (typeof routing !== 'object' || routing === null || Array.isArray(routing)) {
    throw new SyncError(`edge config: line ${slug}: routing is not an object`, true);
  }
  const r = routing as Record<string, unknown>;
  if (r.mode !== 'sequential' && r.mode !== 'round_robin') {
    throw new SyncError(
      `edge config: line ${slug}: routing.mode is not sequential or round_robin`,
      true,
    );
  }
  for (const [field, [min, max]] of Object.entries(ROUTING_BOUNDS)) {
    const value = r[field];
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
      throw new SyncError(`edge config: line ${slug}: routing.${field} is not ${min}-${max}`, true);
    }
  }
  return {
    mode: r.mode,
    no_ringback_ms: r.no_ringback_ms as number,
    no_answer_ms: r.no_answer_ms as number,
    max_concurrent_calls: r.max_concurrent_calls as number,
  };
}

/**
 * A line's routing rules (each an id and its own targets, checked like the line's); absent from
 * Workers before them and from lines without rules. A secure line's rule targets are TLS too.
 */
function validateRules(slug: string, rules: unknown, secure: boolean): RuleTargets[] {
  if (rules === undefined) return [];
  if (!Array.isArray(rules) || rules.length > ROUTING_RULE_LIMITS.rules) {
    throw new SyncError(
      `edge config: line ${slug}: rules is not an array of at most ${ROUTING_RULE_LIMITS.rules}`,
      true,
    );
  }
  const seen = new Set<string>();
  return rules.map((rule: unknown, i) => {
    const { id, sip_targets: targets } = (rule ?? {}) as { id?: unknown; sip_targets?: unknown };
    const where = `edge config: line ${slug}: rules[${i}]`;
    if (!isRuleId(id)) throw new SyncError(`${where}.id is not a rule id`, true);
    if (seen.has(id)) throw new SyncError(`${where}.id repeats an earlier rule`, true);
    seen.add(id);
    if (
      !Array.isArray(targets) ||
      targets.length === 0 ||
      targets.length > ROUTING_RULE_LIMITS.targets
    ) {
      throw new SyncError(
        `${where}.sip_targets is not 1-${ROUTING_RULE_LIMITS.targets} targets`,
        true,
      );
    }
    targets.forEach((target: unknown, j) => {
      const problem = typeof target === 'string' ? sipTargetProblem(target) : 'not a string';
      if (problem) throw new SyncError(`${where}.sip_targets[${j}]: ${problem}`, true);
      if (secure && !isTlsTarget(target as string)) {
        throw new SyncError(
          `${where}.sip_targets[${j}] is not sips: or ;transport=tls on a secure line`,
          true,
        );
      }
    });
    return { id, targets: targets as string[] };
  });
}
