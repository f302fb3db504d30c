// Context an AI agent or IVR sent in SIP headers (X-…, User-to-User) and what the line's mapping
// made of it on the ticket, as the call record carries it.
import { z } from 'zod';

/** Where a mapped header's value goes on the call's ticket. */
export const ContextTargetSchema = z.enum(['tag', 'custom_field', 'note']).meta({
  description:
    '`tag`: added to the ticket as a tag; `custom_field`: the value of a ticket field; ' +
    '`note`: a line of the internal note the bridge adds to the ticket',
});

export const CallContextItemSchema = z
  .object({
    header: z.string().meta({ example: 'X-Intent' }),
    to: ContextTargetSchema,
    value: z.string().meta({
      description:
        'What reaches the ticket: the tag, the field value as sent, or the text of the note line ' +
        '(User-to-User decoded from hex)',
      example: 'billing',
    }),
    field_id: z.number().int().optional(),
    label: z.string().optional().meta({ description: 'The note line’s label', example: 'Intent' }),
  })
  .meta({ id: 'CallContextItem' });

export const CallContextSchema = z
  .object({
    status: z.enum(['pending', 'posted', 'failed', 'not_applied']).meta({
      description:
        '`pending`: on its way to the ticket (retried until Zendesk takes it); `posted`: on the ' +
        'ticket; `failed`: Zendesk refused it; `not_applied`: nothing was written (the call had ' +
        'no ticket, or no value could be used)',
    }),
    items: z.array(CallContextItemSchema),
    refused: z.array(z.object({ header: z.string(), reason: z.string() })).meta({
      description:
        'Mapped headers whose value could not be used, with why (never the value itself)',
    }),
  })
  .meta({ id: 'CallContext' });

export type CallContextItem = z.infer<typeof CallContextItemSchema>;
export type CallContext = z.infer<typeof CallContextSchema>;
