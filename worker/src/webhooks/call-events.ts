// The webhook events the Worker learns of: a decision (call.received or call.rejected) and the
// edge's lifecycle events (call.answered, call.ended), each queued with the write that records it.
import type { CallFacts, Decision } from '@sip-bridge/contract/edge';
import { enqueueWebhookEvent, webhookEvent } from './outbox';

type CallerKind = 'e164' | 'withheld' | 'invalid';

/** The statement queuing the decision's event: call.rejected for a reject, else call.received. */
export function decisionWebhook(
  db: D1Database,
  facts: Pick<CallFacts, 'call_id' | 'line' | 'source' | 'received_at'>,
  decision: Decision,
  callerKind: CallerKind,
  nowMs: number,
): D1PreparedStatement {
  const iso = new Date(nowMs).toISOString();
  const rejected = decision.action === 'reject';
  const event = webhookEvent(
    rejected ? 'call.rejected' : 'call.received',
    facts.line,
    {
      call_id: facts.call_id,
      caller: { e164: decision.call.caller_e164, withheld: callerKind === 'withheld' },
      status: rejected ? 'rejected' : 'ringing',
      ticket_id: decision.call.ticket_id,
      received_at: facts.received_at ?? iso,
      reject: rejected ? { code: decision.code ?? 0, reason: decision.reason ?? '' } : null,
    },
    iso,
  );
  return enqueueWebhookEvent(db, event, {
    decision: rejected ? 'reject' : 'relay',
    sourceIp: facts.source.ip,
  });
}

/** A relayed call's record after its lifecycle events, as events.ts computed it. */
export interface RecordedCall {
  callId: string;
  line: string;
  callerE164: string | null;
  callerKind: CallerKind;
  ticketId: number | null;
  receivedAt: string;
  timeline: {
    status: string;
    terminal: boolean;
    answeredAt: string | null;
    endedAt: string | null;
    durationS: number | null;
    finalCode: number | null;
    finalReason: string | null;
    finalCause: string | null;
  };
}

/**
 * The statements queuing call.answered (once it was answered) and call.ended (once it ended, as
 * completed, failed or cancelled) for a relayed call; each is queued once, however often the
 * edge sends its events.
 */
export function lifecycleWebhooks(
  db: D1Database,
  call: RecordedCall,
  nowMs: number,
): D1PreparedStatement[] {
  const iso = new Date(nowMs).toISOString();
  const t = call.timeline;
  const base = {
    call_id: call.callId,
    caller: { e164: call.callerE164, withheld: call.callerKind === 'withheld' },
    ticket_id: call.ticketId,
    received_at: call.receivedAt,
    answered_at: t.answeredAt,
  };
  const events = [
    ...(t.answeredAt
      ? [webhookEvent('call.answered', call.line, { ...base, status: 'answered' }, iso)]
      : []),
    ...(t.terminal
      ? [
          webhookEvent(
            'call.ended',
            call.line,
            {
              ...base,
              status: t.status,
              ended_at: t.endedAt,
              duration_s: t.durationS,
              final: { code: t.finalCode, reason: t.finalReason, cause: t.finalCause },
            },
            iso,
          ),
        ]
      : []),
  ];
  return events.map((e) => enqueueWebhookEvent(db, e, { decision: 'relay' }));
}
