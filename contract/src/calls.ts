import { z } from 'zod';
import { CallContextSchema } from './call-context';
import { CallHandoffSchema } from './handoff';

const CandidateSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    phone: z.string().nullable(),
    phone_display: z.string().nullable().meta({
      description:
        '`phone` for people, in international format; the stored text when it is not a number',
      example: '+1 415 555 0199',
    }),
  })
  .meta({ id: 'MatchCandidate' });

/** A call record as agents, reports and exports see it. */
export const CallRecordSchema = z
  .object({
    call_id: z.string(),
    line: z.string(),
    status: z.enum(['ringing', 'answered', 'completed', 'failed', 'cancelled', 'rejected']),
    source: z.object({
      ip: z.string(),
      port: z.number().int().nullable(),
      transport: z.string().nullable(),
      acl_entry: z.string().nullable(),
    }),
    sip: z.object({
      from: z.string(),
      to: z.string(),
      request_uri: z.string(),
      p_asserted_identity: z.string().nullable(),
      user_agent: z.string().nullable(),
    }),
    codecs: z.array(z.string()),
    caller: z.object({
      e164: z.string().nullable(),
      display: z.string().nullable().meta({
        description: '`e164` for people, in international format; null when there is no number',
        example: '+44 20 7946 0958',
      }),
      kind: z.enum(['e164', 'withheld', 'invalid']),
      match: z.enum(['matched', 'no_match', 'ambiguous', 'withheld', 'unavailable']),
      user_id: z.number().int().nullable(),
      candidates: z.array(CandidateSchema),
    }),
    ticket: z.object({
      id: z.number().int().nullable(),
      link: z.enum(['passed', 'passed_unverified', 'created', 'dropped', 'none']),
      passed_id: z.string().nullable(),
      // Optional in the type only so older clients' fixtures still parse; the API always sends it.
      requester_mismatch: z
        .boolean()
        .nullable()
        .optional()
        .meta({
          description:
            "True when the passed X-Zendesk-Ticket-Id's requester is not the matched caller (show it to " +
            'the agent: the caller may not be who the ticket is about); null when it could not be told',
        }),
    }),
    decision: z.object({
      action: z.enum(['relay', 'reject', 'pending']),
      code: z.number().int().nullable(),
      reason: z.string().nullable(),
      degraded: z.array(z.string()),
    }),
    timeline: z.object({
      received_at: z.string(),
      answered_at: z.string().nullable(),
      ended_at: z.string().nullable(),
    }),
    duration_s: z.number().int().nullable(),
    final: z.object({
      code: z.number().int().nullable(),
      reason: z.string().nullable(),
      ended_by: z.string().nullable(),
      // Optional in the type so older clients' fixtures still parse; the API always sends it.
      cause: z
        .string()
        .nullable()
        .optional()
        .meta({
          description:
            "Which of the edge's timers ended the call: `no_ringback_timeout` (no target rang in " +
            'time) or `no_answer_timeout` (the target rang, nobody answered in ' +
            'time); null when none did; `admin_hangup` when an admin ended it',
        }),
      ended_by_admin: z
        .string()
        .nullable()
        .optional()
        .meta({
          description:
            'Who ended the call from the console (`zendesk_user:<id>`) or the admin API ' +
            '(`admin_token`); `ended_by` is then `admin`. Null when no admin did',
          example: 'zendesk_user:20001',
        }),
    }),
    cost: z.object({
      micros: z.number().int().nullable(),
      usd: z.string().nullable().meta({ example: '0.03' }),
    }),
    summary_status: z.string(),
    // Optional in the type so older clients' fixtures still parse; the API always sends it.
    route_rule: z
      .object({ id: z.string(), name: z.string() })
      .nullable()
      .optional()
      .meta({
        description:
          "The line's routing rule that routed the call to its own targets (its id and name when " +
          "the call was decided); null when the call went to the line's targets",
        example: { id: 'vip', name: 'VIP' },
      }),
    // Optional in the type so older clients' fixtures still parse; the API always sends it.
    handoff: CallHandoffSchema.nullable()
      .optional()
      .meta({
        description:
          'The AI-agent handoff this call was linked to (its X-Zendesk-Ticket-Id was the ticket of a ' +
          'handoff made on the same line shortly before); null when there was none',
      }),
    // Optional in the type so older clients' fixtures still parse; the API always sends it.
    context: CallContextSchema.nullable()
      .optional()
      .meta({
        description:
          'Context headers the line maps (`context_headers`) as the call brought them, and what ' +
          'reached the ticket; null when the call carried none the line maps',
      }),
    updated_at: z.string(),
  })
  .meta({ id: 'CallRecord' });

export type CallRecord = z.infer<typeof CallRecordSchema>;
