// What a line's webhook receiver gets (docs/webhooks.md): the event body, the headers that carry
// its id and signature, and the exact bytes the signature covers.
import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES } from './webhook-events';

export { WEBHOOK_EVENT_TYPES };
export const WebhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES);
export type WebhookEventType = z.infer<typeof WebhookEventTypeSchema>;

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` (one v1 per valid secret). */
export const WEBHOOK_SIGNATURE_HEADER = 'X-SIPBridge-Signature';
/** The event's id, the same on every attempt: receivers dedupe by it (delivery is at least once). */
export const WEBHOOK_EVENT_ID_HEADER = 'X-SIPBridge-Event-Id';
export const WEBHOOK_EVENT_TYPE_HEADER = 'X-SIPBridge-Event-Type';

/** The string the v1 signature is computed over: the timestamp, a dot, the raw body. */
export const webhookSigningInput = (timestampSeconds: number, rawBody: string) =>
  `${timestampSeconds}.${rawBody}`;

export const WebhookEventSchema = z
  .object({
    id: z.string().meta({ example: 'evt_6f1c2b0e4a7d4e0c9b1a2f3e4d5c6b7a' }),
    type: WebhookEventTypeSchema,
    /** When the bridge learnt it (ISO 8601 UTC). */
    created_at: z.string(),
    /** The line's slug. */
    line: z.string(),
    call: z.object({
      call_id: z.string(),
      caller: z.object({
        /** The caller's number in E.164, or null when withheld or unreadable. */
        e164: z.string().nullable(),
        withheld: z.boolean(),
      }),
      /** ringing (received), answered, completed, failed, cancelled, rejected. */
      status: z.string(),
      /** The Zendesk ticket the call is linked to, or null. */
      ticket_id: z.number().int().nullable(),
      received_at: z.string(),
      answered_at: z.string().nullable(),
      ended_at: z.string().nullable(),
      /** Seconds from answer to end (0 when never answered), for call.ended; else null. */
      duration_s: z.number().int().nullable(),
      /**
       * The final SIP code and reason, for call.ended, and which of the edge's timers ended the
       * call (`no_ringback_timeout`, `no_answer_timeout`; null when none did); else null.
       */
      final: z
        .object({
          code: z.number().int().nullable(),
          reason: z.string().nullable(),
          cause: z.string().nullable(),
        })
        .nullable(),
      /** The SIP answer the bridge refused the call with, for call.rejected; else null. */
      reject: z.object({ code: z.number().int(), reason: z.string() }).nullable(),
    }),
  })
  .meta({ id: 'WebhookEvent' });
export type WebhookEvent = z.infer<typeof WebhookEventSchema>;
