// A line's webhook in its Edit view: an admin changes where events go and sees the last
// deliveries; the secret is never asked for nor shown, and a line without a webhook shows the
// admin-token command to create it instead of a form.
import { describe, expect, it } from 'vitest';
import { fireEvent, screen, within } from '@testing-library/react';
import type { ZafRequestOptions } from 'zendesk_app_framework_sdk';
import { fakeClient, json, renderWithClient } from '../../test/render';
import WebhookSection from './WebhookSection';
import type { LineWebhook } from './webhookApi';

const admin = { 'currentUser.role': 'admin', 'currentUser.id': 20010, 'currentUser.locale': 'en' };
const HOOK: LineWebhook = {
  url: 'https://hooks.example.com/in',
  failover_url: null,
  events: ['call.received', 'call.answered', 'call.ended', 'call.rejected'],
  secret_created_at: '2026-12-01T10:00:00.000Z',
  previous_secret_valid_until: null,
};
const DELIVERY = {
  event_id: 'evt_1',
  type: 'call.ended',
  target: 'primary',
  url: HOOK.url,
  attempt: 1,
  status_code: 200,
  error: null,
  outcome: 'delivered',
  at: '2026-12-01T11:00:00.000Z',
  next_attempt_at: null,
};

function renderSection(webhook: LineWebhook | null) {
  const puts: unknown[] = [];
  const respond = (options: ZafRequestOptions) => {
    if (options.type === 'PUT') {
      const body = JSON.parse(String(options.data)) as Partial<LineWebhook>;
      puts.push(body);
      if (body.url?.startsWith('http:'))
        return json(400, {
          error: 'invalid_request',
          message: 'The request is invalid; see issues.',
          issues: [{ path: 'url', message: 'must be https', code: 'webhook_url_refused' }],
        });
      return json(200, { webhook: { ...HOOK, ...body } });
    }
    return json(200, { deliveries: [DELIVERY], next_before: null });
  };
  const client = fakeClient(respond, admin);
  const target = { client, apiUrl: 'https://bridge.example.com', userId: 20010 };
  renderWithClient(
    <WebhookSection target={target} slug="paris" webhook={webhook} onChanged={() => undefined} />,
    client,
  );
  return { puts };
}

describe('a line’s webhook', () => {
  it('changes url, failover and events, lists deliveries, and never shows a secret', async () => {
    const { puts } = renderSection(HOOK);
    const section = await screen.findByRole('region', { name: 'Webhook' });
    expect(await within(section).findByText('Delivered (HTTP 200)')).toBeTruthy();
    fireEvent.change(within(section).getByLabelText('Webhook URL'), {
      target: { value: 'http://hooks.example.com/plain' },
    });
    fireEvent.click(within(section).getByRole('button', { name: 'Save webhook' }));
    expect(await within(section).findByText(/may not send to this address/)).toBeTruthy();
    expect(within(section).queryByText('must be https')).toBeNull();

    fireEvent.change(within(section).getByLabelText('Webhook URL'), {
      target: { value: 'https://hooks.example.com/new' },
    });
    fireEvent.click(within(section).getByLabelText('call.received'));
    fireEvent.click(within(section).getByRole('button', { name: 'Save webhook' }));
    expect(await within(section).findByText(/Webhook saved/)).toBeTruthy();
    expect(puts.at(-1)).toEqual({
      url: 'https://hooks.example.com/new',
      failover_url: null,
      events: ['call.answered', 'call.ended', 'call.rejected'],
    });
    expect(section.textContent).toContain('/v1/admin/lines/paris/webhook/rotate-secret');
    expect(section.textContent).toContain('$ADMIN_TOKEN');
    expect(section.textContent).not.toMatch(/whsec_/);
    expect(within(section).queryByLabelText(/secret/i)).toBeNull();
  });

  it('shows the admin-token command, not a form, on a line without a webhook', async () => {
    const { puts } = renderSection(null);
    const section = await screen.findByRole('region', { name: 'Webhook' });
    expect(within(section).getByText(/has no webhook/)).toBeTruthy();
    expect(section.textContent).toContain(
      "curl -sS -X PATCH 'https://bridge.example.com/v1/admin/lines/paris'",
    );
    expect(within(section).queryByRole('button', { name: 'Save webhook' })).toBeNull();
    expect(puts).toEqual([]);
  });
});
