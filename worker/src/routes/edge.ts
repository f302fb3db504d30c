import { createRoute, z } from '@hono/zod-openapi';
import type { Env } from '../env';
import { createRouter } from '../router';
import { unauthorized } from '../http/problem';
import { decideCall } from '../calls/decide';
import { applyCallEvents } from '../calls/events';
import { flushAfterCalls } from '../calls/flush-after-calls';
import { isolateNoteLinger, noteLingerMs } from '../calls/note-linger';
import { buildEdgeConfig } from '../lines/edge-config';
import { recordApplied, rememberServedConfig } from '../lines/edge-applied';
import { apiError } from '../http/problem';
import { findLineConfig } from '../lines/store';
import { deliverWebhooksFromEnv } from '../webhooks/deliver';
import { errorResponses, ErrorSchema, jsonBody, jsonContent } from '../schemas/common';
import {
  DecisionRequestSchema,
  DecisionSchema,
  EventBatchSchema,
  EventResultSchema,
} from '@sip-bridge/contract/edge';
import {
  EdgeConfigAppliedResultSchema,
  EdgeConfigAppliedSchema,
} from '@sip-bridge/contract/edge-applied';
import {
  BACKGROUND_TIMEOUT_MS,
  decisionBudgetMs,
  notePollDelaysMs,
  zendeskFromEnv,
} from '../config';

const security = [{ edgeHmac: [] }];

/**
 * Sends the callers' users and the notes due after the linger (NOTE_LINGER_MS), joined by other
 * calls ending meanwhile.
 */
const flushNotesSoon = (env: Env) =>
  isolateNoteLinger.schedule(
    () =>
      flushAfterCalls(env.DB, zendeskFromEnv(env, { timeoutMs: BACKGROUND_TIMEOUT_MS }), {
        pollDelaysMs: notePollDelaysMs(env),
      }),
    noteLingerMs(env.NOTE_LINGER_MS),
  );

const decide = createRoute({
  method: 'post',
  path: '/v1/edge/decisions',
  summary: 'Decide one INVITE: relay (with headers and targets) or reject',
  description:
    'Idempotent per Call-ID: a retried request gets the first answer and creates nothing new.',
  security,
  request: { body: jsonBody(DecisionRequestSchema) },
  responses: { 200: jsonContent(DecisionSchema, 'The decision'), ...errorResponses },
});

const events = createRoute({
  method: 'post',
  path: '/v1/edge/events',
  summary: 'Record call lifecycle events (answered, ended, failed, cancelled)',
  description:
    'Idempotent per Call-ID and event kind; acknowledge each result to drop it from the spool.',
  security,
  request: { body: jsonBody(EventBatchSchema) },
  responses: {
    200: jsonContent(EventResultSchema, 'One result per event, in order'),
    ...errorResponses,
  },
});

const config = createRoute({
  method: 'get',
  path: '/v1/edge/config',
  summary: 'Lines, targets and ACL for the edge; poll with If-None-Match',
  security,
  request: { headers: z.object({ 'if-none-match': z.string().optional() }) },
  responses: {
    200: { description: 'The current edge configuration (ETag header set)' },
    304: { description: 'Unchanged since the ETag given' },
    ...errorResponses,
  },
});

const applied = createRoute({
  method: 'post',
  path: '/v1/edge/config/applied',
  summary: 'Report that the edge applied a config (by its ETag): Kamailio enforces it now',
  description:
    'Sent by the agent only after every file of the config is written, reloaded and proved. The ' +
    'console shows per line whether the edge enforces it as it stands (docs/edge-protocol.md).',
  security,
  request: { body: jsonBody(EdgeConfigAppliedSchema) },
  responses: {
    200: jsonContent(EdgeConfigAppliedResultSchema, 'Recorded (or older than one recorded)'),
    404: jsonContent(
      ErrorSchema,
      'No config with this ETag was served in the last week (`unknown_config`)',
    ),
    ...errorResponses,
  },
});

export const edgeRoutes = createRouter()
  .openapi(decide, async (c) => {
    const started = Date.now();
    const decision = await decideCall(
      {
        db: c.env.DB,
        zendesk: zendeskFromEnv(c.env, { callPath: true }),
        budgetMs: decisionBudgetMs(c.env),
        nonce: c.get('edgeNonce'),
        // Context headers (and a first-time caller's user) go after the answer, batched.
        onContextDue: () => c.executionCtx.waitUntil(flushNotesSoon(c.env)),
        // The line's webhook gets the event after the answer: a slow receiver never holds a call.
        onWebhookQueued: () => c.executionCtx.waitUntil(deliverWebhooksFromEnv(c.env)),
      },
      c.req.valid('json'),
    );
    if (decision === 'replayed') return unauthorized(c);
    // Time spent in the Worker (workerd advances clocks at I/O), for benchmarks and operators.
    c.header('Server-Timing', `decision;dur=${Date.now() - started}`);
    return c.json(decision, 200);
  })
  .openapi(events, async (c) => {
    const { events: batch } = c.req.valid('json');
    const { statuses, summariesDue, webhooksQueued } = await applyCallEvents(
      c.env.DB,
      batch,
      (slug) => findLineConfig(c.env.DB, slug),
    );
    const results = batch.map((e, i) => ({
      call_id: e.call_id,
      kind: e.kind,
      status: statuses[i]!,
    }));
    // Summaries go out in batches (one Update Many job for up to 100 notes), after the answer.
    if (summariesDue.length) c.executionCtx.waitUntil(flushNotesSoon(c.env));
    if (webhooksQueued) c.executionCtx.waitUntil(deliverWebhooksFromEnv(c.env));
    return c.json({ results }, 200);
  })
  .openapi(config, async (c) => {
    const { body, etag, lineDigests } = await buildEdgeConfig(c.env.DB);
    const headers = { ETag: etag, 'Cache-Control': 'no-cache' };
    const inm = c.req.valid('header')['if-none-match'];
    if (inm && inm.split(',').some((t) => t.trim() === etag)) return c.body(null, 304, headers);
    // Before the answer, so the edge's report of this ETag always finds it.
    await rememberServedConfig(c.env.DB, { etag, lineDigests });
    return c.body(body, 200, { ...headers, 'Content-Type': 'application/json' });
  })
  .openapi(applied, async (c) => {
    const report = c.req.valid('json');
    const outcome = await recordApplied(c.env.DB, {
      etag: report.etag,
      appliedAt: report.applied_at,
    });
    if (outcome === 'unknown_config') {
      return apiError(c, 404, 'unknown_config', 'No edge config with this ETag was served.');
    }
    return c.json({ recorded: outcome === 'recorded' }, 200);
  });
