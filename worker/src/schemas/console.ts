// What the admin console inside Zendesk may send: the admin API's own line schemas, less what
// would put a secret in the browser (a webhook's signing secret is answered once, on creation).
import { z } from '@hono/zod-openapi';
import { LineEdgeStatusSchema } from '@sip-bridge/contract/edge-applied';
import { LineCreateObject, LinePatchObject, LineSchema, secureTargetsRefinement } from './lines';

// Omitted from the plain objects (zod refuses .omit() once refinements are attached), then the
// same checks across fields as the admin API's.
export const ConsoleLineCreateSchema = LineCreateObject.omit({ webhook: true })
  .strict()
  .superRefine(secureTargetsRefinement)
  .openapi('ConsoleLineCreate');

export const ConsoleLinePatchSchema = LinePatchObject.omit({ webhook: true })
  .strict()
  .superRefine(secureTargetsRefinement)
  .openapi('ConsoleLinePatch');

/** A line as the console sees it: the admin API's, and whether the edge enforces it as it is. */
export const ConsoleLineSchema = LineSchema.extend({
  edge: LineEdgeStatusSchema.openapi({
    description:
      '`applied` (since `applied_at`): the edge enforces the line as it stands; `waiting`: it ' +
      'changed since the edge last applied a config (`edge_applied_at`); `no_edge`: no edge has ' +
      'reported applying a config yet',
  }),
}).openapi('ConsoleLine');

export const ConsoleLineAnswerSchema = z.object({ line: ConsoleLineSchema });

export type ConsoleLineCreate = z.infer<typeof ConsoleLineCreateSchema>;
export type ConsoleLinePatch = z.infer<typeof ConsoleLinePatchSchema>;
