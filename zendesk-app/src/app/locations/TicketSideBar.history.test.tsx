import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ZafRequestOptions, ZafResponse } from 'zendesk_app_framework_sdk';
import { makeCall, makeHistory } from '../../test/fixtures';
import { fakeClient, json, renderWithClient } from '../../test/render';
import TicketSideBar from './TicketSideBar';

const CALLS_URL = 'https://bridge.example.com/v1/tickets/1001/calls';
const HISTORY_URL =
  'https://bridge.example.com/v1/tickets/1001/calls/a84b4c76e66710%40198.51.100.7/history';

afterEach(() => vi.restoreAllMocks());

/** The sidebar with one call, answering the history with `history` (a response or a rejection). */
async function renderSidebar(history: () => ZafResponse | Promise<ZafResponse>, call = makeCall()) {
  const client = fakeClient((o) =>
    o.url === HISTORY_URL ? history() : json(200, { ticket_id: 1001, calls: [call] }),
  );
  const view = renderWithClient(<TicketSideBar />, client);
  await waitFor(() => expect(view.container.querySelector('article')).toBeTruthy());
  const section = () => view.container.querySelector('[data-part="history"]');
  const open = () => {
    const details = section() as HTMLDetailsElement;
    details.open = true;
    fireEvent(details, new Event('toggle'));
  };
  const historyRequests = () => client.requests.filter((r) => r.url === HISTORY_URL);
  return { ...view, client, section, open, historyRequests };
}

describe('TicketSideBar: previous calls', () => {
  it('asks for them through the proxy only when opened, once, and opens a ticket in Zendesk', async () => {
    const view = await renderSidebar(() => json(200, makeHistory()));
    expect(view.historyRequests()).toEqual([]);
    view.open();
    await waitFor(() => expect(screen.getByRole('link', { name: 'Ticket #1002' })).toBeTruthy());
    const [request] = view.historyRequests() as [ZafRequestOptions];
    expect(request).toMatchObject({
      type: 'GET',
      secure: true,
      headers: {
        Authorization: 'Bearer {{jwt.token}}',
        'X-Zendesk-Agent-Token': 'Bearer {{setting.token}}',
      },
      jwt: { secret_key: '{{setting.shared_secret}}', claims: { sub: '20009' } },
      autoRetry: false,
    });
    fireEvent.click(screen.getByRole('link', { name: 'Ticket #1002' }));
    expect(view.client.invokes).toContainEqual({ name: 'routeTo', args: ['ticket', 1002] });
    // Closing and opening again shows what was loaded, without asking again.
    view.open();
    expect(view.historyRequests()).toHaveLength(1);
    expect(view.client.requests.filter((r) => r.url === CALLS_URL)).toHaveLength(1);
  });

  it('keeps the call details when the history fails, and Retry asks again', async () => {
    const answers = [
      () => Promise.reject(json(503, { error: 'zendesk_unavailable', message: 'x' })),
      () => json(200, makeHistory([{ status: 'cancelled', ticket_id: null, duration_s: null }])),
    ];
    const view = await renderSidebar(() => (answers.shift() as () => ZafResponse)());
    view.open();
    await waitFor(() =>
      expect(view.section()?.textContent).toContain(
        'The previous calls could not be loaded (status 503).',
      ),
    );
    // The card and the sidebar are intact: no sidebar-wide error, caller and line still there.
    expect(view.container.querySelector('main')?.getAttribute('data-phase')).toBe('ready');
    expect(view.container.querySelector('[data-part="line"]')?.textContent).toBe('ai-agent');
    expect(view.container.querySelector('main > [data-state="error"]')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() =>
      expect(view.container.querySelector('[data-part="history-call"]')).toBeTruthy(),
    );
    expect(view.section()?.textContent).toContain('Missed');
    expect(view.historyRequests()).toHaveLength(2);
  });

  it('shows an error in the section, not a crash, for an answer that is not a history', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const view = await renderSidebar(() =>
      json(200, { ...makeHistory(), calls: [{ ...makeHistory().calls[0], received_at: 7 }] }),
    );
    view.open();
    await waitFor(() =>
      expect(view.section()?.querySelector('[data-error-kind="unexpected"]')).toBeTruthy(),
    );
    expect(warn).toHaveBeenCalledWith(
      "The bridge's answer is not a caller history: calls.0.received_at: expected string",
    );
    expect(view.container.querySelectorAll('article')).toHaveLength(1);
  });

  it('offers no history for a withheld or unreadable number', async () => {
    for (const caller of [
      { e164: null, display: null, kind: 'withheld' as const, match: 'withheld' as const },
      { e164: null, display: null, kind: 'invalid' as const, match: 'no_match' as const },
    ]) {
      const view = await renderSidebar(
        () => json(200, makeHistory()),
        makeCall({ caller: { ...caller, user_id: null } }),
      );
      expect(view.section()).toBeNull();
      view.unmount();
    }
  });
});
