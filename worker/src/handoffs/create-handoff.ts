// POST /v1/handoffs, step by step: bounds and the caller's number (nothing asked or written when
// they are wrong), the Idempotency-Key (a retry answers the first answer), then Zendesk within a
// budget short enough for a caller on hold (HANDOFF_BUDGET_MS). A handoff that fails leaves
// nothing behind, except when its ticket create may have reached Zendesk: its claim then stays,
// released, so a retry with the key finds that ticket (by external_id) instead of making another.
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
  markTicketCreateSent,
  newHandoffId,
  releaseHandoff,
  takeOverHandoff,
  type HandoffClaim,
} from './store';
import { writeHandoffTicket } from './write-ticket';

/**
 * Time a handoff may spend on Zendesk before answering 504 when HANDOFF_BUDGET_MS is unset: an AI
 * agent holds a caller meanwhile (see handoffBudgetMs in config.ts).
 */
export const DEFAULT_HANDOFF_BUDGET_MS = 4000;
/** How long a handoff links the call that follows without asking Zendesk. */
export const HANDOFF_TTL_MS = 10 * 60_000;
/** A claim older than this many budgets was left by a request that died; its key may be taken over. */
const STALE_CLAIM_BUDGETS = 3;

export interface HandoffDeps {
  db: D1Database;
  zendesk: ZendeskClient;
  now?: () => number;
  /** HANDOFF_BUDGET_MS, as config.ts reads it. */
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
  const budgetMs = deps.budgetMs ?? DEFAULT_HANDOFF_BUDGET_MS;
  const deadline = now() + budgetMs;
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
  const claimed = await claimOrReplay(
    deps.db,
    claim,
    deadline,
    now,
    STALE_CLAIM_BUDGETS * budgetMs,
  );
  if ('ok' in claimed) return claimed;

  // An earlier attempt's create, or this one's, may have made the ticket without an answer saying so.
  const sentBefore = claimed.earlierCreate !== null;
  let sentNow = false;
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
      {
        earlier: claimed.earlierCreate,
        beforeCreate: async (caller) => {
          await markTicketCreateSent(deps.db, claimed.id, JSON.stringify(caller));
          sentNow = true;
        },
      },
    );
    if (!written.ok) {
      // Nothing was sent this time; a ticket an earlier attempt may have made keeps its claim.
      await giveUp(deps.db, claimed.id, sentBefore, now);
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
    // A create refused outright (a 4xx, or never sent) made nothing; an earlier one still may have.
    const kept = idempotencyKey !== null && (sentBefore || (sentNow && mayHaveWritten(err)));
    await giveUp(deps.db, claimed.id, kept, now);
    const problem = zendeskProblem(err, kept);
    if (!problem) throw err;
    return problem;
  }
}

/**
 * Ends a claim whose handoff failed: removed, or, when Zendesk may hold its ticket (`keep`),
 * released for a retry with the same Idempotency-Key to find it. Without a key no retry can.
 */
async function giveUp(db: D1Database, id: string, keep: boolean, now: () => number) {
  if (keep) await releaseHandoff(db, id, new Date(now()).toISOString());
  else await abandonHandoff(db, id);
}

/**
 * Whether a failed create may still have made the ticket: no answer came (timeout, broken
 * connection), Zendesk failed (5xx) or answered what we could not read, or the Worker failed
 * after sending it. A 4xx (429 included) or a request never sent made nothing.
 */
function mayHaveWritten(err: unknown): boolean {
  if (!(err instanceof ZendeskError)) return true;
  return (
    err.kind === 'timeout' ||
    err.kind === 'unreachable' ||
    err.kind === 'server' ||
    err.kind === 'invalid_response'
  );
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

/** The claim this request holds: its handoff id, and what an earlier attempt sent Zendesk. */
interface ClaimedHandoff {
  id: string;
  /** The answer's caller part when an earlier attempt sent the ticket create; else null. */
  earlierCreate: HandoffAnswer['caller'] | null;
}

/**
 * Claims the handoff (or takes over a claim released or left stale by an earlier attempt), or
 * answers for the request that already used its Idempotency-Key: its answer
 * (same request), 422 (another request), or 409 while it is still being made elsewhere.
 */
async function claimOrReplay(
  db: D1Database,
  claim: HandoffClaim,
  deadline: number,
  now: () => number,
  staleClaimMs: number,
): Promise<ClaimedHandoff | HandoffOutcome> {
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
    if (result.claimed) return { id: claim.id, earlierCreate: null };
    let row = result.existing;
    const staleBefore = () => new Date(now() - staleClaimMs).toISOString();
    // A held claim is waited for; a released or stale one is free at once, so its taker still
    // has the budget for Zendesk.
    while (
      row?.status === 'pending' &&
      row.request_sha256 === claim.requestSha256 &&
      row.released_at === null &&
      row.claimed_at >= staleBefore()
    ) {
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
    const taken = await takeOverHandoff(db, row.id, staleBefore(), new Date(now()).toISOString());
    if (taken) {
      // The same id, so the same external_id: what an earlier attempt sent can be found.
      const earlier = taken.createdCaller;
      return {
        id: row.id,
        earlierCreate: earlier === null ? null : (JSON.parse(earlier) as HandoffAnswer['caller']),
      };
    }
    return inProgress;
  }
  return inProgress;
}

/**
 * Zendesk trouble as an answer the AI agent can act on: retry later, or transfer without the
 * header. `kept`: Zendesk may hold the ticket, and a retry with the same Idempotency-Key answers
 * it (or makes it) without a second one.
 */
function zendeskProblem(err: unknown, kept: boolean): HandoffProblem | null {
  if (!(err instanceof ZendeskError)) return null;
  const transfer = kept
    ? 'Zendesk may have made the ticket: retry with the same Idempotency-Key to get it (never a ' +
      'second one), or transfer the call without the header.'
    : 'Nothing was saved; transfer the call without the header, or retry.';
  if (err.kind === 'timeout') {
    return {
      ok: false,
      status: 504,
      error: 'zendesk_timeout',
      message: `Zendesk did not answer in time and the handoff was not saved. ${transfer}`,
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
