import ticketCallsSchema from 'virtual:ticket-calls-schema';
import { schemaIssue } from './jsonSchema';
import type { CallRecord, TicketCalls } from './types';

/**
 * Checks `GET /v1/tickets/{id}/calls` against the call-record schema before rendering it (it
 * crossed a network). Returns undefined, and says where in the console, when it is not what the
 * bridge sends.
 */
export function parseTicketCalls(body: unknown): TicketCalls | undefined {
  const issue = schemaIssue(ticketCallsSchema, body);
  if (issue === undefined) return body as TicketCalls;
  console.warn(`The bridge's answer is not a list of call records: ${issue}`);
  return undefined;
}

/** A call still in progress is re-polled until it ends. */
export const isInProgress = (call: CallRecord) =>
  call.status === 'ringing' || call.status === 'answered';
