import { z } from '@hono/zod-openapi';

/** A default most AI agents never reach: a handoff per second, sustained. */
export const DEFAULT_HANDOFFS_PER_MINUTE = 60;

export const ApiKeyCreateSchema = z
  .object({
    label: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[^\r\n\0]*$/, 'must not contain CR, LF or NUL')
      .openapi({
        description: 'Who holds the key (AI vendor, environment); shown with each handoff',
        example: 'Acme Voice AI (production)',
      }),
    handoffs_per_minute: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(DEFAULT_HANDOFFS_PER_MINUTE)
      .openapi({
        description: `Handoff requests this key may make per minute (default ${DEFAULT_HANDOFFS_PER_MINUTE}); over it 429 with Retry-After`,
      }),
  })
  .strict()
  .openapi('ApiKeyCreate');

export const ApiKeySchema = z
  .object({
    id: z.string().openapi({ example: '3f9a1c2b7d4e5f60' }),
    line: z.string().openapi({ example: 'ai-agent' }),
    label: z.string(),
    handoffs_per_minute: z.number().int(),
    created_at: z.string(),
    revoked_at: z.string().nullable(),
    last_used_at: z.string().nullable().openapi({
      description: 'When the key last authenticated a handoff request (to the minute or better)',
    }),
  })
  .openapi('ApiKey');

export const ApiKeyCreatedSchema = z
  .object({
    key: ApiKeySchema,
    secret: z.string().openapi({
      description:
        'The whole key, `sbk_<id>_<secret>`, sent as `Authorization: Bearer <secret>`. Shown this once: ' +
        'only a hash is stored, so a lost key cannot be shown again (create another, revoke this one)',
      example: 'sbk_3f9a1c2b7d4e5f60_Jx0vQm7m0a9cXz2kq3cS1V1rA4nHkX2Zt9bq1wFq0yE',
    }),
  })
  .openapi('ApiKeyCreated');

export type ApiKey = z.infer<typeof ApiKeySchema>;
export type ApiKeyCreate = z.infer<typeof ApiKeyCreateSchema>;
