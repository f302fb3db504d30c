// Writes a call's mapped context headers to its ticket, outside the call path: tags through the
// Tags API (added to the ticket's own, idempotent), then custom fields and the internal note in
// one update. At least once: the row is claimed ('pending' → 'posting'), a failure puts it back
// for the cron, a refusal by Zendesk ends it as 'failed'.
import type { CallContextItem } from '@sip-bridge/contract/call-context';
import { customFieldIssues, ticketFields } from '../handoffs/custom-fields';
import type { CustomFieldValue, ZendeskClient } from '../zendesk/client';
import type { ZendeskTicketField } from '../zendesk/schemas';
import type { MappedContext } from './context-headers';
import { NEXT_SEQ } from './record';

/** Attempts before the context is given up as 'failed' (about 40 minutes of cron retries). */
const MAX_CONTEXT_ATTEMPTS = 8;
const STALE_POSTING_MS = 5 * 60_000;
/** Time one attempt may take (it runs after the decision, never in the call path). */
const ATTEMPT_MS = 10_000;

/** A header's text as the field takes it: checkbox words, multi-select lists, the rest as sent. */
function typedValue(
  field: ZendeskTicketField | undefined,
  text: string,
): CustomFieldValue['value'] {
  if (field?.type === 'checkbox') {
    if (/^(?:true|yes|on|1)$/i.test(text)) return true;
    if (/^(?:false|no|off|0)$/i.test(text)) return false;
  }
  if (field?.type === 'multiselect') {
    return text
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
  }
  return text;
}

/** The internal note's text: one `label: value` line per note item. */
export function contextNote(items: readonly CallContextItem[]): string {
  return [
    'Context sent with the call (SIP headers):',
    ...items.map((i) => `${i.label ?? i.header}: ${i.value}`),
  ].join('\n');
}

/** Custom field items as Zendesk will take them; the others become refusals. */
async function checkedFields(
  zendesk: ZendeskClient,
  items: CallContextItem[],
  deadline: number,
  nowMs: number,
) {
  const fields = await ticketFields(
    zendesk,
    items.map((i) => i.field_id!),
    deadline,
    nowMs,
  );
  const values = items.map((i) => ({
    id: i.field_id!,
    value: typedValue(fields.get(i.field_id!), i.value),
  }));
  const issues = new Map(
    customFieldIssues(fields, values).map((issue) => [
      Number(/^custom_fields\[(\d+)\]/.exec(issue.path)![1]),
      issue.message,
    ]),
  );
  return {
    ok: values.filter((_, i) => !issues.has(i)),
    written: items.filter((_, i) => !issues.has(i)),
    refused: [...issues].map(([i, message]) => ({
      header: items[i]!.header,
      reason: `field ${items[i]!.field_id} ${message}`,
    })),
  };
}

/**
 * Posts the call's context to its ticket once (claimed, so two runs never post together).
 * @returns what became of it: 'posted', 'pending' (retried later), 'failed', or 'not_due'
 */
export async function postCallContext(
  db: D1Database,
  zendesk: ZendeskClient,
  callId: string,
  now: () => number = Date.now,
): Promise<'posted' | 'pending' | 'failed' | 'not_due'> {
  const call = await db
    .prepare(
      `UPDATE calls SET context_status = 'posting', context_attempts = context_attempts + 1,
         updated_at = ?
       WHERE call_id = ? AND context_status = 'pending'
       RETURNING ticket_id, context_json, context_attempts`,
    )
    .bind(new Date(now()).toISOString(), callId)
    .first<{ ticket_id: number | null; context_json: string | null; context_attempts: number }>();
  if (!call || call.ticket_id === null || !call.context_json) return 'not_due';
  const context = JSON.parse(call.context_json) as MappedContext;
  const started = now();
  const deadline = started + ATTEMPT_MS;
  let result = context;
  let outcome: 'posted' | 'pending' | 'failed';
  try {
    const byKind = (to: CallContextItem['to']) => context.items.filter((i) => i.to === to);
    const fields = byKind('custom_field').length
      ? await checkedFields(zendesk, byKind('custom_field'), deadline, started)
      : { ok: [], written: [], refused: [] };
    const tags = byKind('tag');
    const notes = byKind('note');
    if (tags.length) {
      await zendesk.addTags(
        call.ticket_id,
        tags.map((t) => t.value),
        { deadline },
      );
    }
    if (notes.length || fields.ok.length) {
      await zendesk.updateTicket(
        call.ticket_id,
        {
          ...(notes.length ? { comment: { body: contextNote(notes), public: false } } : {}),
          ...(fields.ok.length ? { custom_fields: fields.ok } : {}),
        },
        { deadline },
      );
    }
    result = {
      items: [...tags, ...fields.written, ...notes],
      refused: [...context.refused, ...fields.refused],
    };
    outcome = result.items.length ? 'posted' : 'failed';
  } catch (err) {
    const kind = (err as { kind?: string }).kind;
    // A 4xx other than rate limiting will not get better by retrying (closed or deleted ticket).
    const permanent = kind === 'client' || kind === 'auth';
    outcome = permanent || call.context_attempts >= MAX_CONTEXT_ATTEMPTS ? 'failed' : 'pending';
    console.warn(`call context for ${callId} not posted (${kind ?? 'error'}); now ${outcome}`);
  }
  await db
    .prepare(
      `UPDATE calls SET context_status = ?, context_json = ?, seq = ${NEXT_SEQ}, updated_at = ?
       WHERE call_id = ?`,
    )
    .bind(outcome, JSON.stringify(result), new Date(now()).toISOString(), callId)
    .run();
  return outcome;
}

/** Contexts still owed: pending ones, and claims abandoned by a run that died. */
export async function duePendingContexts(db: D1Database, limit = 25): Promise<string[]> {
  const stale = new Date(Date.now() - STALE_POSTING_MS).toISOString();
  await db
    .prepare(
      `UPDATE calls SET context_status = 'pending' WHERE context_status = 'posting' AND updated_at < ?`,
    )
    .bind(stale)
    .run();
  const rows = await db
    .prepare(`SELECT call_id FROM calls WHERE context_status = 'pending' ORDER BY id LIMIT ?`)
    .bind(limit)
    .all<{ call_id: string }>();
  return rows.results.map((r) => r.call_id);
}
