import { z } from '@hono/zod-openapi';
import { parseTicketId } from '@sip-bridge/contract/ticket-id';

export const ErrorSchema = z
  .object({
    error: z.string().openapi({ example: 'invalid_request' }),
    message: z.string(),
    issues: z
      .array(z.object({ path: z.string().openapi({ example: 'sip.from' }), message: z.string() }))
      .optional(),
  })
  .openapi('Error');

export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const errorResponses = {
  400: jsonContent(ErrorSchema, 'Invalid body or query; `issues` names each field'),
  401: jsonContent(ErrorSchema, 'Missing or invalid credentials'),
};

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

/** A ticket id in a path: exact (through parseTicketId), never rounded; the handler gets a number. */
export const TicketIdParamSchema = z
  .string()
  .transform((value, ctx) => {
    const parsed = parseTicketId(value);
    if (parsed.ok) return parsed.id;
    ctx.addIssue({ code: 'custom', message: 'must be a Zendesk ticket id, 1 to 9007199254740991' });
    return z.NEVER;
  })
  .openapi({ type: 'string', example: '1001' });
