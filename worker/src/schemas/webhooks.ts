import { z } from '@hono/zod-openapi';
import { WEBHOOK_EVENT_TYPES, WebhookEventTypeSchema } from '@sip-bridge/contract/webhooks';

/** A URL a delivery can be POSTed to: http(s), no credentials, no fragment (policy: url-policy.ts). */
export const WebhookUrlSchema = z
  .string()
  .max(2048)
  .refine((value) => {
    if (!URL.canParse(value)) return false;
    const url = new URL(value);
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') &&
      !url.username &&
      !url.password &&
      !url.hash
    );
  }, 'must be an absolute https URL without credentials or fragment')
  .openapi({ example: 'https://hooks.example.com/sip-bridge' });

export const WebhookSettingsSchema = z
  .object({
    url: WebhookUrlSchema,
    failover_url: WebhookUrlSchema.nullable()
      .default(null)
      .openapi({ description: 'Gets the event after two failed deliveries to `url`' }),
    events: z
      .array(WebhookEventTypeSchema)
      .min(1)
      .max(WEBHOOK_EVENT_TYPES.length)
      .refine((list) => new Set(list).size === list.length, 'must not repeat an event type')
      .default([...WEBHOOK_EVENT_TYPES])
      .openapi({ description: 'The event types sent (default: all four)' }),
  })
  .strict()
  .openapi('WebhookSettings', {
    description:
      'Where the line’s call events go (docs/webhooks.md). The signing secret is made by the ' +
      'bridge, answered once as `webhook_secret`, and never shown again.',
  });

export const WebhookSchema = z
  .object({
    url: z.string(),
    failover_url: z.string().nullable(),
    events: z.array(WebhookEventTypeSchema),
    secret_created_at: z.string().openapi({ description: 'When the current secret was made' }),
    previous_secret_valid_until: z.string().nullable().openapi({
      description: 'After a rotation: until when deliveries are signed with the old secret too',
    }),
  })
  .openapi('Webhook');

export const WebhookSecretSchema = z.string().openapi({
  description: 'The signing secret (whsec_…): in this answer only, keep it now',
  example: 'whsec_q7Vd0mJ3b9kTQx2Yc8nH1sZp4uRf6wLe5aGi0oBtKjU',
});

export const WebhookDeliverySchema = z
  .object({
    event_id: z.string(),
    type: WebhookEventTypeSchema,
    target: z.enum(['primary', 'failover']),
    url: z.string(),
    attempt: z.number().int(),
    status_code: z.number().int().nullable(),
    error: z
      .enum(['http_status', 'timeout', 'network', 'url_refused'])
      .nullable()
      .openapi({ description: 'null when delivered (2xx)' }),
    outcome: z.enum(['delivered', 'retry', 'gave_up']),
    at: z.string(),
    next_attempt_at: z.string().nullable(),
  })
  .openapi('WebhookDelivery');

export type WebhookSettings = z.infer<typeof WebhookSettingsSchema>;
export type Webhook = z.infer<typeof WebhookSchema>;
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;
