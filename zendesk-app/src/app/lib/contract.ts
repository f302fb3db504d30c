// The one module the app takes the Worker's call-record schema from. Only the build and the tests
// load it: the bundle gets the schema as JSON Schema (scripts/ticketCallsSchema.ts), never zod
// itself, which would cost at least 5 KB gzipped (see docs/contributing.md).
import { z } from 'zod';
import { CallRecordSchema, type CallRecord } from '@sip-bridge/contract/calls';
import {
  CallerHistorySchema,
  type CallerHistory,
  type CallerHistoryEntry,
} from '@sip-bridge/contract/call-history';

export { CallRecordSchema, type CallRecord };
/** What `GET /v1/tickets/{ticket_id}/calls/{call_id}/history` answers (worker/src/routes/caller-history.ts). */
export { CallerHistorySchema, type CallerHistory, type CallerHistoryEntry };

/** What `GET /v1/tickets/{ticket_id}/calls` answers (worker/src/routes/tickets.ts). */
export const TicketCallsSchema = z.object({
  ticket_id: z.number().int(),
  calls: z.array(CallRecordSchema),
});
export type TicketCalls = z.infer<typeof TicketCallsSchema>;
