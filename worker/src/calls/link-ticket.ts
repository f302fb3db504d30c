import { parseTicketId } from '@sip-bridge/contract/ticket-id';
import { checkPassedTicket, type TicketCheckDeps } from './ticket-checks';

export type TicketCheck =
  | { status: 'valid'; ticketId: number; requesterId: number | null }
  | { status: 'not_found' }
  | { status: 'closed'; ticketId: number };

/**
 * Checks the ticket id the caller passed in X-Zendesk-Ticket-Id: it must exist and not be closed.
 * Known tickets and cached verdicts cost no request; the rest share a `show_many` (ticket-checks.ts).
 * Zendesk errors propagate, so the caller can fail open.
 */
export async function verifyPassedTicket(
  deps: TicketCheckDeps,
  passed: string,
  deadline: number,
): Promise<TicketCheck> {
  const parsed = parseTicketId(passed);
  // Ids beyond 2^53 cannot be Zendesk tickets; decideCall refuses them before asking.
  if (!parsed.ok) return { status: 'not_found' };
  return checkPassedTicket(deps, parsed.id, deadline);
}
