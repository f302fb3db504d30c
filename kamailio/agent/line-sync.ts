import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KamailioRpc } from 'kamailio-jsonrpc';
import type { LineMedia } from '@sip-bridge/contract/line-media';
import type { EdgeLineAuth } from '@sip-bridge/contract/caller-auth';
import { assignLineIds, parseLineIds, renderDispatcherList, type LineIds } from '../renderer/files';
import { writeFilesAtomic } from '../renderer/write-atomic';

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
}

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
export async function lineIdsFor(renderDir: string, slugs: readonly string[]): Promise<LineIds> {
  const file = join(renderDir, 'line-ids.json');
  const previous = parseLineIds(await readFile(file, 'utf8'));
  const ids = assignLineIds(slugs, previous);
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

/** dispatcher.list (Kamailio 5.6): `{ NRSETS, RECORDS: [{ SET: { ID, TARGETS: [{ DEST: { URI } }] } }] }`. */
function parseDispatcherList(result: unknown): DispatcherTarget[] {
  const records = (result as { RECORDS?: unknown } | null)?.RECORDS;
  if (records === undefined) return []; // no set loaded
  if (!Array.isArray(records)) throw new Error('dispatcher.list: RECORDS is not a list');
  return records.flatMap((record: unknown) => {
    const set = (record as { SET?: { ID?: unknown; TARGETS?: unknown } }).SET;
    if (typeof set?.ID !== 'number' || !Array.isArray(set.TARGETS)) {
      throw new Error('dispatcher.list: a record without SET.ID and SET.TARGETS');
    }
    return set.TARGETS.map((t: unknown) => {
      const uri = (t as { DEST?: { URI?: unknown } }).DEST?.URI;
      if (typeof uri !== 'string') throw new Error('dispatcher.list: a target without DEST.URI');
      return { set: set.ID as number, uri };
    });
  });
}

/**
 * Keeps Kamailio's lines in step with the Worker: the dispatcher sets (each line's targets, in
 * failover order) and the per-line CPS limits. dispatcher.list is written atomically, reloaded and
 * proved with dispatcher.list; on any mismatch the previous file is put back and reloaded. The
 * limits go into the linecps htable. Calls in progress are not touched (they follow their route set).
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

  async function prove(expected: DispatcherTarget[]) {
    const key = (t: DispatcherTarget) => `${t.set} ${t.uri}`;
    const want = expected.map(key).sort();
    const got = parseDispatcherList(await rpc.call('dispatcher.list'))
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
        lines.map((l) => ({ slug: l.slug, targets: l.targets })),
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
            lines.flatMap((l) => l.targets.map((uri) => ({ set: ids.ids[l.slug]!, uri }))),
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
      return { reloaded: reloading };
    },
  };
}
