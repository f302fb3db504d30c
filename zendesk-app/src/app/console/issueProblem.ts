// The Worker's refusal of a field, as the console words it in the admin's language: a
// translation key per kind of problem (the issue's `code`, worker/src/http/console-issues.ts),
// never the Worker's English `message`. A kind the console has no words for gets a generic
// message naming the field.
import type { FieldIssue } from './consoleApi';

/** A problem as the form shows it: a key, its values, and the key to use when it has no words. */
export interface KeyedProblem {
  key: string;
  vars?: Record<string, string | number>;
  fallback?: string;
}

/** Words of the form's own checks that say the same as a kind of issue on that field. */
const BY_FIELD_AND_KIND: Record<string, string> = {
  'sip_targets invalid_format': 'console.issues.sip_target',
  'slug invalid_format': 'console.issues.slug',
  'auth.token.header invalid_format': 'console.auth.errors.token_header',
  'auth.token.secret invalid_format': 'console.auth.errors.token_secret',
  'auth.tech_prefix invalid_format': 'console.auth.errors.tech_prefix',
  'auth.digest.realm invalid_format': 'console.auth.errors.realm',
  'auth.digest.users[].username invalid_format': 'console.auth.errors.username',
  'auth.digest.users[].password invalid_format': 'console.auth.errors.password',
  'auth.digest.users[].password too_small': 'console.auth.errors.password',
  'auth.digest.users[].password too_big': 'console.auth.errors.password',
  'auth.p_charge_info.numbers invalid_format': 'console.auth.errors.e164',
  'time_zone custom': 'console.rules.errors.time_zone',
  'rules[].id invalid_format': 'console.rules.errors.id',
  'rules[].id custom': 'console.issues.repeated',
  'rules[].when custom': 'console.rules.errors.no_condition',
  'rules[].when.user_tags invalid_format': 'console.rules.errors.tag',
  'rules[].when.time[].from invalid_format': 'console.rules.errors.clock_from',
  'rules[].when.time[].from custom': 'console.rules.errors.clock_from',
  'rules[].when.time[].to invalid_format': 'console.rules.errors.clock',
  'rules[].when.time[].to custom': 'console.rules.errors.same_time',
  'rules[].sip_targets invalid_format': 'console.issues.sip_target',
  'url custom': 'console.webhook.errors.url',
  'failover_url custom': 'console.webhook.errors.url',
  'url webhook_url_refused': 'console.webhook.errors.refused',
  'failover_url webhook_url_refused': 'console.webhook.errors.refused',
};

/** Kinds with words of their own (`console.issues.<kind>`, or `<kind>_<origin>` for bounds). */
const KINDS = new Set([
  'invalid_type',
  'invalid_value',
  'invalid_format',
  'unknown_fields',
  'unknown_country',
  'invalid_cidr',
  'insecure_target',
  'unconfirmed_wide',
  'missing_secret',
  'reserved_header',
  'repeated',
  'invalid_number',
]);
const BOUNDED = new Set(['string', 'number', 'array']);

/**
 * The key for one Worker issue, `field` being the form field it is shown under ('' for none).
 * @example issueProblem({ path: 'routing.no_answer_ms', message: '…', code: 'too_small', origin: 'number', minimum: 1000 }, 'routing.no_answer_ms')
 * // { key: 'console.issues.too_small_number', vars: { field: 'routing.no_answer_ms', min: 1000 }, fallback: 'console.issues.other' }
 */
export function issueProblem(issue: FieldIssue, field: string): KeyedProblem {
  const vars: Record<string, string | number> = { field: issue.path || '—' };
  if (issue.minimum !== undefined) vars.min = issue.minimum;
  if (issue.maximum !== undefined) vars.max = issue.maximum;
  const fallback = 'console.issues.other';
  const kind = issue.code ?? 'custom';
  // Under no field of the form, the message names the field whatever the kind.
  if (!field) return { key: fallback, vars };
  const rowField = issue.path.replace(/\[\d+\]/g, '[]').replace(/\[\]$/, '');
  const own = BY_FIELD_AND_KIND[`${rowField} ${kind}`];
  if (own) return { key: own, vars, fallback };
  if ((kind === 'too_small' || kind === 'too_big') && BOUNDED.has(issue.origin ?? '')) {
    if (kind === 'too_small' && issue.origin === 'string' && issue.minimum === 1)
      return { key: 'console.form.errors.required', vars, fallback };
    return { key: `console.issues.${kind}_${issue.origin}`, vars, fallback };
  }
  if (KINDS.has(kind)) return { key: `console.issues.${kind}`, vars, fallback };
  return { key: 'console.issues.refused', vars, fallback };
}
