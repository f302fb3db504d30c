import { createRoute, z } from '@hono/zod-openapi';
import { handoffBudgetMs, zendeskFromEnv } from '../config';
import { createHandoff, DEFAULT_HANDOFF_BUDGET_MS } from '../handoffs/create-handoff';
import { apiError, fieldIssues } from '../http/problem';
import { createRouter } from '../router';
import { ErrorSchema, jsonBody, jsonContent } from '../schemas/common';
import {
  HandoffRequestSchema,
  HandoffSchema,
  IdempotencyKeySchema,
  TICKET_HEADER,
} from '../schemas/handoffs';

const zendeskTrouble =
  'Transfer the call without the header: the bridge relays it all the same (a handed-off call ' +
  'is never held for its ticket)';

const handoff = createRoute({
  method: 'post',
  path: '/v1/handoffs',
  summary: 'An AI agent hands a call over: the ticket is prepared before the call is transferred',
  description:
    "Matches the caller as calls are matched, creates the ticket (or updates `ticket_id`'s) with the " +
    'summary and transcript as one private note, and answers the header to set on the INVITE ' +
    `(\`${TICKET_HEADER}\`) and where to dial. A call on the same line carrying that header within ` +
    '`expires_at` is linked to the handoff without asking Zendesk. The ticket and a user created ' +
    "for the caller count in the line's `max_creations_per_minute`. Answers within the handoff " +
    `budget (\`HANDOFF_BUDGET_MS\`, ${DEFAULT_HANDOFF_BUDGET_MS / 1000} s unless the operator ` +
    'changed it); a handoff that fails writes nothing (no ticket, no handoff). If the ticket ' +
    'create may have reached Zendesk (a timeout or 5xx), a retry with the same Idempotency-Key ' +
    'finds that ticket (its `external_id` is `sipbridge-handoff:<handoff_id>`) instead of making ' +
    'a second one.',
  security: [{ handoffKey: [] }],
  request: {
    headers: z.object({ 'Idempotency-Key': IdempotencyKeySchema.optional() }),
    body: jsonBody(HandoffRequestSchema),
  },
  responses: {
    201: jsonContent(
      HandoffSchema,
      'The handoff (a retry with its Idempotency-Key answers it again, with `Idempotent-Replayed: true`)',
    ),
    400: jsonContent(
      ErrorSchema,
      'The body is not JSON, or the Idempotency-Key header is malformed',
    ),
    401: jsonContent(ErrorSchema, 'Missing, unknown or revoked API key'),
    403: jsonContent(ErrorSchema, "The key's line is disabled (`line_disabled`)"),
    409: jsonContent(
      ErrorSchema,
      'A handoff with this Idempotency-Key is still being made (Retry-After)',
    ),
    413: jsonContent(ErrorSchema, 'The transcript (path `transcript`) or the body is too long'),
    422: jsonContent(
      ErrorSchema,
      '`invalid_request`: a field is wrong (`issues` names each: `caller.phone`, `custom_fields[0].id`, ' +
        '`ticket_id`, ...); `idempotency_key_reused`: the key came with another request',
    ),
    429: jsonContent(
      ErrorSchema,
      "`rate_limited`: over the key's handoffs per minute; `creation_cap_reached`: the line's cap " +
        'on Zendesk users and tickets created per minute (`max_creations_per_minute`) cannot cover ' +
        "this handoff's ticket (and its new requester), nothing was written. Retry-After: seconds " +
        'to the next minute',
    ),
    502: jsonContent(
      ErrorSchema,
      `Zendesk refused the ticket (\`zendesk_refused\`). ${zendeskTrouble}`,
    ),
    503: jsonContent(
      ErrorSchema,
      `Zendesk unreachable, failing or rate limited (\`zendesk_unavailable\`, Retry-After). ${zendeskTrouble}; ` +
        'after a 5xx on the ticket create, a retry with the same Idempotency-Key finds the ticket if Zendesk made it',
    ),
    504: jsonContent(
      ErrorSchema,
      `Zendesk did not answer in time (\`zendesk_timeout\`). ${zendeskTrouble}; a retry with ` +
        'the same Idempotency-Key finds the ticket if Zendesk made it meanwhile',
    ),
  },
});

export const handoffRoutes = createRouter().openapi(
  handoff,
  async (c) => {
    const outcome = await createHandoff(
      { db: c.env.DB, zendesk: zendeskFromEnv(c.env), budgetMs: handoffBudgetMs(c.env) },
      c.get('handoffCaller'),
      c.req.valid('json'),
      c.req.valid('header')['Idempotency-Key'] ?? null,
    );
    if (outcome.ok) {
      if (outcome.replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(outcome.body, 201);
    }
    if (outcome.retryAfterS) c.header('Retry-After', String(outcome.retryAfterS));
    return apiError(c, outcome.status, outcome.error, outcome.message, outcome.issues);
  },
  // A body that is JSON but not a usable handoff is 422, like Zendesk's own RecordInvalid; a bad
  // header stays 400.
  (result, c) => {
    if (result.success) return;
    const status = result.target === 'json' ? 422 : 400;
    return apiError(
      c,
      status,
      'invalid_request',
      status === 422
        ? 'The handoff is invalid; see issues. Nothing was written.'
        : 'The request is invalid; see issues.',
      fieldIssues(result.error.issues),
    );
  },
);
