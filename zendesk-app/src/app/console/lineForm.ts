// The line form's state, how it becomes a request body, and what is wrong with it as the admin
// types: the ACL with the shared CIDR parser (contract/src/cidr.ts), the same one the Worker uses.
import { parseCidr } from '@sip-bridge/contract/cidr';
import {
  CARRIER_FIELDS,
  carrierBody,
  carrierDraftOf,
  carrierProblems,
  emptyCarrierDraft,
  type CarrierDraft,
} from './carrierOptions';
import type { FieldIssue, Line } from './consoleApi';
import { issueProblem, type KeyedProblem } from './issueProblem';

export interface AclRow {
  /** Set for an entry the line already has (listed and removable, not edited). */
  id?: number;
  cidr: string;
  label: string;
  confirmWide: boolean;
}

export interface LineDraft {
  slug: string;
  name: string;
  /** One SIP URI per line of the text area. */
  sipTargets: string;
  defaultCountry: string;
  createTicket: boolean;
  invalidTicket: 'drop' | 'reject';
  enabled: boolean;
  acl: AclRow[];
  /** Limits, routing, media and caller auth (carrierOptions.ts). */
  carrier: CarrierDraft;
}

/**
 * A problem with one field: a translation key and its values (and, for the Worker's issues, the
 * key to use when the first has no words). Never the Worker's English text.
 */
export type FieldProblem = KeyedProblem;

/** Field name (`name`, `sip_targets`, `acl[0].cidr`) → its problem. */
export type FieldProblems = Record<string, FieldProblem>;

export const emptyDraft = (): LineDraft => ({
  slug: '',
  name: '',
  sipTargets: '',
  defaultCountry: 'US',
  createTicket: false,
  invalidTicket: 'drop',
  enabled: true,
  acl: [],
  carrier: emptyCarrierDraft(),
});

/** The form for an existing line. */
export function draftOf(line: Line): LineDraft {
  return {
    slug: line.slug,
    name: line.name,
    sipTargets: line.sip_targets.join('\n'),
    defaultCountry: line.default_country,
    createTicket: line.create_ticket,
    invalidTicket: line.invalid_ticket,
    enabled: line.enabled,
    acl: line.acl.map((e) => ({ id: e.id, cidr: e.cidr, label: e.label, confirmWide: false })),
    carrier: carrierDraftOf(line),
  };
}

/** Whether a parsed network is wider than the API accepts without `confirm_wide` (/8, /32). */
export function isWide(cidr: string): boolean {
  const parsed = parseCidr(cidr.trim());
  if (!parsed.ok) return false;
  const [address = '', bits = '0'] = parsed.cidr.text.split('/');
  return Number(bits) < (address.includes(':') ? 32 : 8);
}

/**
 * What is wrong with a CIDR as typed, in the parser's terms, as a translation key; null when it
 * is a network the API accepts. The parser's reason picks the key, so both always agree.
 * @example cidrProblem('10.0.0.1/8') // { key: 'console.acl.errors.host_bits', vars: { network: '10.0.0.0/8' } }
 */
export function cidrProblem(text: string): FieldProblem | null {
  const trimmed = text.trim();
  if (!trimmed) return { key: 'console.form.errors.required' };
  const parsed = parseCidr(trimmed);
  if (parsed.ok) return null;
  const { reason } = parsed;
  const hostBits = /the network is (\S+)$/.exec(reason);
  if (hostBits?.[1]) return { key: 'console.acl.errors.host_bits', vars: { network: hostBits[1] } };
  const tooLong = /is longer than \/(\d+)/.exec(reason);
  if (tooLong?.[1]) return { key: 'console.acl.errors.too_long', vars: { max: tooLong[1] } };
  if (reason.includes('not a number')) return { key: 'console.acl.errors.prefix' };
  if (reason.includes('not an IPv4 or IPv6')) return { key: 'console.acl.errors.address' };
  return { key: 'console.acl.errors.format' };
}

/** The problems the form can see before sending: required fields and each new ACL entry. */
export function draftProblems(draft: LineDraft, creating: boolean): FieldProblems {
  const problems: FieldProblems = {};
  const required = { key: 'console.form.errors.required' };
  if (creating && !draft.slug.trim()) problems.slug = required;
  if (!draft.name.trim()) problems.name = required;
  if (!draft.defaultCountry.trim()) problems.default_country = required;
  Object.assign(problems, carrierProblems(draft.carrier, targetsOf(draft)));
  if (!targetsOf(draft).length) problems.sip_targets = required;
  draft.acl.forEach((row, i) => {
    if (row.id !== undefined) return;
    const problem = cidrProblem(row.cidr);
    if (problem) problems[`acl[${i}].cidr`] = problem;
    else if (isWide(row.cidr) && !row.confirmWide)
      problems[`acl[${i}].confirm_wide`] = { key: 'console.acl.errors.confirm_wide' };
  });
  return problems;
}

const targetsOf = (draft: LineDraft) =>
  draft.sipTargets
    .split('\n')
    .map((t) => t.trim())
    .filter(Boolean);

/** The body of `POST /v1/console/lines` for a new line. */
export function createBody(draft: LineDraft) {
  return {
    slug: draft.slug.trim(),
    ...commonFields(draft),
    acl: draft.acl.map(aclEntryBody),
  };
}

/** What saving an edited line does to its ACL: entries to remove, and new rows with their index. */
export function aclChanges(before: Line, draft: LineDraft) {
  const kept = new Set(draft.acl.flatMap((row) => (row.id === undefined ? [] : [row.id])));
  return {
    removed: before.acl.filter((e) => !kept.has(e.id)).map((e) => e.id),
    added: draft.acl.flatMap((row, index) =>
      row.id === undefined ? [{ index, body: aclEntryBody(row) }] : [],
    ),
  };
}

/** The body of `POST /v1/console/lines/{slug}/acl` for a new row. */
export const aclEntryBody = (row: AclRow) => ({
  cidr: row.cidr.trim(),
  label: row.label.trim(),
  ...(row.confirmWide && isWide(row.cidr) ? { confirm_wide: true } : {}),
});

/** The body of `PATCH /v1/console/lines/{slug}`: the line's own fields (the ACL goes apart). */
export function patchBody(draft: LineDraft) {
  return commonFields(draft);
}

function commonFields(draft: LineDraft) {
  return {
    name: draft.name.trim(),
    sip_targets: targetsOf(draft),
    default_country: draft.defaultCountry.trim().toUpperCase(),
    create_ticket: draft.createTicket,
    invalid_ticket: draft.invalidTicket,
    enabled: draft.enabled,
    ...carrierBody(draft.carrier),
  };
}

/**
 * The Worker's field issues, by the form field each belongs to: `sip_targets[2]` is the targets
 * box, `acl[0].cidr` that entry's network; an issue for no field of the form goes under `''`.
 */
export function issuesByField(issues: readonly FieldIssue[]): FieldProblems {
  const out: FieldProblems = {};
  for (const issue of issues) {
    const field = ROW_FIELD.test(issue.path) ? issue.path : fieldOf(issue.path);
    const known = FORM_FIELDS.has(field) || ROW_FIELD.test(field);
    const key = known ? field : '';
    out[key] ??= issueProblem(issue, key);
  }
  return out;
}

/** Rows the form shows one by one: an issue stays on its row. */
const ROW_FIELD =
  /^(?:acl\[\d+\]\.(?:cidr|label|confirm_wide)|auth\.digest\.users\[\d+\]\.(?:username|password))$/;

/** The form field an issue's path falls under: `sip_targets[2]` → `sip_targets`, `auth.token` → itself. */
function fieldOf(path: string): string {
  const bare = path.replace(/\[\d+\]$/, '');
  if (FORM_FIELDS.has(bare)) return bare;
  // `auth.digest.users[3]` (the row as a whole) and `routing` (the object) go to their section's field.
  if (/^auth\.digest\.users/.test(path)) return 'auth.digest.users';
  return bare;
}

const FORM_FIELDS = new Set<string>([
  'slug',
  'name',
  'sip_targets',
  'default_country',
  'create_ticket',
  'invalid_ticket',
  'enabled',
  ...CARRIER_FIELDS,
]);
