// Call events for a line's webhook, queued in webhook_outbox by the same D1 batch as the call
// change that caused them, so none is lost between the record and the delivery.
import type { WebhookEvent, WebhookEventType } from '@sip-bridge/contract/webhooks';

/** What an event says about its call (see WebhookEventSchema). */
export type WebhookCall = WebhookEvent['call'];

/** The facts every event has; the rest default to null. */
export type WebhookCallFacts = Pick<WebhookCall, 'call_id' | 'caller' | 'status' | 'received_at'> &
  Partial<Omit<WebhookCall, 'call_id' | 'caller' | 'status' | 'received_at'>>;

/** A new event with its id (`evt_` + 32 hex), fixed from here on: every attempt sends this body. */
export function webhookEvent(
  type: WebhookEventType,
  line: string,
  facts: WebhookCallFacts,
  createdAt: string,
): WebhookEvent {
  return {
    id: `evt_${crypto.randomUUID().replaceAll('-', '')}`,
    type,
    created_at: createdAt,
    line,
    call: {
      ticket_id: null,
      answered_at: null,
      ended_at: null,
      duration_s: null,
      final: null,
      reject: null,
      ...facts,
    },
  };
}

/** Which call record the event belongs to: queued only while it is in this state. */
export interface CallGuard {
  decision: 'relay' | 'reject';
  /** The INVITE's source address, so a reused Call-ID from elsewhere queues nothing. */
  sourceIp?: string;
}

/**
 * The INSERT that queues `event` when the call's line has a webhook taking its type, once per
 * (Call-ID, type): a retried decision or event batch queues nothing new. Its `meta.changes` is 1
 * when it queued the event, due at once. Put it in the batch that writes the call, after that write.
 */
export function enqueueWebhookEvent(
  db: D1Database,
  event: WebhookEvent,
  guard: CallGuard,
): D1PreparedStatement {
  const source = guard.sourceIp === undefined ? '' : ' AND c.source_ip = ?';
  return db
    .prepare(
      `INSERT INTO webhook_outbox (id, line_id, call_id, type, payload, next_attempt_at, created_at)
       SELECT ?, w.line_id, ?, ?, ?, 0, ? FROM line_webhooks w
       WHERE w.line_id = (SELECT c.line_id FROM calls c WHERE c.call_id = ? AND c.decision = ?${source})
         AND EXISTS (SELECT 1 FROM json_each(w.events) WHERE value = ?)
       ON CONFLICT DO NOTHING`,
    )
    .bind(
      event.id,
      event.call.call_id,
      event.type,
      JSON.stringify(event),
      event.created_at,
      event.call.call_id,
      guard.decision,
      ...(guard.sourceIp === undefined ? [] : [guard.sourceIp]),
      event.type,
    );
}
