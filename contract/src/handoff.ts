// What an AI voice agent hands over with a call (POST /v1/handoffs), as the call record carries it
// to the sidebar and reports.
import { z } from 'zod';

/** Who spoke a transcript turn. */
export const TranscriptRoleSchema = z.enum(['caller', 'agent', 'system']).meta({
  description:
    '`caller`: the person calling; `agent`: the AI voice agent; `system`: the AI platform itself (notices, tool results)',
});

export const TranscriptTurnSchema = z
  .object({
    role: TranscriptRoleSchema,
    text: z.string(),
    at: z
      .string()
      .nullable()
      .meta({ description: 'When it was said (ISO 8601), if the agent sent it' }),
  })
  .meta({ id: 'TranscriptTurn' });

/** The handoff a call was linked to: what the AI agent learnt before transferring the caller. */
export const CallHandoffSchema = z
  .object({
    id: z.string().meta({ example: 'ho_5f0c9a1e2b3d4c5e6f708192' }),
    key_label: z.string().meta({
      description: "Label of the AI vendor's API key that made the handoff",
      example: 'Acme Voice AI (production)',
    }),
    summary: z.string().nullable(),
    intent: z.string().nullable().meta({ example: 'billing_dispute' }),
    language: z.string().nullable().meta({ example: 'en-US' }),
    transcript: z.array(TranscriptTurnSchema),
    created_at: z.string(),
  })
  .meta({ id: 'CallHandoff' });

export type TranscriptTurn = z.infer<typeof TranscriptTurnSchema>;
export type CallHandoff = z.infer<typeof CallHandoffSchema>;
