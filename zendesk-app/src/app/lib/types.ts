// The app renders the Worker's own record type, so an API change breaks the build, not the agent.
export type { CallRecord } from '@sip-bridge/contract/calls';
import type { CallRecord } from '@sip-bridge/contract/calls';

export type Candidate = CallRecord['caller']['candidates'][number];
export type CallStatus = CallRecord['status'];

/** What the calls endpoint answers: `GET /v1/tickets/{ticket_id}/calls`. */
export interface TicketCalls {
  ticket_id: number;
  calls: CallRecord[];
}
