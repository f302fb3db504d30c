// Which webhook URLs a line may have: https to a public host; plain http only to this host, and
// only in local runs (ZENDESK_ALLOW_LOCAL=1, the flag that admits the Zendesk stand-in).
import type { FieldIssue } from '../http/problem';

const LOOPBACK_HOST = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])$/;

/**
 * Why this webhook URL may not be used, or null when it may. Never quotes the URL.
 * @example webhookUrlProblem('http://127.0.0.1:9000/hook', false) // 'must be an https URL'
 */
export function webhookUrlProblem(value: string, allowLocal: boolean): string | null {
  if (!URL.canParse(value)) return 'must be an absolute https URL';
  const url = new URL(value);
  const loopback = LOOPBACK_HOST.test(url.hostname.toLowerCase());
  if (loopback) {
    return allowLocal && (url.protocol === 'http:' || url.protocol === 'https:')
      ? null
      : 'must be an https URL to a public host (loopback only in local runs, with ZENDESK_ALLOW_LOCAL=1)';
  }
  return url.protocol === 'https:' ? null : 'must be an https URL';
}

/** The issues of a line's webhook settings, with their paths (`webhook.url`, `webhook.failover_url`). */
export function webhookSettingsIssues(
  settings: { url: string; failover_url?: string | null } | null | undefined,
  allowLocal: boolean,
): FieldIssue[] {
  if (!settings) return [];
  const issues: FieldIssue[] = [];
  const url = webhookUrlProblem(settings.url, allowLocal);
  if (url) issues.push({ path: 'webhook.url', message: url });
  if (settings.failover_url) {
    const failover = webhookUrlProblem(settings.failover_url, allowLocal);
    if (failover) issues.push({ path: 'webhook.failover_url', message: failover });
    else if (settings.failover_url === settings.url) {
      issues.push({ path: 'webhook.failover_url', message: 'must differ from webhook.url' });
    }
  }
  return issues;
}
