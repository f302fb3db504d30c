import type { CallRecord, TicketCalls } from './types';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function looksLikeCall(v: unknown): v is CallRecord {
  if (!isObject(v)) return false;
  const { call_id, status, caller, timeline, sip, source, decision, ticket, final, cost } = v;
  return (
    typeof call_id === 'string' &&
    typeof status === 'string' &&
    [caller, timeline, sip, source, decision, ticket, final, cost].every(isObject) &&
    Array.isArray((caller as Record<string, unknown>).candidates)
  );
}

/**
 * Checks the shape of `GET /v1/tickets/{id}/calls` before rendering it (it crossed a network).
 * Returns undefined when the body is not what the bridge sends.
 */
export function parseTicketCalls(body: unknown): TicketCalls | undefined {
  if (!isObject(body) || !Array.isArray(body.calls) || !body.calls.every(looksLikeCall)) {
    return undefined;
  }
  return { ticket_id: Number(body.ticket_id), calls: body.calls.map(withRequesterMismatch) };
}

/** `ticket.requester_mismatch` as true, false or null; older APIs omit it, anything else is null. */
function withRequesterMismatch(call: CallRecord): CallRecord {
  const flag: unknown = call.ticket.requester_mismatch;
  if (flag === undefined || flag === null || typeof flag === 'boolean') return call;
  return { ...call, ticket: { ...call.ticket, requester_mismatch: null } };
}

/** A call still in progress is re-polled until it ends. */
export const isInProgress = (call: CallRecord) =>
  call.status === 'ringing' || call.status === 'answered';
