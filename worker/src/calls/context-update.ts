// A call's mapped context headers as one item of an Update Many batch (see note-batches.ts),
// outside the call path: tags as `additional_tags` (added to the ticket's own, idempotent), custom
// fields and the internal note, all in the same item. `additional_tags` in a batch item follows
// Zendesk's "Adding tags to tickets without overwriting existing tags", which shows it in a batch
// update; an older version of that page said it worked only in the bulk form (`?ids=`).
import type { CallContextItem } from '@sip-bridge/contract/call-context';
import { customFieldIssues, ticketFields } from '../handoffs/custom-fields';
import type { BatchTicketUpdate, CustomFieldValue, ZendeskClient } from '../zendesk/client';
import type { ZendeskTicketField } from '../zendesk/schemas';
import type { MappedContext } from './context-headers';

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
 * The batch item for a call's context, and what the context becomes once it is written (the items
 * Zendesk will take, and the refusals with the fields it would not). No item when nothing is left
 * to write. Reads the account's ticket fields (cached) when the context sets custom fields.
 */
export async function contextBatchItem(
  zendesk: ZendeskClient,
  ticketId: number,
  context: MappedContext,
  deadline: number,
  nowMs: number,
): Promise<{ item: BatchTicketUpdate | null; result: MappedContext }> {
  const byKind = (to: CallContextItem['to']) => context.items.filter((i) => i.to === to);
  const fields = byKind('custom_field').length
    ? await checkedFields(zendesk, byKind('custom_field'), deadline, nowMs)
    : { ok: [], written: [], refused: [] };
  const tags = byKind('tag');
  const notes = byKind('note');
  const result = {
    items: [...tags, ...fields.written, ...notes],
    refused: [...context.refused, ...fields.refused],
  };
  if (!result.items.length) return { item: null, result };
  return {
    item: {
      id: ticketId,
      ...(notes.length ? { comment: { body: contextNote(notes), public: false } } : {}),
      ...(fields.ok.length ? { custom_fields: fields.ok } : {}),
      ...(tags.length ? { additional_tags: tags.map((t) => t.value) } : {}),
    },
    result,
  };
}
