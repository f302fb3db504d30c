import { describe, expect, it } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { ZafRequestOptions } from 'zendesk_app_framework_sdk';
import { makeCall, RIVERAS } from '../../test/fixtures';
import { fakeClient, json, renderWithClient } from '../../test/render';
import { callLogQuery, NO_FILTERS, type CallLogItem } from './callLogApi';
import CallLogPage from './CallLogPage';

const admin = { 'currentUser.role': 'admin', 'currentUser.id': 20010 };

const item = (n: number): CallLogItem => ({
  call_id: `call-${n}`,
  received_at: new Date(Date.UTC(2026, 10, 2, 12, 60 - n)).toISOString(),
  line: { slug: 'ai-agent', name: 'AI agent hand-off' },
  caller: { e164: '+14155550100', display: '+1 415 555 0100', kind: 'e164' },
  status: 'completed',
  ticket_id: 1000 + n,
  duration_s: 65,
  cost_usd: '0.02',
});

/** A Worker with 30 calls, 25 a page, and call-3's details. */
function worker(seen: URL[]) {
  const all = Array.from({ length: 30 }, (_, i) => item(i + 1));
  return (options: ZafRequestOptions) => {
    const url = new URL(options.url);
    seen.push(url);
    if (url.pathname === '/v1/console/lines') return json(200, { lines: [] });
    if (url.pathname === '/v1/console/calls') {
      const start = url.searchParams.get('cursor') === 'p2' ? 25 : 0;
      return json(200, {
        calls: all.slice(start, start + 25),
        time_zone: 'Europe/Paris',
        next_cursor: start === 0 ? 'p2' : null,
      });
    }
    if (url.pathname === '/v1/console/calls/call-3') {
      // An ambiguous caller: the sidebar offers "Set as requester"; the console has no ticket open.
      const call = makeCall({ call_id: 'call-3', line: 'ai-agent' });
      return json(200, {
        call: {
          ...call,
          caller: { ...call.caller, match: 'ambiguous', user_id: null, candidates: RIVERAS },
        },
      });
    }
    return json(404, { error: 'not_found', message: 'No such call with this Call-ID.' });
  };
}

function open() {
  const seen: URL[] = [];
  const client = fakeClient(worker(seen), admin);
  renderWithClient(
    <CallLogPage target={{ client, apiUrl: 'https://bridge.example.com', userId: 20010 }} />,
    client,
  );
  return { seen, client };
}

describe('the call log page', () => {
  it('searches with the filters typed, trimmed, leaving out the empty ones', async () => {
    const { seen } = open();
    await screen.findByText(
      'Page 1, newest first; dates are in the account’s time zone, Europe/Paris.',
    );
    fireEvent.change(screen.getByLabelText(/^Caller number/), {
      target: { value: ' (415) 555-0100 ' },
    });
    fireEvent.change(screen.getByLabelText('Ticket'), { target: { value: '1003' } });
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'completed' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    await waitFor(() => expect(seen.at(-1)?.searchParams.get('ticket')).toBe('1003'));
    const sent = seen.at(-1)!;
    expect(sent.searchParams.get('number')).toBe('(415) 555-0100');
    expect(sent.searchParams.get('status')).toBe('completed');
    expect(sent.searchParams.has('line')).toBe(false);
    expect(sent.searchParams.has('from')).toBe(false);
  });

  it('pages forward with the Worker’s cursor and back to the first page', async () => {
    const { seen } = open();
    const table = await screen.findByRole('table');
    expect(within(table).getAllByRole('row')).toHaveLength(26);
    expect(screen.getByRole('button', { name: 'Previous page' })).toHaveProperty('disabled', true);
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await screen.findByText(/^Page 2,/);
    expect(seen.at(-1)?.searchParams.get('cursor')).toBe('p2');
    expect(within(screen.getByRole('table')).getAllByRole('row')).toHaveLength(6);
    expect(screen.getByRole('button', { name: 'Next page' })).toHaveProperty('disabled', true);
    fireEvent.click(screen.getByRole('button', { name: 'Previous page' }));
    await screen.findByText(/^Page 1,/);
    expect(seen.at(-1)?.searchParams.has('cursor')).toBe(false);
  });

  it('opens a call’s details in the sidebar’s call card, with no requester to set', async () => {
    open();
    const row = (await screen.findByRole('table')).querySelector('[data-call-id="call-3"]')!;
    fireEvent.click(within(row as HTMLElement).getByRole('button', { name: /^Details/ }));
    const card = await screen.findByRole('article');
    expect(card.getAttribute('data-call-id')).toBe('call-3');
    expect(within(card).getByText('Call-ID')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Call details' })).toBe(document.activeElement);
    expect(within(card).getByText('Alex Rivera')).toBeTruthy();
    expect(within(card).queryByRole('button', { name: /Set as requester/ })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Close details' }));
    expect(screen.queryByRole('article')).toBeNull();
  });

  it('searches every call from the caller’s number from a call’s details', async () => {
    const { seen } = open();
    const row = (await screen.findByRole('table')).querySelector('[data-call-id="call-3"]')!;
    fireEvent.click(within(row as HTMLElement).getByRole('button', { name: /^Details/ }));
    fireEvent.click(await screen.findByRole('button', { name: 'All calls from this number' }));
    await waitFor(() => expect(seen.at(-1)?.searchParams.get('number')).toBe('+14155550100'));
    expect((screen.getByLabelText(/^Caller number/) as HTMLInputElement).value).toBe(
      '+14155550100',
    );
    expect(screen.queryByRole('article')).toBeNull();
  });

  it('shows the Worker’s refusal of a number under its field, in words of its own', async () => {
    const client = fakeClient((options) => {
      const url = new URL(options.url);
      if (url.pathname === '/v1/console/lines') return json(200, { lines: [] });
      if (url.searchParams.has('number'))
        return json(400, {
          error: 'invalid_request',
          message: 'The request is invalid; see issues.',
          issues: [{ path: 'number', message: 'must be a phone number' }],
        });
      return json(200, { calls: [], time_zone: 'UTC', next_cursor: null });
    }, admin);
    renderWithClient(
      <CallLogPage target={{ client, apiUrl: 'https://bridge.example.com', userId: 20010 }} />,
      client,
    );
    await screen.findByText('No calls match.');
    fireEvent.change(screen.getByLabelText(/^Caller number/), { target: { value: 'call me' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    expect(await screen.findByText(/This is not a phone number/)).toBeTruthy();
    expect(screen.getByLabelText(/^Caller number/).getAttribute('aria-invalid')).toBe('true');
  });
});

describe('callLogQuery', () => {
  it('sends only filled filters, the cursor and the page size', () => {
    expect(callLogQuery({ ...NO_FILTERS, line: 'paris', number: '  ' }, 'abc')).toBe(
      '?line=paris&cursor=abc&limit=25',
    );
  });
});
