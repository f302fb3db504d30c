import type { ZendeskClient } from '../zendesk/client';
import { parseTicketId } from '@sip-bridge/contract/ticket-id';

export type TicketCheck =
  | { status: 'valid'; ticketId: number; requesterId: number | null }
  | { status: 'not_found' }
  | { status: 'closed'; ticketId: number };

/**
 * Checks the ticket id the caller passed in X-Zendesk-Ticket-Id: it must exist and not be closed.
 * Zendesk errors propagate, so the caller can fail open.
 */
export async function verifyPassedTicket(
  zendesk: ZendeskClient,
  passed: string,
  deadline: number,
): Promise<TicketCheck> {
  const parsed = parseTicketId(passed);
  // Ids beyond 2^53 cannot be Zendesk tickets; decideCall refuses them before asking.
  if (!parsed.ok) return { status: 'not_found' };
  const id = parsed.id;
  const ticket = await zendesk.showTicket(id, { deadline });
  if (!ticket) return { status: 'not_found' };
  if (ticket.status === 'closed') return { status: 'closed', ticketId: id };
  return { status: 'valid', ticketId: id, requesterId: ticket.requester_id ?? null };
}
