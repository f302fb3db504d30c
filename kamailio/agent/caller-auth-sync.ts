// Each line's caller authentication (digest HA1s, the token's hash, tech prefix, P-Charge-Info
// numbers), written to the db_text table Kamailio's `callerauth` htable loads (at start, and on
// htable.reload), then proved with a dump, like the block list. Lines without their ACL
// (`ip: false`) are admitted by this table alone, so it is applied after the block list and the
// media table, before the ACL.
import { readFile, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { KamailioRpc } from 'kamailio-jsonrpc';
import {
  CALLER_AUTH_TABLE,
  callerAuthEntries,
  renderCallerAuthTable,
} from '../renderer/caller-auth-table';
import { writeFilesAtomic } from '../renderer/write-atomic';
import { SyncError } from './edge-config';
import type { EdgeLine } from './line-sync';

/** The RPC caller auth sync needs (a fake in unit tests). */
export type CallerAuthRpc = Pick<KamailioRpc, 'call' | 'htableDump'>;

/**
 * Writes the table when it changed (or when forced), reloads the htable and checks that Kamailio
 * holds exactly those entries; on a mismatch or an error the previous table is put back and
 * reloaded, and the sync fails like an ACL that did not load. The table holds HA1s: mode 0640.
 * @example
 * const auth = createCallerAuthSync('/etc/kamailio/sipbridge', rpc);
 * await auth.apply(edgeLines, false); // { count: 3, reloaded: true }
 */
export function createCallerAuthSync(renderDir: string, rpc: CallerAuthRpc) {
  const file = join(renderDir, CALLER_AUTH_TABLE);

  /** A modification time other than the old file's: db_text reloads only when it changed. */
  async function writeTable(content: string) {
    const before = await stat(file).catch(() => undefined);
    await writeFilesAtomic(renderDir, [{ name: CALLER_AUTH_TABLE, content, mode: 0o640 }]);
    const previous = before ? Math.floor(before.mtimeMs / 1000) : 0;
    const seconds = Math.max(Math.floor(Date.now() / 1000), previous + 1);
    await utimes(file, seconds, seconds);
  }

  async function reloadAndProve(expected: [string, string][]) {
    await rpc.call('htable.reload', [CALLER_AUTH_TABLE]);
    const held = (await rpc.htableDump(CALLER_AUTH_TABLE))
      .map((e) => `${e.name}=${String(e.value)}`)
      .sort();
    const want = expected.map(([k, v]) => `${k}=${v}`).sort();
    if (held.join('\n') !== want.join('\n')) {
      // Counts only: the values are credentials' hashes.
      throw new SyncError(
        `Kamailio holds ${held.length} of ${want.length} caller auth entries`,
        true,
      );
    }
  }

  return {
    /** `groups`: each line's id (line-ids.json), which a line without its ACL (`ip: false`) needs. */
    async apply(
      lines: EdgeLine[],
      force: boolean,
      groups: Readonly<Record<string, number>> = {},
    ): Promise<{ count: number; reloaded: boolean }> {
      let entries: [string, string][];
      try {
        entries = callerAuthEntries(lines, groups);
      } catch (err) {
        throw new SyncError(`edge config: ${(err as Error).message}`, true);
      }
      const content = renderCallerAuthTable(entries);
      const previous = await readFile(file, 'utf8').catch(() => renderCallerAuthTable([]));
      if (!force && previous === content) return { count: entries.length, reloaded: false };
      await writeTable(content);
      try {
        await reloadAndProve(entries);
      } catch (err) {
        await writeTable(previous);
        await rpc.call('htable.reload', [CALLER_AUTH_TABLE]).catch(() => undefined);
        throw err;
      }
      return { count: entries.length, reloaded: true };
    },
  };
}
