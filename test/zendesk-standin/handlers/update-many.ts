// Update Many Tickets in its batch form (`PUT /api/v2/tickets/update_many` with a `tickets` array,
// each item its own changes).
//
// Zendesk queues the batch as a background job (jobs.ts) and answers its `job_status`; the job runs
// later and its `results` say per ticket whether the update succeeded. Each item goes through
// the very handler of Update Ticket (closed tickets, comment limits, access), as the API user who
// queued the job. `additional_tags` / `remove_tags` add or remove tags without replacing the others.
import { json } from 'itty-router';
import { isPositiveInteger, isRecord, isStringArray } from '../responses';
import type { StoredJob, StoredJobItem, StoredJobResult } from '../store';
import type { ApiContext, ApiRequest, ApiRouter } from './context';
import { queueJob, registerJobRunner } from './jobs';
import { updateTicket } from './tickets';

/** "Accepts an array of up to 100 ticket objects" (Update Many Tickets). */
export const MAX_TICKETS_PER_JOB = 100;

export function registerUpdateManyRoutes(router: ApiRouter): void {
  router.put('/api/v2/tickets/update_many', updateMany);
  registerJobRunner('bulk_update', runJob);
}

/** UNCONFIRMED body: Zendesk documents the 100 limit, not the answer past it. */
export function badRequest(description: string): Response {
  return json({ error: 'InvalidValue', description }, { status: 400 });
}

/** Tags as Zendesk's batch example sends them: an array, or one tag as a string. */
function tagList(value: unknown): string[] | null {
  if (value === undefined) return [];
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  return isStringArray(value) ? value : null;
}

function updateMany(_req: ApiRequest, ctx: ApiContext): Response {
  // The bulk form (`?ids=` with one `ticket` object) is not emulated: the bridge never sends it.
  if (ctx.searchParams.has('ids')) return badRequest('The bulk form (?ids=) is not emulated');
  const tickets = isRecord(ctx.body) ? ctx.body.tickets : undefined;
  if (!Array.isArray(tickets)) {
    return json({ error: 'ParameterMissing', description: 'tickets' }, { status: 400 });
  }
  if (tickets.length === 0) return badRequest('tickets must not be empty');
  if (tickets.length > MAX_TICKETS_PER_JOB) {
    return badRequest(`Too many tickets: at most ${MAX_TICKETS_PER_JOB} per request`);
  }
  const items: StoredJobItem[] = [];
  for (const t of tickets) {
    if (!isRecord(t) || !isPositiveInteger(t.id)) return badRequest('every ticket needs an id');
    const { id, ...changes } = t;
    items.push({ id: id as number, changes });
  }
  return queueJob(ctx, items, 'bulk_update');
}

/** Runs every item as its own Update Ticket, in order, and answers one result per item. */
async function runJob(job: StoredJob, ctx: ApiContext): Promise<StoredJobResult[]> {
  const { actor } = ctx;
  const results: StoredJobResult[] = [];
  for (const [index, item] of job.items.entries()) {
    const { additional_tags, remove_tags, ...changes } = item.changes;
    const add = tagList(additional_tags);
    const remove = tagList(remove_tags);
    const fail = (error: string, details: string): StoredJobResult => ({
      id: item.id,
      index,
      action: 'update',
      success: false,
      status: 'Failed',
      error,
      details,
    });
    if (add === null || remove === null) {
      results.push(fail('RecordInvalid', 'Tags: must be an array of strings'));
      continue;
    }
    const routed: ApiRequest = {
      method: 'PUT',
      url: `${ctx.origin}/api/v2/tickets/${item.id}`,
      params: { id: String(item.id) },
      query: {},
    };
    const res = updateTicket(routed, { ...ctx, actor, body: { ticket: changes } });
    if (res.status !== 200) {
      results.push(fail(...(await failureText(res))));
      continue;
    }
    const ticket = ctx.store.tickets.get(item.id)!;
    if (add.length || remove.length) {
      ticket.tags = [...new Set([...ticket.tags, ...add])].filter((t) => !remove.includes(t));
    }
    results.push({ id: item.id, index, action: 'update', success: true, status: 'Updated' });
  }
  return results;
}

/** `error` and `details` of a failed item from the single update's error body. */
async function failureText(res: Response): Promise<[string, string]> {
  const body = (await res.json()) as {
    error?: string;
    description?: string;
    details?: Record<string, { description?: string }[]>;
  };
  const details = Object.values(body.details ?? {})
    .flat()
    .map((d) => d.description)
    .filter(Boolean)
    .join('; ');
  return [body.error ?? 'TicketUpdateFailed', details || body.description || `HTTP ${res.status}`];
}
