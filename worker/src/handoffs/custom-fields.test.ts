import { describe, expect, it } from 'vitest';
import type { ZendeskTicketField } from '../zendesk/schemas';
import { customFieldIssues } from './custom-fields';

const field = (id: number, type: string, extra: Partial<ZendeskTicketField> = {}) =>
  [id, { id, type, active: true, ...extra }] as const;
const fields = new Map<number, ZendeskTicketField>([
  field(1, 'subject'),
  field(10, 'text'),
  field(11, 'tagger', { custom_field_options: [{ value: 'gold' }, { value: 'silver' }] }),
  field(12, 'multiselect', { custom_field_options: [{ value: 'a' }, { value: 'b' }] }),
  field(13, 'checkbox'),
  field(14, 'integer'),
  field(15, 'decimal'),
  field(16, 'date'),
  field(17, 'text', { active: false }),
  field(18, 'lookup'),
]);

describe('customFieldIssues', () => {
  it('accepts values each field type takes, and null to clear any field', () => {
    expect(
      customFieldIssues(fields, [
        { id: 10, value: 'A-1' },
        { id: 11, value: 'gold' },
        { id: 12, value: ['a', 'b'] },
        { id: 13, value: false },
        { id: 14, value: '42' },
        { id: 15, value: 4.5 },
        { id: 16, value: '2026-11-21' },
        { id: 18, value: 20001 },
      ]),
    ).toEqual([]);
    expect(customFieldIssues(fields, [{ id: 11, value: null }])).toEqual([]);
  });

  it('names the id of an unknown, system, inactive or repeated field', () => {
    expect(
      customFieldIssues(fields, [
        { id: 99, value: 'x' },
        { id: 1, value: 'x' },
        { id: 17, value: 'x' },
        { id: 10, value: 'x' },
        { id: 10, value: 'y' },
      ]),
    ).toEqual([
      { path: 'custom_fields[0].id', message: 'no ticket field with this id in Zendesk' },
      { path: 'custom_fields[1].id', message: 'is a system field, not a custom one' },
      { path: 'custom_fields[2].id', message: 'is an inactive ticket field' },
      { path: 'custom_fields[4].id', message: 'repeats custom_fields[3].id' },
    ]);
  });

  it('names the value a field cannot take, without quoting it', () => {
    const issues = customFieldIssues(fields, [
      { id: 10, value: 7 },
      { id: 11, value: 'Gold' },
      { id: 12, value: ['a', 'z'] },
      { id: 13, value: 'true' },
      { id: 14, value: 4.5 },
      { id: 15, value: 'lots' },
      { id: 16, value: '2026-13-45' },
    ]);
    expect(issues.map((i) => i.path)).toEqual(
      [0, 1, 2, 3, 4, 5, 6].map((i) => `custom_fields[${i}].value`),
    );
    for (const issue of issues) expect(issue.message).not.toMatch(/Gold|lots|2026/);
  });
});
