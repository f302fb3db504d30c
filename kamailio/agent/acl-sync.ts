import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KamailioRpc } from 'kamailio-jsonrpc';
import { renderAddressList, type LineIds } from '../renderer/files';
import { writeFilesAtomic } from '../renderer/write-atomic';
import { cidrContains, parseCidr, type Cidr } from '@sip-bridge/contract/cidr';
import { canonicalIp, parseAddressList, rowKey, SyncError, type Row } from './edge-config';
import type { Reload } from './kamailio-reload';
import type { Logger } from './log';
import type { EdgeLine } from './line-sync';

/** The parts of the Kamailio JSON-RPC client the ACL needs (a fake in unit tests). */
export type AclRpc = Pick<KamailioRpc, 'addressReload' | 'addressDump' | 'subnetDump'>;

/** Renders address.list for these lines (renderAddressList; tests write what Kamailio skips). */
export type RenderAddressList = (lines: { slug: string; acl: string[] }[], ids: LineIds) => string;

/**
 * Keeps Kamailio's address file (permissions) in step with the lines' ACLs: renders address.list
 * with the persisted line ids, writes it atomically, reloads permissions over JSON-RPC and proves
 * the reload with addressDump/subnetDump. On any mismatch or reload error the previous file is
 * put back and reloaded. Reloads never touch dialogs in flight.
 * @example
 * const acl = createAclSync({ renderDir: '/etc/kamailio/sipbridge', rpc, reload, log });
 * await acl.apply(lines, ids, false); // { count: 2, reloaded: true }
 * acl.entryFor('demo', '10.1.200.7'); // '10.1.0.0/16'
 */
export function createAclSync(options: {
  renderDir: string;
  rpc: AclRpc;
  /** Waits out permissions' reload_delta. */
  reload: Reload;
  log: Logger;
  render?: RenderAddressList;
}) {
  const { renderDir, rpc, log } = options;
  const render =
    options.render ?? ((lines, ids) => renderAddressList(lines, ids, 'the Worker edge config'));
  const addressFile = join(renderDir, 'address.list');
  const reload = () => options.reload(() => rpc.addressReload());
  /** The networks Kamailio has loaded, per line, most specific first. */
  let loadedAcl = new Map<string, Cidr[]>();

  async function loaded(): Promise<Row[]> {
    const [addresses, subnets] = await Promise.all([rpc.addressDump(), rpc.subnetDump()]);
    return [
      ...addresses.map((a) => ({ ...a, mask: a.ip.includes(':') ? 128 : 32 })),
      ...subnets,
    ].map((r) => ({ ...r, tag: r.tag ?? '', ip: canonicalIp(r.ip, r.mask) }));
  }

  async function writeAddressList(content: string) {
    await writeFilesAtomic(renderDir, [{ name: 'address.list', content, mode: 0o644 }]);
  }

  return {
    /**
     * Writes, reloads and proves; `reloaded` is false when the file already said the same
     * (`force` reloads and proves even then). `count` is the entries Kamailio holds.
     */
    async apply(
      lines: EdgeLine[],
      ids: LineIds,
      force: boolean,
    ): Promise<{ count: number; reloaded: boolean }> {
      const content = render(lines, ids);
      const expected = parseAddressList(content)
        .map((r) => ({ ...r, ip: canonicalIp(r.ip, r.mask) }))
        .map(rowKey)
        .sort();
      const previous = await readFile(addressFile, 'utf8');
      const reloading = force || previous !== content;
      if (reloading) {
        await writeAddressList(content);
        try {
          await reload();
          const got = (await loaded()).map(rowKey).sort();
          if (got.join('\n') !== expected.join('\n')) {
            const missing = expected.filter((k) => !got.includes(k));
            const extra = got.filter((k) => !expected.includes(k));
            throw new SyncError(
              `Kamailio loaded ${got.length} of ${expected.length} entries` +
                (missing.length ? `; missing: ${missing.join(', ')}` : '') +
                (extra.length ? `; unexpected: ${extra.join(', ')}` : ''),
              true,
            );
          }
        } catch (err) {
          await writeAddressList(previous);
          try {
            await reload();
          } catch (restoreErr) {
            log('error', 'acl.restore_reload_failed', { error: (restoreErr as Error).message });
          }
          throw err;
        }
      }
      loadedAcl = new Map(
        lines.map((line) => [
          line.slug,
          line.acl
            .map((text) => parseCidr(text))
            .flatMap((r) => (r.ok ? [r.cidr] : []))
            .sort((a, b) => b.prefix - a.prefix),
        ]),
      );
      return { count: expected.length, reloaded: reloading };
    },

    /**
     * The ACL entry that admitted `ip` on `line` (the most specific), for the call record:
     * Kamailio's permissions module tells the group, not the network.
     */
    entryFor(line: string, ip: string): string | null {
      return loadedAcl.get(line)?.find((cidr) => cidrContains(cidr, ip))?.text ?? null;
    },
  };
}
