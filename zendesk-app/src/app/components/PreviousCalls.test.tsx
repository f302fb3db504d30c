import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { makeHistory } from '../../test/fixtures';
import { renderWithI18n } from '../../test/render';
import type { HistoryState } from '../hooks/useCallerHistory';
import type { AppLocale } from '../i18n/translate';
import { BridgeError } from '../lib/bridgeRequest';
import { formatDuration } from '../lib/format';
import { PreviousCalls } from './PreviousCalls';

/** Renders the section; with calls or an error, waits for the list's chunk to load. */
async function renderSection(state: HistoryState | undefined, locale?: AppLocale) {
  const onLoad = vi.fn();
  const onOpenTicket = vi.fn();
  const view = renderWithI18n(
    <PreviousCalls
      state={state}
      ticketId={1001}
      onLoad={onLoad}
      onOpenTicket={onOpenTicket}
      zendeskUrl="https://acme.zendesk.com"
    />,
    locale,
  );
  const details = view.container.querySelector('details') as HTMLDetailsElement;
  const rows = () => [...view.container.querySelectorAll('[data-part="history-call"]')];
  if (state && state.phase !== 'loading') {
    await waitFor(() => expect(details.querySelector('[data-state="loading"]')).toBeNull());
  }
  return { ...view, details, rows, onLoad, onOpenTicket };
}

const ready = (history = makeHistory()): HistoryState => ({ phase: 'ready', history });

describe('PreviousCalls', () => {
  it('is collapsed, and asks for the calls when the agent opens it', async () => {
    const { details, onLoad } = await renderSection(undefined);
    expect(details.open).toBe(false);
    expect(screen.getByText('Previous calls').tagName).toBe('SUMMARY');
    expect(onLoad).not.toHaveBeenCalled();
    details.open = true;
    fireEvent(details, new Event('toggle'));
    expect(onLoad).toHaveBeenCalled();
    onLoad.mockClear();
    details.open = false;
    fireEvent(details, new Event('toggle'));
    expect(onLoad).not.toHaveBeenCalled();
  });

  it('shows each call: date in the agent’s locale, outcome in words, line, duration, ticket link', async () => {
    const { rows, onOpenTicket } = await renderSection(
      ready(makeHistory([{ received_at: '2026-11-20T15:45:00.000Z', duration_s: 65 }])),
    );
    const [row] = rows();
    const when = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' }).format(
      new Date('2026-11-20T15:45:00.000Z'),
    );
    const took = formatDuration(65, 'en');
    expect(row?.textContent).toBe(`${when} · AnsweredAI voice agent · ${took} · Ticket #1002`);
    expect(row?.querySelector('time')?.getAttribute('dateTime')).toBe('2026-11-20T15:45:00.000Z');
    const link = screen.getByRole('link', { name: 'Ticket #1002' });
    expect(link.getAttribute('href')).toBe('https://acme.zendesk.com/agent/tickets/1002');
    fireEvent.click(link);
    expect(onOpenTicket).toHaveBeenCalledWith(1002);
  });

  it('links no ticket the agent may not see, and names this ticket instead of linking it', async () => {
    const { rows } = await renderSection(
      ready(
        makeHistory([
          { ticket_id: null, status: 'cancelled', duration_s: null },
          {
            ticket_id: 1001,
            status: 'failed',
            duration_s: null,
            line: { slug: 'ivr', name: null },
          },
        ]),
      ),
    );
    const [hidden, here] = rows();
    expect(hidden?.textContent).toMatch(/ · MissedAI voice agent$/);
    expect(hidden?.querySelector('a')).toBeNull();
    expect(here?.textContent).toMatch(/ · Failedivr · this ticket$/);
    expect(here?.querySelector('a')).toBeNull();
  });

  it.each([
    ['ringing', 'Ringing'],
    ['answered', 'In progress'],
    ['completed', 'Answered'],
    ['failed', 'Failed'],
    ['cancelled', 'Missed'],
    ['rejected', 'Refused by the bridge'],
  ] as const)('says %s as “%s”', async (status, words) => {
    const { rows } = await renderSection(ready(makeHistory([{ status }])));
    expect(rows()[0]?.textContent).toContain(` · ${words}`);
  });

  it('says when there is nothing, and when more calls exist than are shown', async () => {
    expect((await renderSection(ready(makeHistory([])))).container.textContent).toContain(
      'No other calls from this number.',
    );
    const many = await renderSection(ready(makeHistory([{}, {}], { has_more: true })));
    expect(many.container.textContent).toContain('The last 2 calls are shown.');
  });

  it('shows a loading state, then an error with Retry that asks again', async () => {
    const loading = await renderSection({ phase: 'loading' });
    expect(screen.getByRole('status', { name: 'Loading previous calls…' })).toBeTruthy();
    loading.unmount();
    const failed = await renderSection({
      phase: 'error',
      error: new BridgeError('unreachable', 503),
    });
    expect(failed.container.textContent).toContain(
      'The previous calls could not be loaded (status 503).',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(failed.onLoad).toHaveBeenCalledOnce();
  });

  it.each([
    ['fr', 'Appels précédents', 'Répondu', 'Ticket n° 1002'],
    ['ko', '이전 통화', '응답함', '티켓 #1002'],
    ['ru', 'Предыдущие звонки', 'Принят', 'Тикет № 1002'],
  ] as const)('speaks %s', async (locale, title, outcome, ticket) => {
    const { container, rows } = await renderSection(ready(), locale);
    expect(container.querySelector('summary')?.textContent).toBe(title);
    expect(rows()[0]?.textContent).toContain(outcome);
    expect(screen.getByRole('link', { name: ticket })).toBeTruthy();
  });
});
