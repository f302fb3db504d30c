import { act, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useClient } from '../hooks/useClient';

const handlers: Record<string, (data: unknown) => void> = {};
const client = { on: (name: string, fn: (data: unknown) => void) => (handlers[name] = fn) };
const init = vi.fn<() => unknown>(() => client);
vi.mock('zendesk_app_framework_sdk', () => ({ default: { init: () => init() } }));

const { ClientProvider } = await import('./ClientProvider');

function ShowSettings() {
  const { metadata, zendeskUrl } = useClient();
  return (
    <p>
      api_url={String(metadata.settings.api_url)} zendesk={zendeskUrl}
    </p>
  );
}

afterEach(() => init.mockClear());

describe('ClientProvider', () => {
  it('creates the client once and renders nothing until app.registered', async () => {
    const { container, rerender } = render(
      <ClientProvider>
        <ShowSettings />
      </ClientProvider>,
    );
    expect(container.innerHTML).toBe('');
    rerender(
      <ClientProvider>
        <ShowSettings />
      </ClientProvider>,
    );
    await act(async () => {
      handlers['app.registered']?.({
        metadata: { settings: { api_url: 'https://b.example' } },
        context: { account: { subdomain: 'acme' } },
      });
    });
    expect(
      screen.getByText('api_url=https://b.example zendesk=https://acme.zendesk.com'),
    ).toBeTruthy();
    expect(init).toHaveBeenCalledOnce();
  });

  it('says to open it from Zendesk when there is no origin or app_guid', () => {
    init.mockReturnValueOnce(false);
    render(
      <ClientProvider>
        <ShowSettings />
      </ClientProvider>,
    );
    expect(screen.getByText('Open this app from a ticket in Zendesk Support.')).toBeTruthy();
  });
});
