/**
 * Zendesk ticket ids are JSON numbers, so one above Number.MAX_SAFE_INTEGER (2^53 - 1) cannot be
 * a ticket any Zendesk JSON client handles exactly: it is refused, never rounded.
 */
export type TicketIdResult = { ok: true; id: number } | { ok: false; reason: 'not_a_zendesk_id' };

/**
 * A ticket id as text (X-Zendesk-Ticket-Id, as the edge validates it): 1-19 digits. Only
 * parseTicketId() tells whether such digits can be a Zendesk ticket.
 */
export const TICKET_ID_PATTERN = /^[0-9]{1,19}$/;

/**
 * The one place a ticket id in text (X-Zendesk-Ticket-Id, a path) becomes a number: exact or refused.
 * @example parseTicketId('1001') // { ok: true, id: 1001 }
 * @example parseTicketId('9007199254740993') // { ok: false, reason: 'not_a_zendesk_id' }
 */
export function parseTicketId(text: string): TicketIdResult {
  if (!TICKET_ID_PATTERN.test(text)) return { ok: false, reason: 'not_a_zendesk_id' };
  const id = Number(text);
  // Exact: the number prints back as the digits given (leading zeros aside).
  if (id <= 0 || !Number.isSafeInteger(id) || String(id) !== text.replace(/^0+/, '')) {
    return { ok: false, reason: 'not_a_zendesk_id' };
  }
  return { ok: true, id };
}
