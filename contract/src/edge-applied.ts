// The edge's report that it applied a config (docs/edge-protocol.md, "Applied report"), and what
// the console's line API makes of it per line. The agent sends the report only after the config
// is in Kamailio (files written, reloaded and proved); the Worker compares each line's part of the
// applied config with the line as it stands now.
import { z } from 'zod';
import { IsoTimeSchema } from './identifiers';

/** An ETag as the Worker sends it with `GET /v1/edge/config`: a strong one, in quotes. */
export const EDGE_CONFIG_ETAG = /^"[0-9a-f]{32}"$/;

/** `POST /v1/edge/config/applied`: the config (by its ETag) the edge now enforces, and since when. */
export const EdgeConfigAppliedSchema = z
  .object({
    etag: z
      .string()
      .regex(EDGE_CONFIG_ETAG, 'must be the ETag of GET /v1/edge/config, quotes included')
      .meta({ example: '"5f2b8c0e9a7d4e1f3b6a2c8d0e4f7a1b"' }),
    applied_at: IsoTimeSchema.meta({
      description: 'When Kamailio had it (after the last reload was proved), by the edge clock',
    }),
  })
  .strict()
  .meta({ id: 'EdgeConfigApplied' });

/** The Worker's answer: `recorded` is false for a report older than one already recorded. */
export const EdgeConfigAppliedResultSchema = z
  .object({ recorded: z.boolean() })
  .meta({ id: 'EdgeConfigAppliedResult' });

/** The states of a line at the edge, as the console shows them. */
export const LINE_EDGE_STATES = ['applied', 'waiting', 'no_edge'] as const;

/**
 * Whether the edge enforces a line as it stands: `applied` (since `applied_at`), `waiting` (the
 * line changed since; `edge_applied_at` is the edge's last report), or `no_edge` (no edge has
 * reported a config yet). A change the edge does not need (a name, the ticket policy) leaves a
 * line `applied`; a disabled line is applied once the edge no longer holds it.
 */
export const LineEdgeStatusSchema = z
  .discriminatedUnion('state', [
    z.object({ state: z.literal('applied'), applied_at: IsoTimeSchema }),
    z.object({ state: z.literal('waiting'), edge_applied_at: IsoTimeSchema }),
    z.object({ state: z.literal('no_edge') }),
  ])
  .meta({ id: 'LineEdgeStatus' });

export type EdgeConfigApplied = z.infer<typeof EdgeConfigAppliedSchema>;
export type LineEdgeStatus = z.infer<typeof LineEdgeStatusSchema>;
