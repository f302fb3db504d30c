import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KamailioRpc } from 'kamailio-jsonrpc';
import type { LineMedia } from '@sip-bridge/contract/line-media';
import type { EdgeLineAuth } from '@sip-bridge/contract/caller-auth';
import type { EdgeRouting } from '@sip-bridge/contract/edge';
import {
  assignLineIds,
  lineRouteEntries,
  parseLineIds,
  renderDispatcherList,
  type LineIds,
  type RuleTargets,
} from '../renderer/files';
import { ruleSetKey } from '@sip-bridge/contract/routing-rules';
import { writeFilesAtomic } from '../renderer/write-atomic';
import { parseDispatcherTargets } from './dispatcher-targets';

/** One line of the Worker's edge config, validated. */
export interface EdgeLine {
  slug: string;
  acl: string[];
  targets: string[];
  /** 0 = the edge's default (limits.cps_per_line). */
  maxCps: number;
  /** Caller digits blocked on this line (E.164 digits and national forms; see blocklist-sync). */
  blocked?: string[];
  /** rtp or secure (media-sync.ts); absent: rtp. */
  media?: LineMedia;
  /** How callers prove they may use the line (caller-auth-sync.ts); absent: the ACL alone. */
  auth?: EdgeLineAuth;
  /** Target order, timers and concurrent-call limit; absent from older Workers. */
  routing?: EdgeRouting | undefined;
  /** Routing rules' own targets, each a dispatcher set (`<slug>/<rule>`); absent: none. */
  rules?: RuleTargets[];
}

/** The edge's own behaviour, for a line whose Worker sends no routing (0 = the edge's timers). */
const EDGE_DEFAULT_ROUTING = { mode: 'sequential', max_concurrent_calls: 0 } as const;

/** The parts of the Kamailio JSON-RPC client line sync needs (a fake in unit tests). */
export type LineRpc = Pick<KamailioRpc, 'call' | 'htableSet'>;

/** A failure to apply lines; `permanent` when retrying the same config cannot help. */
export class LineSyncError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/**
 * Gives every slug a line id, keeping the ids already given (line-ids.json, shared with the
 * renderer) and writing the file first when a line is new, so the address and dispatcher files
 * never name an id the next render would give to another line.
 */
export async function lineIdsFor(renderDir: string, keys: readonly string[]): Promise<LineIds> {
  const file = join(renderDir, 'line-ids.json');
  const previous = parseLineIds(await readFile(file, 'utf8'));
  const ids = assignLineIds(keys, previous);
  if (Object.keys(ids.ids).length !== Object.keys(previous.ids).length) {
    const content = `${JSON.stringify(ids, null, 2)}\n`;
    await writeFilesAtomic(renderDir, [{ name: 'line-ids.json', content, mode: 0o644 }]);
  }
  return ids;
}

interface DispatcherTarget {
  set: number;
  uri: string;
}

/**
 * Keeps Kamailio's lines in step with the Worker: the dispatcher sets (each line's targets, in
 * failover order), the per-line CPS limits and routing (lineroute htable: order, timers,
 * concurrent-call limit, read by the cfg at each call). dispatcher.list is written atomically, reloaded and
 * proved with dispatcher.list; on any mismatch the previous file is put back and reloaded. The
 * limits go into the linecps and lineroute htables. Calls in progress are not touched (they follow their route set).
 * @example
 * const lines = createLineSync('/etc/kamailio/sipbridge', rpc, reloadDispatcher);
 * await lines.apply(edgeLines, ids, false);
 */
export function createLineSync(
  renderDir: string,
  rpc: LineRpc,
  /** dispatcher.reload, waiting out Kamailio's reload_delta ("Ongoing reload"). */
  reloadDispatcher: () => Promise<void>,
) {
  const file = join(renderDir, 'dispatcher.list');
  const write = (content: string) =>
    writeFilesAtomic(renderDir, [{ name: 'dispatcher.list', content, mode: 0o644 }]);
  const appliedCps = new Map<string, number>();
  /** lineroute htable values last set, by `<slug>::<key>`. */
  const appliedRoutes = new Map<string, number>();
  /** linerules htable values last set (rule set ids, 0 = no longer a rule), by `<slug>/<rule>`. */
  const appliedRules = new Map<string, number>();
  /** The rules whose sets Kamailio has loaded and can route to, by `<slug>/<rule>`. */
  let loadedRules = new Set<string>();

  async function prove(expected: DispatcherTarget[]) {
    const key = (t: DispatcherTarget) => `${t.set} ${t.uri}`;
    const want = expected.map(key).sort();
    const got = parseDispatcherTargets(await rpc.call('dispatcher.list'))
      .map(key)
      .sort();
    if (got.join('\n') !== want.join('\n')) {
      const missing = want.filter((k) => !got.includes(k));
      throw new LineSyncError(
        `Kamailio loaded ${got.length} of ${want.length} targets` +
          (missing.length ? `; missing: ${missing.join(', ')}` : ''),
        true,
      );
    }
  }

  return {
    /** Applies targets and limits; `reloaded` is false when the dispatcher file did not change. */
    async apply(lines: EdgeLine[], ids: LineIds, force: boolean): Promise<{ reloaded: boolean }> {
      const content = renderDispatcherList(
        lines.map((l) => ({ slug: l.slug, targets: l.targets, rules: l.rules })),
        ids,
        'the Worker edge config',
      );
      const previous = await readFile(file, 'utf8').catch(() => '');
      const reloading = force || previous !== content;
      if (reloading) {
        await write(content);
        try {
          await reloadDispatcher();
          await prove(
            lines.flatMap((l) => [
              ...l.targets.map((uri) => ({ set: ids.ids[l.slug]!, uri })),
              ...(l.rules ?? []).flatMap((r) =>
                r.targets.map((uri) => ({ set: ids.ids[ruleSetKey(l.slug, r.id)]!, uri })),
              ),
            ]),
          );
        } catch (err) {
          await write(previous);
          await reloadDispatcher().catch(() => undefined);
          throw err;
        }
      }
      for (const line of lines) {
        if (!force && appliedCps.get(line.slug) === line.maxCps) continue;
        await rpc.htableSet('linecps', line.slug, line.maxCps);
        appliedCps.set(line.slug, line.maxCps);
      }
      for (const line of lines) {
        for (const [key, value] of lineRouteEntries(line.routing ?? EDGE_DEFAULT_ROUTING)) {
          const name = `${line.slug}::${key}`;
          if (!force && appliedRoutes.get(name) === value) continue;
          await rpc.htableSet('lineroute', name, value);
          appliedRoutes.set(name, value);
        }
      }
      await applyRules(lines, ids, force);
      return { reloaded: reloading };
    },
    /** Whether Kamailio holds the targets of this line's rule (the decision may name it). */
    hasRule: (slug: string, ruleId: string): boolean => loadedRules.has(ruleSetKey(slug, ruleId)),
  };

  /**
   * The linerules htable: `<slug>/<rule>` → the rule's dispatcher set, read by the cfg when a
   * decision names a rule. A rule gone from the config is set to 0 (the line's own targets).
   */
  async function applyRules(lines: EdgeLine[], ids: LineIds, force: boolean) {
    const wanted = new Map(
      lines.flatMap((l) =>
        (l.rules ?? []).map((r) => {
          const key = ruleSetKey(l.slug, r.id);
          return [key, ids.ids[key]!] as const;
        }),
      ),
    );
    for (const key of appliedRules.keys()) if (!wanted.has(key)) wanted.set(key, 0);
    // A rule's set is routable once the dispatcher list holding it is loaded; a removed one stops
    // being named before its entry is cleared.
    loadedRules = new Set([...wanted].filter(([, set]) => set > 0).map(([key]) => key));
    for (const [key, set] of wanted) {
      if (!force && appliedRules.get(key) === set) continue;
      await rpc.htableSet('linerules', key, set);
      appliedRules.set(key, set);
    }
  }
}
