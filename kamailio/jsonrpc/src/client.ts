import { z } from 'zod';
import {
  ackResult,
  activeDialogsResult,
  addressDumpResult,
  cfgValueResult,
  dialogsResult,
  htableDumpResult,
  htableItemResult,
  htableOkResult,
  queueSizeResult,
  reloadResult,
  shmemResult,
  statsResult,
  subnetDumpResult,
  uptimeResult,
  versionResult,
  type ActiveDialogs,
  type AddressEntry,
  type CoreUptime,
  type Dialog,
  type HtableEntry,
  type HtableItem,
  type SharedMemory,
  type SubnetEntry,
} from './results';
import { createTransport, type TransportOptions } from './transport';

export type KamailioRpcOptions = TransportOptions;

export interface KamailioRpc {
  /** `core.version`, e.g. `kamailio 5.6.3 (x86_64/linux)`. */
  coreVersion(): Promise<string>;
  /** `core.uptime`: `now` and `up_since` are Kamailio's local time texts, `uptime` seconds. */
  coreUptime(): Promise<CoreUptime>;
  /** `core.shmmem`: shared memory in bytes (`total`, `free`, `used`, `real_used`, `max_used`). */
  coreShmem(): Promise<SharedMemory>;
  /**
   * `stats.fetchn`: numeric statistics keyed `group.name`. `group` is a group (`dialog`,
   * `shmem`), one statistic (`dialog:active_dialogs`) or `all` (default). A group or statistic
   * Kamailio does not know fails with KamailioRpcResponseError (Kamailio answers nothing).
   */
  stats(group?: string): Promise<Record<string, number>>;
  /** `dlg.list`: every dialog the proxy tracks, with its dialog variables. */
  dialogs(): Promise<Dialog[]>;
  /** `dlg.stats_active`: dialogs per state. */
  activeDialogs(): Promise<ActiveDialogs>;
  /** `dlg.end_dlg`: BYE to both sides of the dialog with this hash entry and id (from dialogs()). */
  endDialog(hEntry: number, hId: number): Promise<void>;
  /** `dlg.terminate_dlg`: the same, naming the dialog by Call-ID and tags (of a confirmed one). */
  endDialogByCallId(callId: string, fromTag: string, toTag: string): Promise<void>;
  /**
   * `permissions.addressReload`: reread the address file. Kamailio skips malformed lines and still
   * says OK: compare addressDump()/subnetDump() with what you wrote.
   */
  addressReload(): Promise<void>;
  /** `permissions.addressDump`: single addresses (IPv4 /32, IPv6 /128) of the address file. */
  addressDump(): Promise<AddressEntry[]>;
  /** `permissions.subnetDump`: networks (IPv4 and IPv6) of the address file. */
  subnetDump(): Promise<SubnetEntry[]>;
  /** `htable.get`: a missing key or table fails with KamailioRpcError (code 500). */
  htableGet(table: string, key: string): Promise<HtableItem>;
  /** `htable.seti` for an integer (32-bit), `htable.sets` for a string. */
  htableSet(table: string, key: string, value: string | number): Promise<void>;
  /** `htable.dump`: every item of the table, in hash order. */
  htableDump(table: string): Promise<HtableEntry[]>;
  /** `htable.flush`: removes every item of the table; an unknown table fails (code 500). */
  htableFlush(table: string): Promise<void>;
  /** `cfg.get` (needs the cfg_rpc module): a runtime configuration value, e.g. `core`/`debug`. */
  cfgGet(group: string, name: string): Promise<string | number>;
  /** `cfg.seti` for an integer, `cfg.sets` for a string (needs the cfg_rpc module). */
  cfgSet(group: string, name: string, value: string | number): Promise<void>;
  /** `mqueue.get_size`: items waiting in a memory queue; an unknown queue fails (code 404). */
  queueSize(name: string): Promise<number>;
  /** Any other method, untyped (e.g. `htable.flush`): the result as Kamailio sent it. */
  call(method: string, params?: readonly unknown[]): Promise<unknown>;
}

/**
 * A typed client for Kamailio's JSON-RPC over HTTP (jsonrpcs with xhttp). Every failure is a
 * KamailioRpcFailure: KamailioRpcError (Kamailio said no), KamailioRpcTimeoutError,
 * KamailioRpcConnectionError or KamailioRpcResponseError (an answer this client cannot trust).
 *
 * @example
 * ```ts
 * const kamailio = createKamailioRpc({ url: 'http://127.0.0.1:5080/RPC', timeoutMs: 2000 });
 * const { uptime } = await kamailio.coreUptime();
 * const active = (await kamailio.stats('dialog'))['dialog.active_dialogs'];
 * for (const d of await kamailio.dialogs()) await kamailio.endDialog(d.hEntry, d.hId);
 * ```
 */
export function createKamailioRpc(options: KamailioRpcOptions): KamailioRpc {
  const call = createTransport(options);
  return {
    coreVersion: async () => call('core.version', [], versionResult),
    coreUptime: async () => call('core.uptime', [], uptimeResult),
    coreShmem: async () => call('core.shmmem', [], shmemResult),
    stats: async (group = 'all') => call('stats.fetchn', [statsSelector(group)], statsResult),
    dialogs: async () => call('dlg.list', [], dialogsResult),
    activeDialogs: async () => call('dlg.stats_active', [], activeDialogsResult),
    endDialog: async (hEntry, hId) =>
      call('dlg.end_dlg', [integer('hEntry', hEntry), integer('hId', hId)], ackResult, 'ack'),
    endDialogByCallId: async (callId, fromTag, toTag) =>
      call(
        'dlg.terminate_dlg',
        [text('callId', callId), text('fromTag', fromTag), text('toTag', toTag)],
        ackResult,
        'ack',
      ),
    addressReload: async () => call('permissions.addressReload', [], reloadResult),
    addressDump: async () => call('permissions.addressDump', [], addressDumpResult, 'ack'),
    subnetDump: async () => call('permissions.subnetDump', [], subnetDumpResult, 'ack'),
    htableGet: async (table, key) =>
      call('htable.get', [text('table', table), text('key', key)], htableItemResult),
    htableSet: async (table, key, value) =>
      typeof value === 'number'
        ? call(
            'htable.seti',
            [text('table', table), text('key', key), int32(value)],
            htableOkResult,
          )
        : call('htable.sets', [text('table', table), text('key', key), value], htableOkResult),
    htableDump: async (table) =>
      call('htable.dump', [text('table', table)], htableDumpResult, 'ack'),
    htableFlush: async (table) => call('htable.flush', [text('table', table)], htableOkResult),
    cfgGet: async (group, name) =>
      call('cfg.get', [text('group', group), text('name', name)], cfgValueResult),
    cfgSet: async (group, name, value) =>
      typeof value === 'number'
        ? call(
            'cfg.seti',
            [text('group', group), text('name', name), int32(value)],
            ackResult,
            'ack',
          )
        : call('cfg.sets', [text('group', group), text('name', name), value], ackResult, 'ack'),
    queueSize: async (name) => call('mqueue.get_size', [text('name', name)], queueSizeResult),
    call: async (method, params = []) => call(text('method', method), params, z.unknown(), 'ack'),
  };
}

/** Kamailio reads `dialog` as a statistic name; a whole group needs the trailing colon. */
function statsSelector(group: string): string {
  const name = text('group', group);
  return name === 'all' || name.includes(':') ? name : `${name}:`;
}

function text(field: string, value: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${field} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

function integer(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new TypeError(`${field} must be a non-negative integer, got ${value}`);
  }
  return value;
}

/** Kamailio stores these as C ints and turns anything else into 0 without an error. */
function int32(value: number): number {
  if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
    throw new RangeError(`value must be a 32-bit integer (or pass a string), got ${value}`);
  }
  return value;
}
