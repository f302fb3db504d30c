// The line targets Kamailio has loaded, as dispatcher.list shows them, with their probing state.
// Line sync proves its reloads with them; /metrics and `sipbridge status` report targets down.

/** One target of a dispatcher set (set id = the line's id in line-ids.json). */
export interface TargetState {
  set: number;
  uri: string;
  /** The line slug from the target's attributes (`line=<slug>`), when it has one. */
  line: string | null;
  /**
   * False when OPTIONS probing marked it inactive (FLAGS `I…`) or it was disabled (`D…`): calls
   * skip it. Active (`A…`) and trying (`T…`, a probe failed, below the threshold) are up.
   */
  up: boolean;
  /** Kamailio's own flags, e.g. `AP` (active, probing), `IP` (inactive, probing). */
  flags: string;
}

/**
 * Reads a dispatcher.list answer (Kamailio 5.6 and 6.0):
 * `{ NRSETS, RECORDS: [{ SET: { ID, TARGETS: [{ DEST: { URI, FLAGS, ATTRS: { BODY } } }] } }] }`.
 * @example parseDispatcherTargets(await rpc.call('dispatcher.list')).filter((t) => !t.up)
 */
export function parseDispatcherTargets(result: unknown): TargetState[] {
  const records = (result as { RECORDS?: unknown } | null)?.RECORDS;
  if (records === undefined) return []; // no set loaded
  if (!Array.isArray(records)) throw new Error('dispatcher.list: RECORDS is not a list');
  return records.flatMap((record: unknown) => {
    const set = (record as { SET?: { ID?: unknown; TARGETS?: unknown } }).SET;
    if (typeof set?.ID !== 'number' || !Array.isArray(set.TARGETS)) {
      throw new Error('dispatcher.list: a record without SET.ID and SET.TARGETS');
    }
    return set.TARGETS.map((t: unknown) => {
      const dest = (t as { DEST?: { URI?: unknown; FLAGS?: unknown; ATTRS?: unknown } }).DEST;
      if (typeof dest?.URI !== 'string')
        throw new Error('dispatcher.list: a target without DEST.URI');
      const flags = typeof dest.FLAGS === 'string' ? dest.FLAGS : '';
      const body = (dest.ATTRS as { BODY?: unknown } | undefined)?.BODY;
      const line =
        typeof body === 'string' ? (/(?:^|;)line=([^;]+)/.exec(body)?.[1] ?? null) : null;
      return { set: set.ID as number, uri: dest.URI, line, up: !/^[ID]/.test(flags), flags };
    });
  });
}
