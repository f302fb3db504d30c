// Each line's media setting (rtp or secure, docs/secure-media.md), written to the db_text table
// Kamailio's `linemedia` htable loads (at start, and on htable.reload), then proved with a dump,
// like the caller auth table. Kamailio refuses calls on a line without a row, so this runs before
// the ACL admits a new line.
import { readFile, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { KamailioRpc } from 'kamailio-jsonrpc';
import { MEDIA_TABLE, mediaEntries, renderMediaTable } from '../renderer/media-table';
import { writeFilesAtomic } from '../renderer/write-atomic';
import { SyncError } from './edge-config';
import type { EdgeLine } from './line-sync';

/** The RPC media sync needs (a fake in unit tests). */
export type MediaRpc = Pick<KamailioRpc, 'call' | 'htableDump'>;

/**
 * Writes the table when it changed (or when forced), reloads the htable and checks that Kamailio
 * holds exactly those rows; on a mismatch or an error the previous table is put back and
 * reloaded, and the sync fails like an ACL that did not load.
 * @example
 * const media = createMediaSync('/etc/kamailio/sipbridge', rpc);
 * await media.apply(edgeLines, false); // { secure: 1, reloaded: true }
 */
export function createMediaSync(renderDir: string, rpc: MediaRpc) {
  const file = join(renderDir, MEDIA_TABLE);

  /** A modification time other than the old file's: db_text reloads only when it changed. */
  async function writeTable(content: string) {
    const before = await stat(file).catch(() => undefined);
    await writeFilesAtomic(renderDir, [{ name: MEDIA_TABLE, content, mode: 0o644 }]);
    const previous = before ? Math.floor(before.mtimeMs / 1000) : 0;
    const seconds = Math.max(Math.floor(Date.now() / 1000), previous + 1);
    await utimes(file, seconds, seconds);
  }

  async function reloadAndProve(expected: Map<string, string>) {
    await rpc.call('htable.reload', [MEDIA_TABLE]);
    const held = (await rpc.htableDump(MEDIA_TABLE))
      .map((e) => `${e.name}=${String(e.value)}`)
      .sort();
    const want = [...expected].map(([k, v]) => `${k}=${v}`).sort();
    if (held.join('\n') !== want.join('\n')) {
      throw new SyncError(`Kamailio holds ${held.length} of ${want.length} line media rows`, true);
    }
  }

  return {
    async apply(lines: EdgeLine[], force: boolean): Promise<{ secure: number; reloaded: boolean }> {
      let entries: Map<string, string>;
      try {
        entries = mediaEntries(lines);
      } catch (err) {
        throw new SyncError(`edge config: ${(err as Error).message}`, true);
      }
      const secure = [...entries.values()].filter((m) => m === 'secure').length;
      const content = renderMediaTable(lines);
      const previous = await readFile(file, 'utf8').catch(() => renderMediaTable([]));
      if (!force && previous === content) return { secure, reloaded: false };
      await writeTable(content);
      try {
        await reloadAndProve(entries);
      } catch (err) {
        await writeTable(previous);
        await rpc.call('htable.reload', [MEDIA_TABLE]).catch(() => undefined);
        throw err;
      }
      return { secure, reloaded: true };
    },
  };
}
