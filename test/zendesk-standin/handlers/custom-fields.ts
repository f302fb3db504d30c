// A ticket's `custom_fields` and `priority`, read the way Zendesk applies them.
import { FieldErrorList, isRecord } from '../responses';
import { isCustomField, TICKET_PRIORITIES, type TicketPriority } from '../store';
import type { CustomFieldValue, StandinStore, StoredTicketField } from '../store';

/** A drop-down takes one option tag, a multi-select a list of them; other values are not theirs. */
function valueFits(field: StoredTicketField, value: unknown): boolean {
  const tags = new Set(field.custom_field_options.map((o) => o.value));
  if (field.type === 'tagger')
    return value === null || (typeof value === 'string' && tags.has(value));
  if (field.type === 'multiselect') {
    return Array.isArray(value) && value.every((v) => typeof v === 'string' && tags.has(v));
  }
  return true;
}

/**
 * `custom_fields: [{id, value}]` as Zendesk applies it. Its REST API ignores what its data model
 * does not know ("The REST API is permissive", support article 4418443326106), and callers report
 * drop-down values outside the field's options being dropped without an error. So an entry whose
 * id is no field, a system field or an inactive field is dropped, and so is a drop-down or
 * multi-select value that is not among the field's option tags; other values are kept as sent
 * (UNCONFIRMED: Zendesk's checks of text, number and date values are not documented).
 * Returns the entries applied, or undefined when there is no `custom_fields`.
 */
export function readCustomFields(
  value: unknown,
  store: StandinStore,
): CustomFieldValue[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return [];
  const applied = new Map<number, unknown>();
  for (const entry of value) {
    if (!isRecord(entry) || typeof entry.id !== 'number') continue;
    const field = store.ticketFields.get(entry.id);
    if (!field || !field.active || !isCustomField(field)) continue;
    if (!('value' in entry) || !valueFits(field, entry.value)) continue;
    applied.set(field.id, entry.value);
  }
  return [...applied].map(([id, v]) => ({ id, value: v }));
}

/** Existing values with the new ones applied over them, in field id order. */
export function mergeCustomFields(
  existing: CustomFieldValue[],
  applied: CustomFieldValue[],
): CustomFieldValue[] {
  const merged = new Map(existing.map((f) => [f.id, f.value]));
  for (const f of applied) merged.set(f.id, f.value);
  return [...merged].map(([id, v]) => ({ id, value: v })).sort((a, b) => a.id - b.id);
}

export function readPriority(
  value: unknown,
  errors: FieldErrorList,
): TicketPriority | null | undefined {
  if (value === undefined) return undefined;
  if (value === null || TICKET_PRIORITIES.includes(value as TicketPriority)) {
    return value as TicketPriority | null;
  }
  errors.add(
    'priority',
    `Priority: ${String(value)} is not one of ${TICKET_PRIORITIES.join(', ')}`,
  );
  return undefined;
}
