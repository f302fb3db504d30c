// Checks a value against the JSON Schema the build derives from the call-record schema
// (scripts/ticketCallsSchema.ts), with the few keywords that schema uses. The build refuses a
// schema with any other keyword, so nothing in it goes unchecked here.

export type JsonType = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object';

export interface JsonSchema {
  type?: JsonType | JsonType[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
}

/** Every keyword `schemaIssue` checks. */
export const CHECKED_KEYWORDS: readonly (keyof JsonSchema)[] = [
  'type',
  'enum',
  'anyOf',
  'properties',
  'required',
  'items',
  'minimum',
  'maximum',
];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function hasType(type: JsonType, v: unknown): boolean {
  switch (type) {
    case 'null':
      return v === null;
    case 'integer':
      return Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'array':
      return Array.isArray(v);
    case 'object':
      return isObject(v);
    default:
      return typeof v === type;
  }
}

/**
 * The first place where `value` does not fit `schema`, as `path: problem`; undefined when it
 * fits. Properties the schema does not name are allowed (a newer bridge may send more).
 *
 * @example
 * schemaIssue({ type: 'object', properties: { id: { type: 'integer' } } }, { id: 'x' });
 * // 'id: expected integer'
 */
export function schemaIssue(schema: JsonSchema, value: unknown, path = ''): string | undefined {
  const at = (problem: string) => `${path || '(body)'}: ${problem}`;
  if (schema.anyOf && schema.anyOf.every((s) => schemaIssue(s, value, path) !== undefined)) {
    return at('matches none of the allowed forms');
  }
  if (schema.type !== undefined) {
    const types = ([] as JsonType[]).concat(schema.type);
    if (!types.some((t) => hasType(t, value))) return at(`expected ${types.join(' or ')}`);
  }
  if (schema.enum && !schema.enum.includes(value)) {
    return at(`expected one of ${schema.enum.join(', ')}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) return at('too small');
    if (schema.maximum !== undefined && value > schema.maximum) return at('too large');
  }
  const inner = (key: string | number) => (path ? `${path}.${key}` : String(key));
  if (Array.isArray(value) && schema.items) {
    for (const [i, item] of value.entries()) {
      const issue = schemaIssue(schema.items, item, inner(i));
      if (issue) return issue;
    }
  }
  if (isObject(value)) {
    for (const key of schema.required ?? []) {
      if (!Object.hasOwn(value, key)) return `${inner(key)}: missing`;
    }
    for (const [key, property] of Object.entries(schema.properties ?? {})) {
      if (!Object.hasOwn(value, key)) continue;
      const issue = schemaIssue(property, value[key], inner(key));
      if (issue) return issue;
    }
  }
  return undefined;
}
