// The event types a line's webhook can send (docs/webhooks.md), without zod: the console bundle
// reads them too. webhooks.ts builds the schemas on them.

export const WEBHOOK_EVENT_TYPES = [
  'call.received',
  'call.answered',
  'call.ended',
  'call.rejected',
] as const;
export type WebhookEventName = (typeof WEBHOOK_EVENT_TYPES)[number];
