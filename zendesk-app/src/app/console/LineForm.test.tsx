// The line form's carrier options in the page: grouped sections, checked as typed with the API's
// rules, sent whole, and secrets never shown back.
import { describe, expect, it } from 'vitest';
import { fireEvent, screen, within } from '@testing-library/react';
import type { ZafRequestOptions } from 'zendesk_app_framework_sdk';
import { fakeClient, json, renderWithClient } from '../../test/render';
import { ConsoleApp } from './ConsoleApp';
import type { Line } from './consoleApi';

const admin = { 'currentUser.role': 'admin', 'currentUser.id': 20010, 'currentUser.locale': 'en' };

const field = (name: RegExp) => screen.getByLabelText(name) as HTMLInputElement;
const type = (name: RegExp, value: string) => fireEvent.change(field(name), { target: { value } });

/** A Worker that stores what it is sent as the admin API would show it (no secret answered). */
function worker() {
  const lines: Line[] = [];
  const sent: Record<string, unknown>[] = [];
  const respond = (options: ZafRequestOptions) => {
    const path = new URL(options.url).pathname;
    if (options.type === 'POST' && path === '/v1/console/lines') {
      const body = JSON.parse(String(options.data));
      sent.push(body);
      const { token, ...auth } = body.auth;
      const line = {
        ...body,
        acl: [],
        auth: { ...auth, ...(token ? { token: { header: token.header, secret_set: true } } : {}) },
        edge: { state: 'waiting', edge_applied_at: '2026-12-02T16:00:00.000Z' },
      } as Line;
      lines.push(line);
      return json(201, { line });
    }
    return json(200, { lines });
  };
  return { respond, sent };
}

describe('the line form’s carrier options', () => {
  it('checks them as typed, sends them, and never shows a secret back', async () => {
    const w = worker();
    renderWithClient(<ConsoleApp />, fakeClient(w.respond, admin));
    fireEvent.click(await screen.findByRole('button', { name: 'New line' }));
    type(/^Slug/, 'paris');
    type(/^Name/, 'Paris');
    type(/^Zendesk SIP targets/, 'sip:paris@acme.sip.twilio.com');
    // Each group is a fieldset with its legend.
    for (const legend of ['Media', 'Routing and limits', 'Caller authentication'])
      expect(screen.getByRole('group', { name: legend })).toBeTruthy();

    // Secure media needs TLS targets: the error shows under the targets as soon as it is chosen.
    fireEvent.change(field(/^Media/), { target: { value: 'secure' } });
    const tls = await screen.findByText(/target 1 is neither sips: nor ;transport=tls/);
    expect(
      field(/^Zendesk SIP targets/)
        .getAttribute('aria-describedby')
        ?.split(' '),
    ).toContain(tls.id);
    type(/^Zendesk SIP targets/, 'sips:paris@acme.sip.twilio.com');
    expect(screen.queryByText(/is neither sips:/)).toBeNull();

    type(/^No-answer timeout/, '999');
    expect(await screen.findByText('Enter a whole number from 1000 to 3600000.')).toBeTruthy();
    type(/^No-answer timeout/, '60000');
    type(/^Concurrent calls/, '3');
    fireEvent.change(field(/^Order of the SIP targets/), { target: { value: 'round_robin' } });

    fireEvent.click(screen.getByLabelText('Require a token header'));
    type(/^Token header name/, 'X-Zendesk-Token');
    expect(await screen.findByText(/are the bridge’s own/)).toBeTruthy();
    type(/^Token header name/, 'X-Line-Token');
    type(/^Token$/, 'a-carrier-token-0123456789');
    expect(field(/^Token$/).type).toBe('password');

    fireEvent.click(screen.getByRole('button', { name: 'Save line' }));
    expect(await screen.findByText('Saved Paris.')).toBeTruthy();
    expect(w.sent).toEqual([
      expect.objectContaining({
        sip_targets: ['sips:paris@acme.sip.twilio.com'],
        media: 'secure',
        routing: {
          mode: 'round_robin',
          no_ringback_ms: 5000,
          no_answer_ms: 60000,
          max_concurrent_calls: 3,
        },
        auth: { ip: true, token: { header: 'X-Line-Token', secret: 'a-carrier-token-0123456789' } },
      }),
    ]);

    // Opened again, the token is stored and its box is empty: the secret is not in the page.
    const table = await screen.findByRole('table');
    fireEvent.click(within(table).getByRole('button', { name: 'Edit Paris' }));
    expect(field(/^Token header name/).value).toBe('X-Line-Token');
    expect(field(/^Token$/).value).toBe('');
    expect(screen.getByText('A secret is stored. Leave this empty to keep it.')).toBeTruthy();
    expect(document.body.innerHTML).not.toContain('a-carrier-token-0123456789');
  });

  it('asks for digest users with their passwords, naming each row', async () => {
    const w = worker();
    renderWithClient(<ConsoleApp />, fakeClient(w.respond, admin));
    fireEvent.click(await screen.findByRole('button', { name: 'New line' }));
    fireEvent.click(screen.getByLabelText('Require SIP digest'));
    type(/^Digest realm/, 'sip.example.com');
    fireEvent.click(screen.getByRole('button', { name: 'Add a digest user' }));
    type(/^Username 1$/, 'ab');
    expect(await screen.findByText('Enter 4–32 letters or digits.')).toBeTruthy();
    type(/^Username 1$/, 'carrier1');
    type(/^Password for user 1$/, 'short');
    expect(
      await screen.findByText('The password must be 8–128 printable characters.'),
    ).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Remove user 1' }));
    expect(screen.getByText('Add at least one digest user.')).toBeTruthy();
  });

  it('shows the Worker’s refusals under their fields in the admin’s language, never its English', async () => {
    const refusal = {
      error: 'invalid_request',
      message: 'The request is invalid; see issues.',
      issues: [
        { path: 'default_country', message: 'must be an ISO 3166-1 code', code: 'unknown_country' },
        { path: 'name', message: 'a brand new check', code: 'brand_new' },
        { path: 'context_headers', message: 'has 1 unknown field', code: 'unknown_fields' },
      ],
    };
    const client = fakeClient(
      (options) =>
        options.type === 'POST' ? json(400, refusal) : json(200, { lines: [] as Line[] }),
      { ...admin, 'currentUser.locale': 'fr' },
    );
    renderWithClient(<ConsoleApp />, client);
    fireEvent.click(await screen.findByRole('button', { name: 'Nouvelle ligne' }));
    type(/^Identifiant/, 'paris');
    type(/^Nom/, 'Paris');
    type(/^Cibles SIP Zendesk/, 'sip:paris@acme.sip.twilio.com');
    type(/^Pays par défaut/, 'XX');
    fireEvent.click(screen.getByRole('button', { name: 'Enregistrer la ligne' }));
    const country = await screen.findByText(
      'Saisissez un code pays ISO à deux lettres, p. ex. US ou FR.',
    );
    expect(
      field(/^Pays par défaut/)
        .getAttribute('aria-describedby')
        ?.split(' '),
    ).toContain(country.id);
    // A kind the console has no words for: generic, naming the field.
    expect(screen.getByText('Le pont a refusé cette valeur (name).')).toBeTruthy();
    // No field of the form: at the top, naming it.
    const alerts = screen.getAllByRole('alert').map((a) => a.textContent);
    expect(alerts.join('\n')).toContain('Le pont a refusé context_headers');
    for (const english of ['ISO 3166-1', 'brand new', 'unknown field'])
      expect(document.body.textContent).not.toContain(english);
  });
});
