// Custom field values checked against the account's ticket fields before anything is written:
// Zendesk itself drops an unknown field id, or a drop-down value outside the field's options,
// without an error, so the AI agent would never learn its data was lost.
import type { FieldIssue } from '../http/problem';
import type { CustomFieldValue, ZendeskClient } from '../zendesk/client';
import type { ZendeskTicketField } from '../zendesk/schemas';

/** How long an isolate trusts its copy of the fields (Zendesk asks clients to cache them). */
const FIELDS_TTL_MS = 5 * 60_000;
/** An unknown id is asked about again once the copy is this old: the field may be new. */
const REFRESH_UNKNOWN_AFTER_MS = 30_000;

let cached: { fields: Map<number, ZendeskTicketField>; loadedAt: number } | null = null;

const CUSTOM_TYPES = new Set([
  'text',
  'textarea',
  'checkbox',
  'date',
  'integer',
  'decimal',
  'regexp',
  'partialcreditcard',
  'multiselect',
  'tagger',
  'lookup',
]);

async function load(zendesk: ZendeskClient, deadline: number, nowMs: number) {
  const list = await zendesk.listTicketFields({ deadline });
  cached = { fields: new Map(list.map((f) => [f.id, f])), loadedAt: nowMs };
  return cached;
}

/** What is wrong with a value for this field, or null when the field takes it. */
function valueProblem(field: ZendeskTicketField, value: CustomFieldValue['value']): string | null {
  if (value === null) return null;
  const options = new Set((field.custom_field_options ?? []).map((o) => o.value));
  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'regexp':
    case 'partialcreditcard':
      return typeof value === 'string' ? null : 'must be a string for this text field';
    case 'integer':
      return Number.isSafeInteger(value) ||
        (typeof value === 'string' && /^-?\d{1,15}$/.test(value))
        ? null
        : 'must be a whole number for this integer field';
    case 'decimal':
      return (typeof value === 'number' && Number.isFinite(value)) ||
        (typeof value === 'string' && /^-?\d{1,15}(\.\d{1,15})?$/.test(value))
        ? null
        : 'must be a number for this decimal field';
    case 'checkbox':
      return typeof value === 'boolean' ? null : 'must be true or false for this checkbox field';
    case 'date':
      return typeof value === 'string' &&
        /^\d{4}-\d{2}-\d{2}$/.test(value) &&
        !Number.isNaN(Date.parse(`${value}T00:00:00Z`))
        ? null
        : 'must be a date, YYYY-MM-DD, for this date field';
    case 'tagger':
      return typeof value === 'string' && options.has(value)
        ? null
        : "must be one of the drop-down field's option tags (its custom_field_options values)";
    case 'multiselect':
      return Array.isArray(value) && value.every((v) => options.has(v))
        ? null
        : "must be a list of the multi-select field's option tags";
    default:
      return null;
  }
}

/** The issues of each entry against these fields: id first (unknown, not custom, inactive, repeated), then value. */
export function customFieldIssues(
  fields: ReadonlyMap<number, ZendeskTicketField>,
  entries: readonly CustomFieldValue[],
): FieldIssue[] {
  const seen = new Map<number, number>();
  return entries.flatMap((entry, i): FieldIssue[] => {
    const path = `custom_fields[${i}]`;
    const field = fields.get(entry.id);
    const first = seen.get(entry.id);
    seen.set(entry.id, first ?? i);
    if (!field) return [{ path: `${path}.id`, message: 'no ticket field with this id in Zendesk' }];
    if (!CUSTOM_TYPES.has(field.type)) {
      return [{ path: `${path}.id`, message: 'is a system field, not a custom one' }];
    }
    if (!field.active) return [{ path: `${path}.id`, message: 'is an inactive ticket field' }];
    if (first !== undefined) {
      return [{ path: `${path}.id`, message: `repeats custom_fields[${first}].id` }];
    }
    const problem = valueProblem(field, entry.value);
    return problem ? [{ path: `${path}.value`, message: problem }] : [];
  });
}

/**
 * The account's ticket fields, cached per isolate; asked again for an id it does not know once the
 * copy is 30 s old (the field may be new). Zendesk errors propagate.
 */
export async function ticketFields(
  zendesk: ZendeskClient,
  ids: readonly number[],
  deadline: number,
  nowMs: number,
): Promise<ReadonlyMap<number, ZendeskTicketField>> {
  let copy =
    cached && nowMs - cached.loadedAt < FIELDS_TTL_MS
      ? cached
      : await load(zendesk, deadline, nowMs);
  if (ids.some((id) => !copy.fields.has(id)) && nowMs - copy.loadedAt >= REFRESH_UNKNOWN_AFTER_MS) {
    copy = await load(zendesk, deadline, nowMs);
  }
  return copy.fields;
}

/**
 * Checks custom field values against the account's ticket fields (see ticketFields).
 * @example const issues = await checkCustomFields(zendesk, body.custom_fields, deadline, Date.now());
 */
export async function checkCustomFields(
  zendesk: ZendeskClient,
  entries: readonly CustomFieldValue[],
  deadline: number,
  nowMs: number,
): Promise<FieldIssue[]> {
  if (entries.length === 0) return [];
  const fields = await ticketFields(
    zendesk,
    entries.map((e) => e.id),
    deadline,
    nowMs,
  );
  return customFieldIssues(fields, entries);
}

/** Forgets the cached fields (tests, and after an admin changes fields). */
export function clearTicketFieldCache() {
  cached = null;
}
