import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { zendeskFromEnv } from '../config';
import { zendeskBaseUrlProblem } from './base-url';
import { rejection, scriptedClient, ticket, zendeskJson } from './fake-zendesk';

describe('ZENDESK_BASE_URL', () => {
  it.each(['https://acme.zendesk.com', 'https://acme-eu.zendesk.com/', 'https://ACME.zendesk.com'])(
    'accepts %s',
    (url) => expect(zendeskBaseUrlProblem(url, false)).toBeNull(),
  );

  it.each([
    'http://acme.zendesk.com',
    'https://acme.zendesk.com.evil.example',
    'https://evil.example/acme.zendesk.com',
    'https://user@acme.zendesk.com',
    'https://acme.zendesk.com:8443',
    'https://acme.zendesk.com/api',
    'https://zendesk.com',
    'http://127.0.0.1:8788',
    '',
  ])('refuses %s', (url) => {
    expect(zendeskBaseUrlProblem(url, false)).toMatch(
      /must be https:\/\/<subdomain>\.zendesk\.com/,
    );
  });

  it('admits a loopback stand-in only with ZENDESK_ALLOW_LOCAL', () => {
    expect(zendeskBaseUrlProblem('http://127.0.0.1:8788', true)).toBeNull();
    expect(zendeskBaseUrlProblem('http://[::1]:8788/', true)).toBeNull();
    expect(zendeskBaseUrlProblem('http://10.0.0.1:8788', true)).not.toBeNull();
    expect(zendeskBaseUrlProblem('http://stand-in.example', true)).not.toBeNull();
  });

  it('a refused base URL sends nothing, credentials included, and fails as config', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const zendesk = zendeskFromEnv({
        ...env,
        ZENDESK_BASE_URL: 'https://acme.zendesk.com.evil.example',
      });
      const e = await rejection(zendesk.showTicket(1));
      expect(e.kind).toBe('config');
      expect(e.message).toContain('ZENDESK_BASE_URL must be https://<subdomain>.zendesk.com');
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
      errors.mockRestore();
    }
  });
});

describe('redirects', () => {
  it('are not followed: the credentials stay with ZENDESK_BASE_URL', async () => {
    const redirect = new Response(null, {
      status: 302,
      headers: { Location: 'https://collector.evil.example/steal' },
    });
    const { client, zd } = scriptedClient([redirect, zendeskJson(200, { ticket })]);
    const modes: string[] = [];
    const wrapped = zd.fetch;
    const { client: watched } = scriptedClient([], {
      fetch: async (input, init) => {
        modes.push(init?.redirect ?? 'follow');
        return wrapped(input, init);
      },
    });
    const e = await rejection(watched.showTicket(1));
    expect(e).toMatchObject({ kind: 'client', status: 302 });
    expect(e.message).toContain('redirects are not followed');
    expect(modes).toEqual(['manual']);
    // One request, to Zendesk: the redirect target never saw the Authorization header.
    expect(zd.seen.map((r) => new URL(r.url).host)).toEqual(['acme.zendesk.com']);
    expect(client.requestsMade).toBe(0);
  });
});
