import { describe, expect, it } from 'vitest';
import { webhookSettingsIssues, webhookUrlProblem } from './url-policy';

describe('webhookUrlProblem', () => {
  it('takes https to a public host, and refuses plain http there even in local runs', () => {
    expect(webhookUrlProblem('https://hooks.example.com/in', false)).toBeNull();
    expect(webhookUrlProblem('http://hooks.example.com/in', false)).toBe('must be an https URL');
    expect(webhookUrlProblem('http://hooks.example.com/in', true)).toBe('must be an https URL');
  });

  it('takes a loopback receiver only in local runs', () => {
    for (const url of ['http://127.0.0.1:9000/hook', 'http://localhost/x', 'https://[::1]:8443/']) {
      expect(webhookUrlProblem(url, true)).toBeNull();
      expect(webhookUrlProblem(url, false)).toMatch(/ZENDESK_ALLOW_LOCAL=1/);
    }
  });

  it('names the field and never the value', () => {
    const issues = webhookSettingsIssues(
      { url: 'http://secret-token.example.com/', failover_url: 'ftp://x.example.com/' },
      false,
    );
    expect(issues.map((i) => i.path)).toEqual(['webhook.url', 'webhook.failover_url']);
    expect(JSON.stringify(issues)).not.toContain('secret-token');
  });

  it('refuses a failover that is the primary', () => {
    const url = 'https://hooks.example.com/in';
    expect(webhookSettingsIssues({ url, failover_url: url }, false)).toEqual([
      { path: 'webhook.failover_url', message: 'must differ from webhook.url' },
    ]);
  });
});
