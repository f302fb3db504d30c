// POST /v1/handoffs, step by step: bounds and the caller's number (nothing asked or written when
// they are wrong), the Idempotency-Key (a retry answers the first answer), then Zendesk within a
// budget short enough for a caller on hold; a handoff that fails leaves nothing behind.
import type { TranscriptTurn } from '@sip-bridge/contract/handoff';
import type { FieldIssue } from '../http/problem';
import { creationCapRetryAfterS } from '../lines/creation-cap';
import { normalizeCallerNumber } from '../phone/normalize';
import { HANDOFF_LIMITS, TICKET_HEADER, type HandoffAnswer } from '../schemas/handoffs';
import type { HandoffRequest } from '../schemas/handoffs';
import type { ZendeskClient } from '../zendesk/client';
import { ZendeskError } from '../zendesk/errors';
import type { HandoffCaller } from './api-key-auth';
import {
  abandonHandoff,
  claimHandoff,
  completeHandoff,
  findByIdempotencyKey,
  newHandoffId,
  reclaimStaleHandoff,
  type HandoffClaim,
} from './store';
import { writeHandoffTicket } from './write-ticket';

/** Time a handoff may spend on Zendesk before answering 504: an AI agent holds a caller meanwhile. */
export const HANDOFF_BUDGET_MS = 4000;
/** How long a handoff links the call that follows without asking Zendesk. */
export const HANDOFF_TTL_MS = 10 * 60_000;
/** A claim older than this was left by a request that died; its key may be taken over. */
const STALE_CLAIM_MS = 3 * HANDOFF_BUDGET_MS;

export interface HandoffDeps {
  db: D1Database;
  zendesk: ZendeskClient;
  now?: () => number;
  budgetMs?: number;
}

export type HandoffProblem = {
  ok: false;
  status: 409 | 413 | 422 | 429 | 502 | 503 | 504;
  error: string;
  message: string;
  issues?: FieldIssue[];
  retryAfterS?: number;
};

export type HandoffOutcome = { ok: true; body: HandoffAnswer; replayed: boolean } | HandoffProblem;

const invalid = (issues: FieldIssue[]): HandoffProblem => ({
  ok: false,
  status: 422,
  error: 'invalid_request',
  message: 'The handoff is invalid; see issues. Nothing was written.',
  issues,
});

/**
 * Makes a handoff for the caller's line and answers what the AI agent needs to transfer the call.
 * @example const outcome = await createHandoff({ db, zendesk }, c.get('handoffCaller'), body, key);
 */
export async function createHandoff(
  deps: HandoffDeps,
  from: HandoffCaller,
  req: HandoffRequest,
  idempotencyKey: string | null,
): Promise<HandoffOutcome> {
  const now = deps.now ?? Date.now;
  const deadline = now() + (deps.budgetMs ?? HANDOFF_BUDGET_MS);
  const transcript: TranscriptTurn[] = (req.transcript ?? []).map((t) => ({
    role: t.role,
    text: t.text,
    at: t.at ?? null,
  }));
  const tooLong = transcriptProblem(transcript);
  if (tooLong) return tooLong;
  const number = normalizeCallerNumber(req.caller.phone, from.line.defaultCountry);
  if (number.kind !== 'e164') {
    const message =
      number.kind === 'withheld' ? 'is not a number (anonymous or withheld)' : number.reason;
    return invalid([{ path: 'caller.phone', message }]);
  }

  const claim: HandoffClaim = {
    id: newHandoffId(),
    lineId: from.line.id,
    keyId: from.id,
    keyLabel: from.label,
    idempotencyKey,
    requestSha256: await sha256Hex(JSON.stringify(req)),
    callerE164: number.e164,
    now: new Date(now()).toISOString(),
  };
  const claimed = await claimOrReplay(deps.db, claim, deadline, now);
  if ('ok' in claimed) return claimed;

  try {
    const written = await writeHandoffTicket(
      { db: deps.db, zendesk: deps.zendesk, now, deadline },
      {
        handoffId: claimed.id,
        line: from.line,
        keyLabel: from.label,
        caller: number,
        request: req,
        transcript,
      },
    );
    if (!written.ok) {
      await abandonHandoff(deps.db, claimed.id);
      return written.reason === 'invalid'
        ? invalid(written.issues)
        : creationCapProblem(written.perMinute, now());
    }
    const createdAt = new Date(now());
    const body: HandoffAnswer = {
      handoff_id: claimed.id,
      line: from.line.slug,
      ticket_id: written.ticket.id,
      ticket: written.action,
      header: `${TICKET_HEADER}: ${written.ticket.id}`,
      sip_uri: from.line.edgeSipUri,
      expires_at: new Date(createdAt.getTime() + HANDOFF_TTL_MS).toISOString(),
      caller: written.caller,
      created_at: createdAt.toISOString(),
    };
    await completeHandoff(deps.db, claimed.id, {
      ticketId: written.ticket.id,
      requesterId: written.ticket.requester_id,
      summary: req.summary ?? null,
      intent: req.intent ?? null,
      language: req.language ?? null,
      transcript,
      responseJson: JSON.stringify(body),
      expiresAt: body.expires_at,
      createdAt: body.created_at,
    });
    return { ok: true, body, replayed: false };
  } catch (err) {
    await abandonHandoff(deps.db, claimed.id);
    const problem = zendeskProblem(err);
    if (!problem) throw err;
    return problem;
  }
}

/** Over the line's cap on users and tickets created per minute: 429 until the next minute. */
function creationCapProblem(perMinute: number, nowMs: number): HandoffProblem {
  return {
    ok: false,
    status: 429,
    error: 'creation_cap_reached',
    message:
      `The line's cap on Zendesk users and tickets created per minute (max_creations_per_minute, ` +
      `${perMinute}) is reached; nothing was written. Retry after the seconds in Retry-After, or ` +
      'transfer the call without the header.',
    retryAfterS: creationCapRetryAfterS(nowMs),
  };
}

function transcriptProblem(transcript: TranscriptTurn[]): HandoffProblem | null {
  const chars = transcript.reduce((sum, t) => sum + t.text.length, 0);
  if (
    transcript.length <= HANDOFF_LIMITS.transcriptTurns &&
    chars <= HANDOFF_LIMITS.transcriptChars
  ) {
    return null;
  }
  return {
    ok: false,
    status: 413,
    error: 'payload_too_large',
    message: 'The transcript is too long; send its last part, or a summary. Nothing was written.',
    issues: [
      {
        path: 'transcript',
        message: `at most ${HANDOFF_LIMITS.transcriptTurns} turns and ${HANDOFF_LIMITS.transcriptChars} characters of text in all`,
      },
    ],
  };
}

/**
 * Claims the handoff, or answers for the request that already used its Idempotency-Key: its answer
 * (same request), 422 (another request), or 409 while it is still being made elsewhere.
 */
async function claimOrReplay(
  db: D1Database,
  claim: HandoffClaim,
  deadline: number,
  now: () => number,
): Promise<{ id: string } | HandoffOutcome> {
  const inProgress: HandoffProblem = {
    ok: false,
    status: 409,
    error: 'handoff_in_progress',
    message:
      'A handoff with this Idempotency-Key is still being made; retry after the seconds in Retry-After.',
    retryAfterS: 1,
  };
  for (let round = 0; round < 3; round++) {
    const result = await claimHandoff(db, claim);
    if (result.claimed) return { id: claim.id };
    let row = result.existing;
    while (row?.status === 'pending' && row.request_sha256 === claim.requestSha256) {
      if (now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 50));
      row = await findByIdempotencyKey(db, claim.lineId, claim.idempotencyKey);
    }
    // The first request failed (and left nothing): this one makes the handoff.
    if (!row) continue;
    if (row.request_sha256 !== claim.requestSha256) {
      return {
        ok: false,
        status: 422,
        error: 'idempotency_key_reused',
        message: 'This Idempotency-Key was used for another handoff. Nothing was written.',
        issues: [
          {
            path: 'Idempotency-Key',
            message:
              'was already used on this line for a different request; send a new key for a new handoff',
          },
        ],
      };
    }
    if (row.status === 'completed' && row.response_json) {
      return { ok: true, body: JSON.parse(row.response_json) as HandoffAnswer, replayed: true };
    }
    const staleBefore = new Date(now() - STALE_CLAIM_MS).toISOString();
    if (await reclaimStaleHandoff(db, row.id, staleBefore, new Date(now()).toISOString())) {
      return { id: row.id };
    }
    return inProgress;
  }
  return inProgress;
}

/** Zendesk trouble as an answer the AI agent can act on: retry later, or transfer without the header. */
function zendeskProblem(err: unknown): HandoffProblem | null {
  if (!(err instanceof ZendeskError)) return null;
  const transfer = 'Nothing was saved; transfer the call without the header, or retry.';
  if (err.kind === 'timeout') {
    return {
      ok: false,
      status: 504,
      error: 'zendesk_timeout',
      message:
        'Zendesk did not answer in time and the handoff was not saved (if Zendesk was only slow, ' +
        'its ticket may still appear); transfer the call without the header, or retry.',
    };
  }
  if (err.kind === 'client') {
    console.error('handoff refused by Zendesk', err.message);
    return {
      ok: false,
      status: 502,
      error: 'zendesk_refused',
      message: `Zendesk refused the handoff's ticket (HTTP ${err.status ?? 'error'}). ${transfer}`,
    };
  }
  if (err.kind === 'auth' || err.kind === 'config') console.error('handoff:', err.message);
  const retryAfter = err.kind === 'rate_limited' ? (err.retryAfterSeconds ?? 60) : 5;
  return {
    ok: false,
    status: 503,
    error: 'zendesk_unavailable',
    message: `Zendesk cannot be reached or asked right now. ${transfer}`,
    retryAfterS: Math.min(Math.max(1, retryAfter), 120),
  };
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
