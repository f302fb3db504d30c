// The edge's side of the command channel (docs/edge-protocol.md, "Commands"): the agent polls
// for commands and reports each one's result, both signed like every /v1/edge request.
import { createRoute, z } from '@hono/zod-openapi';
import {
  CommandIdSchema,
  CommandResultAnswerSchema,
  CommandResultSchema,
  EdgeCommandListSchema,
} from '@sip-bridge/contract/edge-commands';
import { createRouter } from '../router';
import { apiError } from '../http/problem';
import { claimCommands, recordResult } from '../commands/store';
import { errorResponses, ErrorSchema, jsonBody, jsonContent } from '../schemas/common';

const security = [{ edgeHmac: [] }];

const poll = createRoute({
  method: 'get',
  path: '/v1/edge/commands',
  summary: 'Commands for the edge to execute (each handed out once)',
  description:
    'Every command in the answer is marked sent: no later poll gets it again, so the edge executes it at most once. Commands not picked up within 30 s expire.',
  security,
  responses: {
    200: jsonContent(EdgeCommandListSchema, 'The commands to execute now, oldest first'),
    ...errorResponses,
  },
});

const result = createRoute({
  method: 'post',
  path: '/v1/edge/commands/{id}/result',
  summary: 'Report what became of a command',
  description:
    'Idempotent: the same result again answers 200 with `recorded: false`. A result for a command never sent, or already finished otherwise, is 409.',
  security,
  request: { params: z.object({ id: CommandIdSchema }), body: jsonBody(CommandResultSchema) },
  responses: {
    200: jsonContent(CommandResultAnswerSchema, 'Recorded (or already recorded)'),
    ...errorResponses,
    404: jsonContent(ErrorSchema, 'No such command (`command_not_found`)'),
    409: jsonContent(
      ErrorSchema,
      'The command was not sent to the edge, or has another result already (`command_not_sent`)',
    ),
  },
});

export const edgeCommandRoutes = createRouter()
  .openapi(poll, async (c) => c.json({ commands: await claimCommands(c.env.DB, Date.now()) }, 200))
  .openapi(result, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const outcome = await recordResult(c.env.DB, id, body, Date.now());
    if (outcome.recorded) return c.json({ id, status: outcome.status, recorded: true }, 200);
    if (outcome.reason === 'duplicate') {
      return c.json({ id, status: outcome.status, recorded: false }, 200);
    }
    if (outcome.reason === 'not_found') {
      return apiError(c, 404, 'command_not_found', 'No such command.');
    }
    return apiError(
      c,
      409,
      'command_not_sent',
      `This command is ${outcome.status}: it takes no result now.`,
    );
  });
