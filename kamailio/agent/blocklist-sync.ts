// The block list Kamailio holds itself, so a blocked caller gets 603 even while the agent or the
// Worker is down or a breaker is open: the Worker's blocked keys, written to the db_text table
// Kamailio's `blocked` htable loads (at start, and on htable.reload), then proved with a dump.
import { readFile, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { KamailioRpc } from 'kamailio-jsonrpc';
import { BLOCKLIST_TABLE, renderBlocklistTable } from '../renderer/files';
import { writeFilesAtomic } from '../renderer/write-atomic';
import { SyncError } from './edge-config';
import type { EdgeLine } from './line-sync';

/** The RPC the block list needs (a fake in unit tests). */
export type BlocklistRpc = Pick<KamailioRpc, 'call' | 'htableDump'>;

/** Every key Kamailio should hold for these lines: `line/digits` (global blocks are per line). */
export function blocklistKeys(lines: readonly EdgeLine[]): string[] {
  return lines.flatMap((line) => (line.blocked ?? []).map((digits) => `${line.slug}/${digits}`));
}

/**
 * Writes the table when it changed (or when forced), reloads the htable and checks that Kamailio
 * holds exactly those keys; on a mismatch or an error the previous table is put back and
 * reloaded, and the sync fails like an ACL that did not load.
 * @example
 * const blocklist = createBlocklistSync('/etc/kamailio/sipbridge', rpc);
 * await blocklist.apply(['demo/33612345678', 'demo/0612345678'], false); // { count: 2, reloaded: true }
 */
export function createBlocklistSync(renderDir: string, rpc: BlocklistRpc) {
  const file = join(renderDir, BLOCKLIST_TABLE);

  /**
   * Writes the table with a modification time (whole seconds) other than the old file's:
   * db_text reloads a table only when that time changed, and two syncs can fall in one second.
   */
  async function writeTable(content: string) {
    const before = await stat(file).catch(() => undefined);
    await writeFilesAtomic(renderDir, [{ name: BLOCKLIST_TABLE, content, mode: 0o644 }]);
    const previous = before ? Math.floor(before.mtimeMs / 1000) : 0;
    const seconds = Math.max(Math.floor(Date.now() / 1000), previous + 1);
    await utimes(file, seconds, seconds);
  }

  async function reloadAndProve(expected: string[]) {
    await rpc.call('htable.reload', [BLOCKLIST_TABLE]);
    const held = (await rpc.htableDump(BLOCKLIST_TABLE)).map((e) => e.name).sort();
    const want = [...new Set(expected)].sort();
    if (held.join('\n') !== want.join('\n')) {
      throw new SyncError(`Kamailio holds ${held.length} of ${want.length} blocked keys`, true);
    }
  }

  return {
    async apply(keys: string[], force: boolean): Promise<{ count: number; reloaded: boolean }> {
      const content = renderBlocklistTable(keys);
      const previous = await readFile(file, 'utf8').catch(() => renderBlocklistTable([]));
      const count = new Set(keys).size;
      if (!force && previous === content) return { count, reloaded: false };
      await writeTable(content);
      try {
        await reloadAndProve(keys);
      } catch (err) {
        await writeTable(previous);
        await rpc.call('htable.reload', [BLOCKLIST_TABLE]).catch(() => undefined);
        throw err;
      }
      return { count, reloaded: true };
    },
  };
}
