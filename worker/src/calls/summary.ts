import { displayNumber } from '../phone/display';
import type { BatchTicketUpdate } from '../zendesk/client';
import { formatUsd } from './cost';
import type { CallRow } from './record';

function duration(seconds: number | null): string {
  if (seconds === null) return 'not answered';
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m ? `${m} min ${s} s` : `${s} s`;
}

/** The private note an agent reads on the ticket after the call. */
export function summaryText(call: CallRow): string {
  const outcome =
    call.status === 'completed'
      ? `answered, talked ${duration(call.duration_s)}${call.ended_by ? `, ended by the ${call.ended_by}` : ''}`
      : call.status === 'cancelled'
        ? 'cancelled by the caller before it was answered'
        : `failed with SIP ${call.final_code ?? '?'} ${call.final_reason ?? ''}`.trim();
  return [
    `SIP call ${outcome}.`,
    `Caller: ${displayNumber(call.caller_e164) ?? call.from_uri}`,
    `Line: ${call.line_slug}, from ${call.source_ip}${call.acl_entry ? ` (ACL ${call.acl_entry})` : ''}`,
    `Received ${call.received_at}${call.answered_at ? `, answered ${call.answered_at}` : ''}${
      call.ended_at ? `, ended ${call.ended_at}` : ''
    }`,
    `Cost: $${formatUsd(call.cost_micros ?? 0)}`,
    `Call-ID: ${call.call_id}`,
  ].join('\n');
}

/**
 * The call's summary as one item of an Update Many batch (see note-batches.ts): a private note,
 * or a voice comment when the line asks for one. Both carry the Call-ID, by which a summary that
 * may have been posted is found again.
 */
export function summaryBatchItem(
  call: CallRow & { ticket_id: number },
  kind: string | null,
): BatchTicketUpdate {
  if (kind === 'voice_comment') {
    // UNCONFIRMED: that a batch item takes `voice_comment` as Update Ticket does (documented for
    // create and update); the stand-in runs each item through its Update Ticket.
    return {
      id: call.ticket_id,
      voice_comment: {
        from: call.caller_e164 ?? call.from_uri,
        to: call.to_uri,
        started_at: call.answered_at ?? call.received_at,
        call_duration: call.duration_s ?? 0,
        location: `SIP line ${call.line_slug}`,
        transcription_text: summaryText(call),
      },
    };
  }
  return { id: call.ticket_id, comment: { body: summaryText(call), public: false } };
}
