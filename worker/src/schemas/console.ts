// What the admin console inside Zendesk may send: the admin API's own line schemas, less what
// would put a secret in the browser (a webhook's signing secret is answered once, on creation).
import { z } from '@hono/zod-openapi';
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

export const ConsoleLineAnswerSchema = z.object({ line: LineSchema });

export type ConsoleLineCreate = z.infer<typeof ConsoleLineCreateSchema>;
export type ConsoleLinePatch = z.infer<typeof ConsoleLinePatchSchema>;
