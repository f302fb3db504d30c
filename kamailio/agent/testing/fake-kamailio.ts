// Kamailio as the agent's line and ACL sync sees it over JSON-RPC, for unit tests: permissions
// (address.list), dispatcher (dispatcher.list), the linecps, lineroute, linerules, blocked,
// callerauth and linemedia htables, core.uptime.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KamailioRpcError } from 'kamailio-jsonrpc';
import { parseAddressList } from '../edge-config';
import type { EdgeConfigSyncRpc } from '../edge-config-sync';

/**
 * Kamailio's permissions, dispatcher and htable modules as far as the sync sees them: loads the
 * files, skips bad lines. `file` is the address.list in the render directory.
 */
export function fakeKamailio(file: string) {
  let rows: ReturnType<typeof parseAddressList> = [];
  let lastReload = 0;
  const state = {
    reloads: 0,
    delta: 0,
    failNext: false,
    dispatcherReloads: 0,
    /** core.uptime's up_since: change it to play a Kamailio restart. */
    upSince: 'Sat Nov 21 09:00:00 2026',
    /** dispatcher.reload answers "Ongoing reload" this many times first. */
    dispatcherBusy: 0,
    targets: [] as { set: number; uri: string }[],
    linecps: {} as Record<string, string | number>,
    lineroute: {} as Record<string, string | number>,
    linerules: {} as Record<string, string | number>,
    /** The blocked htable as last reloaded from the db_text table file. */
    blocked: [] as string[],
    /** The callerauth htable as last reloaded from its db_text table file. */
    callerauth: {} as Record<string, string>,
    /** The linemedia htable as last reloaded from its db_text table file. */
    linemedia: {} as Record<string, string>,
    /** htable.reload of linemedia loads nothing this many times (a table Kamailio skipped). */
    linemediaSkips: 0,
  };
  const readTable = (name: string) =>
    Object.fromEntries(
      readFileSync(join(file, '..', name), 'utf8')
        .split('\n')
        .slice(1)
        .filter((l) => l)
        .map((l) => l.split(':'))
        .map(([key, , , value]) => [key!, value!]),
    );
  const rpc: EdgeConfigSyncRpc = {
    async coreUptime() {
      return { now: 'now', up_since: state.upSince, uptime: 1 };
    },
    async call(method: string, params?: unknown[]) {
      if (method === 'dispatcher.reload') {
        if (state.dispatcherBusy > 0) {
          state.dispatcherBusy--;
          throw new KamailioRpcError(method, 500, 'Ongoing reload');
        }
        state.dispatcherReloads++;
        state.targets = readFileSync(join(file, '..', 'dispatcher.list'), 'utf8')
          .split('\n')
          .filter((l) => l && !l.startsWith('#'))
          .map((l) => l.split(' '))
          .map(([set, uri]) => ({ set: Number(set), uri: uri! }));
        return {};
      }
      if (method === 'dispatcher.list') {
        const sets = [...new Set(state.targets.map((t) => t.set))];
        return {
          NRSETS: sets.length,
          RECORDS: sets.map((id) => ({
            SET: {
              ID: id,
              TARGETS: state.targets
                .filter((t) => t.set === id)
                .map((t) => ({ DEST: { URI: t.uri, FLAGS: 'AP', PRIORITY: 10 } })),
            },
          })),
        };
      }
      if (method === 'htable.reload' && params?.[0] === 'callerauth') {
        state.callerauth = readTable('callerauth');
        return {};
      }
      if (method === 'htable.reload' && params?.[0] === 'linemedia') {
        if (state.linemediaSkips > 0) {
          state.linemediaSkips--;
          state.linemedia = {};
          return {};
        }
        state.linemedia = readTable('linemedia');
        return {};
      }
      if (method === 'htable.reload') {
        state.blocked = readFileSync(join(file, '..', 'blocked'), 'utf8')
          .split('\n')
          .slice(1)
          .filter((l) => l)
          .map((l) => l.split(':')[0]!);
        return {};
      }
      throw new Error(`unexpected ${method}`);
    },
    async htableDump(table: string) {
      if (table === 'callerauth' || table === 'linemedia') {
        return Object.entries(state[table]).map(([name, value]) => ({
          name,
          value,
          type: 'str' as const,
        }));
      }
      if (table !== 'blocked') throw new Error(`unexpected table ${table}`);
      return state.blocked.map((name) => ({ name, value: 1, type: 'int' as const }));
    },
    async htableSet(table: string, key: string, value: string | number) {
      if (table === 'lineroute' || table === 'linerules') {
        state[table][key] = value;
        return;
      }
      if (table !== 'linecps') throw new Error(`unexpected table ${table}`);
      state.linecps[key] = value;
    },
    async addressReload() {
      if (state.failNext) {
        state.failNext = false;
        throw new Error('connection refused');
      }
      if (Date.now() - lastReload < state.delta) {
        throw new KamailioRpcError('permissions.addressReload', 500, 'ongoing reload');
      }
      lastReload = Date.now();
      state.reloads++;
      rows = parseAddressList(readFileSync(file, 'utf8')).filter(
        (r) => Number.isInteger(r.group) && Number.isInteger(r.mask) && /^[\d.:a-f]+$/.test(r.ip),
      );
    },
    async addressDump() {
      return rows
        .filter((r) => r.mask === 32 || r.mask === 128)
        .map(({ group, ip, port, tag }) => ({ group, ip, port, tag }));
    },
    async subnetDump() {
      return rows.filter((r) => r.mask !== 32 && r.mask !== 128);
    },
  };
  return { rpc, state, rows: () => rows };
}
