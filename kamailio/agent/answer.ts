import { TICKET_ID_PATTERN } from '@sip-bridge/contract/ticket-id';
import { WorkerDecisionSchema, describeIssues } from './schemas';

/** The answer Kamailio reads from POST /v1/decide (docs/edge-protocol.md). */
export interface KamailioAnswer {
  action: 'relay' | 'reject';
  code: number;
  reason: string;
  /** Ready for append_hf(): zero or more `Name: value\r\n` lines. */
  headers: string;
  source: 'worker' | 'fail_open';
  /** On a relay: the E.164 number Kamailio presents as the caller (From, P-Asserted-Identity). */
  caller_user?: string;
  /**
   * On a relay: the line's routing rule whose targets Kamailio relays to (its `linerules` entry
   * names the dispatcher set); absent: the line's own targets.
   */
  rule?: string;
}

export const TICKET_HEADER = 'X-Zendesk-Ticket-Id';
const HEADER_NAME = /^X-[A-Za-z0-9-]{1,64}$/;
// Printable ASCII only: no CR/LF (header injection into Kamailio), no NUL, no control characters.
// 1024 matches the longest value the Worker accepts for any SIP field.
const HEADER_VALUE = /^[\x20-\x7e]{0,1024}$/;
const REASON = /^[\x20-\x7e]{1,100}$/;

/** A header the agent refused to pass to Kamailio, and why (for the log). */
interface DroppedHeader {
  name: string;
  why: 'name' | 'value';
}

/**
 * Relays with only what Kamailio itself validated: used whenever the Worker cannot decide.
 * @example failOpenAnswer('1001') // { action: 'relay', headers: 'X-Zendesk-Ticket-Id: 1001\r\n', … }
 */
export function failOpenAnswer(ticketId: string | null | undefined): KamailioAnswer {
  const headers =
    ticketId && TICKET_ID_PATTERN.test(ticketId) ? `${TICKET_HEADER}: ${ticketId}\r\n` : '';
  return { action: 'relay', code: 0, reason: '', headers, source: 'fail_open' };
}

/** Builds the append_hf() block from the Worker's ordered list, dropping unsafe headers. */
export function headerBlock(headers: ReadonlyArray<{ name: string; value: string }>): {
  block: string;
  dropped: DroppedHeader[];
} {
  const dropped: DroppedHeader[] = [];
  let block = '';
  for (const { name, value } of headers) {
    if (!HEADER_NAME.test(name)) dropped.push({ name: name.slice(0, 80), why: 'name' });
    else if (!HEADER_VALUE.test(value)) dropped.push({ name, why: 'value' });
    else block += `${name}: ${value}\r\n`;
  }
  return { block, dropped };
}

type MappedDecision =
  { ok: true; answer: KamailioAnswer; dropped: DroppedHeader[] } | { ok: false; reason: string };

/**
 * Maps the Worker's Decision to Kamailio's answer; anything Kamailio could not use safely
 * (a reject code outside 400-699, a reason that is not short printable ASCII) is a failure.
 * @example answerFromWorker({ action: 'reject', code: 603, reason: 'Decline', headers: [] })
 */
export function answerFromWorker(body: unknown): MappedDecision {
  const parsed = WorkerDecisionSchema.safeParse(body);
  if (!parsed.success)
    return { ok: false, reason: `invalid decision: ${describeIssues(parsed.error)}` };
  const decision = parsed.data;
  const { block, dropped } = headerBlock(decision.headers);
  if (decision.action === 'relay') {
    return {
      ok: true,
      answer: {
        action: 'relay',
        code: 0,
        reason: '',
        headers: block,
        source: 'worker',
        ...(decision.caller_user ? { caller_user: decision.caller_user } : {}),
        ...(decision.route_rule ? { rule: decision.route_rule.id } : {}),
      },
      dropped,
    };
  }
  const code = decision.code;
  if (code === undefined || code < 400 || code > 699) {
    return { ok: false, reason: `invalid decision: reject code ${String(code)} is not 400-699` };
  }
  if (decision.reason === undefined || !REASON.test(decision.reason)) {
    return { ok: false, reason: 'invalid decision: reject reason is not 1-100 printable ASCII' };
  }
  return {
    ok: true,
    answer: { action: 'reject', code, reason: decision.reason, headers: block, source: 'worker' },
    dropped,
  };
}
