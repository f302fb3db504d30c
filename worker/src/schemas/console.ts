// What the admin console inside Zendesk may send: the admin API's own line schemas, less what
// would put a secret in the browser (a webhook's signing secret is answered once, on creation).
import { z } from '@hono/zod-openapi';
import { LineCreateSchema, LinePatchSchema, LineSchema } from './lines';

export const ConsoleLineCreateSchema = LineCreateSchema.omit({ webhook: true }).openapi(
  'ConsoleLineCreate',
);

export const ConsoleLinePatchSchema = LinePatchSchema.omit({ webhook: true }).openapi(
  'ConsoleLinePatch',
);

export const ConsoleLineAnswerSchema = z.object({ line: LineSchema });

export type ConsoleLineCreate = z.infer<typeof ConsoleLineCreateSchema>;
export type ConsoleLinePatch = z.infer<typeof ConsoleLinePatchSchema>;
