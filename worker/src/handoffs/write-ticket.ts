// The Zendesk side of a handoff: check the custom fields and the given ticket, match the caller
// (as calls are matched), take the new ticket (and requester) from the line's creation cap, create
// the requester when the line allows it, then write the ticket (a new one with via_id 34 and the
// handoff's external_id, or an update of the given one) with the handoff as one private note. A
// retry after a create whose answer was lost finds that ticket by its external_id instead.
import type { TranscriptTurn } from '@sip-bridge/contract/handoff';
import { createCallerUser } from '../calls/create-caller-user';
import { matchCaller, type CallerMatch } from '../calls/match-caller';
import { bridgeTags, describeCallerMatch } from '../calls/ticket-content';
import type { FieldIssue } from '../http/problem';
import { takeCreation } from '../lines/creation-cap';
import type { LineConfig } from '../lines/store';
import { displayNumber } from '../phone/display';
import type { HandoffAnswer, HandoffRequest } from '../schemas/handoffs';
import type { CustomFieldValue, TicketPriority, ZendeskClient } from '../zendesk/client';
import { ZendeskError } from '../zendesk/errors';
import type { ZendeskTicket } from '../zendesk/schemas';
import { handoffCommentHtml } from './comment';
import { checkCustomFields } from './custom-fields';
import { handoffExternalId } from './store';

/** The tag every handoff ticket gets, beside the bridge's own. */
const HANDOFF_TAG = 'sip_handoff';

export interface WriteDeps {
  db: D1Database;
  zendesk: ZendeskClient;
  now: () => number;
  deadline: number;
}

export interface HandoffFacts {
  handoffId: string;
  line: LineConfig;
  keyLabel: string;
  caller: { e164: string; nationalNumber: string };
  request: HandoffRequest;
  transcript: TranscriptTurn[];
}

/** How the handoff's ticket create relates to the attempts before this one. */
export interface CreateAttempt {
  /**
   * The answer's caller part as an earlier attempt had it when it sent this handoff's ticket
   * create (its answer never came back): Zendesk may hold the ticket, so it is looked up by its
   * external_id before anything is written. Null on a first attempt: nothing is looked up.
   */
  earlier: HandoffAnswer['caller'] | null;
  /** Called just before the create is sent, with the caller part of the answer to come. */
  beforeCreate(caller: HandoffAnswer['caller']): Promise<void>;
}

/** What was written: the ticket, and the caller part of the answer. */
export type WriteResult =
  | {
      ok: true;
      ticket: ZendeskTicket;
      action: 'created' | 'updated';
      caller: HandoffAnswer['caller'];
    }
  | { ok: false; reason: 'invalid'; issues: FieldIssue[] }
  /** The line's cap on users and tickets created per minute cannot cover this handoff's. */
  | { ok: false; reason: 'creation_cap'; perMinute: number };

interface TicketFields {
  priority?: TicketPriority;
  custom_fields?: CustomFieldValue[];
}

type Requester = Pick<HandoffAnswer['caller'], 'requester' | 'requester_note'> & {
  match: CallerMatch;
  matchText: string;
};

/** Checks first (no write before every check passed), then writes the ticket. */
export async function writeHandoffTicket(
  deps: WriteDeps,
  f: HandoffFacts,
  attempt: CreateAttempt,
): Promise<WriteResult> {
  const { zendesk, deadline } = deps;
  const req = f.request;
  const externalId = handoffExternalId(f.handoffId);
  if (attempt.earlier && req.ticket_id === undefined) {
    // Zendesk's external ids need not be unique: the first (oldest) ticket is this handoff's.
    const [made] = await zendesk.findTicketsByExternalId(externalId, { deadline });
    if (made) return { ok: true, ticket: made, action: 'created', caller: attempt.earlier };
  }
  const [fieldIssues, matched, existing] = await settleAll([
    checkCustomFields(zendesk, req.custom_fields ?? [], deadline, deps.now()),
    matchCaller(deps, f.caller, f.line.defaultCountry, deadline),
    req.ticket_id === undefined ? null : zendesk.showTicket(req.ticket_id, { deadline }),
  ] as const);
  const issues = [...fieldIssues, ...ticketIssues(req.ticket_id, existing)];
  if (issues.length) return { ok: false, reason: 'invalid', issues };

  let requester = unchanged(matched);
  if (!existing) {
    const planned = plannedRequester(f.line, matched);
    // The ticket and the user made for it count in the line's cap, both or neither: over it
    // nothing is written.
    const creations = planned === 'create' ? 2 : 1;
    const line = f.line;
    if (
      !(await takeCreation(deps.db, line.id, line.maxCreationsPerMinute, deps.now(), creations))
    ) {
      return { ok: false, reason: 'creation_cap', perMinute: line.maxCreationsPerMinute };
    }
    requester =
      planned === 'create'
        ? await createRequester(deps, line, f.caller.e164, req.caller, matched)
        : planned;
  }
  const htmlBody = handoffCommentHtml({
    handoffId: f.handoffId,
    line: f.line,
    keyLabel: f.keyLabel,
    callerE164: f.caller.e164,
    caller: req.caller,
    matchText: requester.matchText,
    summary: req.summary ?? null,
    intent: req.intent ?? null,
    language: req.language ?? null,
    transcript: f.transcript,
  });
  const tags = [...bridgeTags(f.line, requester.match.result), HANDOFF_TAG, ...(req.tags ?? [])];
  const fields: TicketFields = {
    ...(req.priority ? { priority: req.priority } : {}),
    ...(req.custom_fields?.length ? { custom_fields: req.custom_fields } : {}),
  };
  const comment = { html_body: htmlBody, public: false };
  const answerCaller: HandoffAnswer['caller'] = {
    e164: f.caller.e164,
    match: matched.result,
    user_id: requester.match.userId,
    candidates: matched.candidates,
    requester: requester.requester,
    requester_note: requester.requester_note,
  };

  if (existing) {
    const ticket = await updateKeepingTags(deps, existing, { comment, tags, ...fields });
    return { ok: true, ticket, action: 'updated', caller: answerCaller };
  }
  const userId = requester.requester === 'none' ? null : requester.match.userId;
  await attempt.beforeCreate(answerCaller);
  const ticket = await zendesk.createTicket(
    {
      subject: req.subject ?? `Call from ${displayNumber(f.caller.e164)}`,
      comment,
      ...(userId !== null ? { requester_id: userId } : {}),
      tags: [...new Set(tags)],
      ...fields,
      // Zendesk's SIP-IN guide asks AI agents for "phone call inbound" tickets (via_id 34).
      via_id: 34,
      // How a retry finds this ticket if Zendesk makes it but its answer is lost.
      external_id: externalId,
    },
    { deadline },
  );
  return { ok: true, ticket, action: 'created', caller: answerCaller };
}

/**
 * Promise.all that waits for every step before failing with the first error: the steps share one
 * deadline, and none is left running (or holding a Zendesk request) after the answer.
 */
async function settleAll<T extends readonly unknown[]>(
  steps: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(steps);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}

function ticketIssues(ticketId: number | undefined, existing: ZendeskTicket | null): FieldIssue[] {
  if (ticketId === undefined) return [];
  if (!existing) return [{ path: 'ticket_id', message: 'no such ticket in Zendesk' }];
  if (existing.status === 'closed') {
    return [
      {
        path: 'ticket_id',
        message: 'is closed, and closed tickets cannot change; leave ticket_id out to create one',
      },
    ];
  }
  return [];
}

function unchanged(match: CallerMatch): Requester {
  return {
    match,
    matchText: describeCallerMatch(match, false),
    requester: 'unchanged',
    requester_note: null,
  };
}

/**
 * The requester of a new ticket: the matched user; for an unknown caller a user made for them
 * (`create`) when the line creates tickets; else none (ambiguous callers are never guessed).
 */
function plannedRequester(line: LineConfig, match: CallerMatch): Requester | 'create' {
  if (match.result === 'matched') return { ...unchanged(match), requester: 'matched' };
  if (match.result === 'ambiguous') {
    return noRequester(match, 'several users share this phone; an agent chooses');
  }
  if (!line.createTicket) {
    return noRequester(match, 'the line does not create users (create_ticket is off)');
  }
  return 'create';
}

function noRequester(match: CallerMatch, note: string): Requester {
  return {
    match,
    matchText: `${describeCallerMatch(match, false)}; no requester set (${note})`,
    requester: 'none',
    requester_note: note,
  };
}

/** Creates the unknown caller's user, its creation already taken from the line's cap. */
async function createRequester(
  deps: WriteDeps,
  line: LineConfig,
  e164: string,
  given: HandoffRequest['caller'],
  match: CallerMatch,
): Promise<Requester> {
  try {
    const created = await createCallerUser(
      deps,
      line,
      { e164, name: given.name, email: given.email, externalId: given.external_id },
      deps.deadline,
      { capTaken: true },
    );
    return {
      match: created,
      matchText: `no Zendesk user had this number; created user #${created.userId}`,
      requester: 'created',
      requester_note: null,
    };
  } catch (err) {
    // A refused user (an email or external id another user has) still gets its ticket.
    if (err instanceof ZendeskError && err.kind === 'client' && err.status === 422) {
      return noRequester(
        match,
        'Zendesk refused to create the user; its email or external_id may be in use',
      );
    }
    throw err;
  }
}

/**
 * Update Ticket replaces a ticket's tags, so the ticket's own are sent back with ours, guarded by
 * a safe update: if the ticket changed since it was read, it is read again once.
 */
async function updateKeepingTags(
  deps: WriteDeps,
  ticket: ZendeskTicket,
  update: { comment: { html_body: string; public: boolean }; tags: string[] } & TicketFields,
): Promise<ZendeskTicket> {
  const attempt = (current: ZendeskTicket) =>
    deps.zendesk.updateTicket(
      current.id,
      {
        ...update,
        tags: [...new Set([...current.tags, ...update.tags])],
        ...(current.updated_at ? { safe_update: true, updated_stamp: current.updated_at } : {}),
      },
      { deadline: deps.deadline },
    );
  try {
    return await attempt(ticket);
  } catch (err) {
    if (!(err instanceof ZendeskError && err.status === 409)) throw err;
    const again = await deps.zendesk.showTicket(ticket.id, { deadline: deps.deadline });
    if (!again) throw err;
    return attempt(again);
  }
}
