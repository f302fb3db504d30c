import { z } from 'zod';

// Result shapes of Kamailio 5.6.3 RPC methods, as seen on the running edge (see README).

export const versionResult = z.string().transform((s) => s.trim());

export const uptimeResult = z.object({
  now: z.string(),
  up_since: z.string(),
  uptime: z.number(),
});
export type CoreUptime = z.infer<typeof uptimeResult>;

/** core.shmmem: Kamailio's shared memory, in bytes. */
export const shmemResult = z.object({
  total: z.number(),
  free: z.number(),
  used: z.number(),
  real_used: z.number(),
  max_used: z.number(),
  fragments: z.number(),
});
export type SharedMemory = z.infer<typeof shmemResult>;

/** stats.fetchn: `{ "dialog.active_dialogs": 1, ... }` (stats.fetch would give strings). */
export const statsResult = z.record(z.string(), z.number());

// Before the callee answers (state 1, 2) its leg is all nulls.
const dialogLeg = z.object({
  tag: z.string().nullable(),
  contact: z.string().nullable(),
  cseq: z.string().nullable(),
  route_set: z.string().nullable(),
  socket: z.string().nullable(),
});

/** dlg.list: one entry per dialog; `variables` is a list of one-key objects. */
const rawDialog = z.object({
  h_entry: z.number(),
  h_id: z.number(),
  'call-id': z.string(),
  from_uri: z.string(),
  to_uri: z.string(),
  state: z.number(),
  start_ts: z.number(),
  timeout: z.number(),
  lifetime: z.number(),
  duration: z.number(),
  caller: dialogLeg,
  callee: dialogLeg,
  variables: z.array(z.record(z.string(), z.string())).default([]),
});

/** Dialog states of Kamailio's dialog module (dlg_hash.h). */
export const DIALOG_STATES = {
  1: 'unconfirmed',
  2: 'early',
  3: 'confirmed-no-ack',
  4: 'confirmed',
  5: 'deleted',
} as const;

export const dialogsResult = z.array(rawDialog).transform((list) =>
  list.map((d) => ({
    callId: d['call-id'],
    fromUri: d.from_uri,
    fromTag: d.caller.tag,
    toUri: d.to_uri,
    /** null until the callee answered. */
    toTag: d.callee.tag,
    state: d.state,
    stateName: DIALOG_STATES[d.state as keyof typeof DIALOG_STATES] ?? `state-${d.state}`,
    /** Unix seconds when the call was answered (0 before). */
    startTs: d.start_ts,
    /** Unix seconds when the dialog times out (0 before it is confirmed). */
    timeout: d.timeout,
    lifetime: d.lifetime,
    duration: d.duration,
    hEntry: d.h_entry,
    hId: d.h_id,
    callerContact: d.caller.contact,
    calleeContact: d.callee.contact,
    variables: Object.assign({}, ...d.variables) as Record<string, string>,
  })),
);
export type Dialog = z.infer<typeof dialogsResult>[number];

/** Answered: confirmed (state 4), or confirmed before the caller's ACK (3). */
export function isAnswered(dialog: Pick<Dialog, 'state'>): boolean {
  return dialog.state === 3 || dialog.state === 4;
}

export const activeDialogsResult = z.object({
  starting: z.number(),
  connecting: z.number(),
  answering: z.number(),
  ongoing: z.number(),
  all: z.number(),
});
export type ActiveDialogs = z.infer<typeof activeDialogsResult>;

/** `mqueue.get_size`: `{ name, size }`; the client gives the size. */
export const queueSizeResult = z
  .object({ name: z.string(), size: z.number().int().min(0) })
  .transform((q) => q.size);

/** `{}` on success (dlg.end_dlg, dlg.terminate_dlg, cfg.seti, cfg.sets) or a status text. */
export const ackResult = z.union([z.object({}), z.string()]).transform(() => undefined);

export const reloadResult = z.literal('Reload OK').transform(() => undefined);

const tag = z
  .string()
  .nullish()
  .transform((t) => t ?? null);

export const addressDumpResult = z
  .array(
    z.object({
      group: z.number(),
      item: z.object({ ip: z.string(), port: z.number(), tag }),
    }),
  )
  .transform((rows) => rows.map((r) => ({ group: r.group, ...r.item })));
export type AddressEntry = z.infer<typeof addressDumpResult>[number];

export const subnetDumpResult = z
  .array(
    z.object({
      group: z.number(),
      item: z.object({ ip: z.string(), mask: z.number(), port: z.number(), tag }),
    }),
  )
  .transform((rows) => rows.map((r) => ({ group: r.group, ...r.item })));
export type SubnetEntry = z.infer<typeof subnetDumpResult>[number];

export const htableItemResult = z
  .object({
    item: z.object({
      name: z.string(),
      value: z.union([z.string(), z.number()]),
      /** `NEVER`, or seconds left. */
      expire: z.union([z.string(), z.number()]),
    }),
  })
  .transform((r) => r.item);
export type HtableItem = z.infer<typeof htableItemResult>;

/** htable.seti, htable.sets, htable.flush: a status text (`Ok. Htable flushed.`). */
export const htableOkResult = z.string().transform(() => undefined);

/** htable.dump: hash slots with their items; flattened to one list of items. */
export const htableDumpResult = z
  .array(
    z.object({
      entry: z.number(),
      slot: z.array(
        z.object({
          name: z.string(),
          value: z.union([z.string(), z.number()]),
          type: z.enum(['int', 'str']),
        }),
      ),
    }),
  )
  .transform((slots) => slots.flatMap((s) => s.slot));
export type HtableEntry = z.infer<typeof htableDumpResult>[number];

export const cfgValueResult = z.union([z.string(), z.number()]);
