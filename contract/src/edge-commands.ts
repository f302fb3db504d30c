// Commands the Worker queues for the edge (an admin ending a call), which the edge agent polls for
// over the signed channel and executes at most once (docs/edge-protocol.md, "Commands").
import { z } from 'zod';
import { CallIdSchema, IsoTimeSchema } from './identifiers';

/** A command not picked up by the edge within this time expires (and one sent without a result fails). */
export const COMMAND_TTL_S = 30;
/** How often the agent asks for commands by default: well inside the 5 s an admin waits. */
export const COMMAND_POLL_INTERVAL_MS = 1000;
/** Most commands one poll hands out. */
export const COMMANDS_PER_POLL = 20;

/** A command's id: the Worker's random UUID. */
export const CommandIdSchema = z.uuid().meta({ example: '0b6f3c2e-5d1a-4c57-9a39-3c1e2f4d5a6b' });

/** `hangup`: end the answered call with this Call-ID (BYE to both sides). */
export const EdgeCommandSchema = z
  .object({
    id: CommandIdSchema,
    kind: z.literal('hangup'),
    call_id: CallIdSchema,
    expires_at: IsoTimeSchema,
  })
  .meta({ id: 'EdgeCommand' });

export const EdgeCommandListSchema = z
  .object({ commands: z.array(EdgeCommandSchema).max(COMMANDS_PER_POLL) })
  .meta({ id: 'EdgeCommandList' });

/**
 * Why the edge could not execute a command: Kamailio has no dialog with this Call-ID (the call
 * ended meanwhile), it is not answered yet, Kamailio could not be reached, or it refused.
 */
export const COMMAND_FAILURES = [
  'no_such_call',
  'not_answered',
  'kamailio_unreachable',
  'kamailio_error',
] as const;
export const CommandFailureSchema = z.enum(COMMAND_FAILURES);

/** What the edge reports once it executed (or could not execute) a command. */
export const CommandResultSchema = z
  .discriminatedUnion('status', [
    z.object({ status: z.literal('done') }).strict(),
    z.object({ status: z.literal('failed'), failure: CommandFailureSchema }).strict(),
  ])
  .meta({ id: 'EdgeCommandResult' });

export const CommandResultAnswerSchema = z
  .object({ id: CommandIdSchema, status: z.enum(['done', 'failed']), recorded: z.boolean() })
  .meta({ id: 'EdgeCommandResultAnswer' });

export type EdgeCommand = z.infer<typeof EdgeCommandSchema>;
export type CommandResult = z.infer<typeof CommandResultSchema>;
export type CommandFailure = z.infer<typeof CommandFailureSchema>;
