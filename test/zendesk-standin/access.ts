// Who may see which ticket: the roles and the group restriction of Zendesk agents.
import type { StoredTicket, StoredUser } from './store';

/**
 * Whether Zendesk lets `user` read `ticket` through `/api/v2/tickets`: admins and unrestricted
 * agents see every ticket, group-restricted agents only their groups' tickets, end-users none
 * (they read their own requests through the Requests API, which the stand-in does not serve).
 */
export function canSeeTicket(user: StoredUser, ticket: StoredTicket): boolean {
  if (user.role === 'admin') return true;
  if (user.role !== 'agent') return false;
  if (user.ticket_restriction === 'groups') {
    return ticket.group_id !== null && user.group_ids.includes(ticket.group_id);
  }
  return true;
}
