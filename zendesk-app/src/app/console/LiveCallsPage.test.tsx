import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, within } from '@testing-library/react';
import type { ZafRequestOptions } from 'zendesk_app_framework_sdk';
import { fakeClient, json, renderWithClient } from '../../test/render';
import type { ConsoleTarget } from './consoleApi';
import type { HangupState, LiveCall } from './liveCallsApi';
import LiveCallsPage from './LiveCallsPage';
import { clockDuration } from './LiveCallsTable';

const CALL: LiveCall = {
  call_id: 'a84b4c76e66710@pc33.example.com',
  line: 'ai-agent',
  status: 'answered',
  caller: { e164: '+14155550100', kind: 'e164' },
  matched_user: { result: 'matched', user_id: 20001 },
  ticket_id: 1001,
  received_at: '2026-12-02T16:00:00.000Z',
  answered_at: '2026-12-02T16:00:05.000Z',
  duration_s: 65,
  hangup: null,
};
const RINGING: LiveCall = {
  ...CALL,
  call_id: 'ringing@x',
  status: 'ringing',
  caller: { e164: null, kind: 'withheld' },
  matched_user: { result: 'withheld', user_id: null },
  ticket_id: null,
  answered_at: null,
  duration_s: null,
};

/** A Worker whose live list is `calls`; a hang-up marks the call and answers `hangupReply`. */
function worker(calls: LiveCall[], hangupReply?: ReturnType<typeof json>) {
  const state = { calls, hangups: [] as string[] };
  const respond = (options: ZafRequestOptions) => {
    // ZAF answers a Zendesk API request with the body itself.
    if (options.url === '/api/v2/users/20001.json') {
      return { user: { id: 20001, name: 'Ada Lovelace' } } as never;
    }
    const path = new URL(options.url).pathname;
    if (path === '/v1/console/calls/live') return json(200, { as_of: 'now', calls: state.calls });
    const hangup = /^\/v1\/console\/calls\/(.+)\/hangup$/.exec(path);
    if (hangup && options.type === 'POST') {
      const callId = decodeURIComponent(hangup[1]!);
      state.hangups.push(callId);
      if (hangupReply) return hangupReply;
      const queued: HangupState = {
        id: 'c1',
        status: 'queued',
        requested_by: 'zendesk_user:20010',
        requested_at: 'now',
        failure: null,
      };
      state.calls = state.calls.map((c) => (c.call_id === callId ? { ...c, hangup: queued } : c));
      return json(202, { hangup: queued });
    }
    return json(404, { error: 'not_found', message: 'No such endpoint.' });
  };
  return { state, respond };
}

function render(respond: (o: ZafRequestOptions) => ReturnType<typeof json>, refreshMs = 3000) {
  const client = fakeClient(respond);
  const target: ConsoleTarget = { client, apiUrl: 'https://bridge.example.com', userId: 20010 };
  renderWithClient(<LiveCallsPage target={target} refreshMs={refreshMs} />, client);
  return client;
}

const liveRegion = () => screen.getByRole('status');
const setHangup = (w: ReturnType<typeof worker>, hangup: HangupState | null) => {
  w.state.calls = w.state.calls.map((c) => ({ ...c, hangup }));
};

afterEach(() => {
  vi.useRealTimers();
});

describe('the Live calls page', () => {
  it('shows each call with caller, matched user, ticket, state and duration', async () => {
    const client = render(worker([CALL, RINGING]).respond);
    const table = await screen.findByRole('table');
    const [, answered, ringing] = within(table).getAllByRole('row');
    expect(within(answered!).getByText('+14155550100')).toBeTruthy();
    expect(await within(answered!).findByText('Ada Lovelace')).toBeTruthy();
    // The user and the ticket open in Zendesk, not in the app's frame.
    fireEvent.click(within(answered!).getByRole('link', { name: 'Ada Lovelace' }));
    fireEvent.click(within(answered!).getByRole('link', { name: '#1001' }));
    expect(client.invokes).toEqual([
      { name: 'routeTo', args: ['user', 20001] },
      { name: 'routeTo', args: ['ticket', 1001] },
    ]);
    expect(within(answered!).getByText('Answered')).toBeTruthy();
    expect(within(answered!).getByText('1:05')).toBeTruthy();
    expect(within(ringing!).getByText('Number withheld')).toBeTruthy();
    expect(within(ringing!).getByText('Ringing')).toBeTruthy();
    // Only an answered call can be ended.
    expect(within(ringing!).queryByRole('button')).toBeNull();
  });

  it('ends a call only after the admin confirms, and announces the outcome politely', async () => {
    const w = worker([CALL]);
    render(w.respond);
    fireEvent.click(await screen.findByRole('button', { name: 'End call from +14155550100' }));
    expect(w.state.hangups).toEqual([]); // nothing sent before the confirmation
    const yes = screen.getByRole('button', { name: 'Yes, end call' });
    expect(document.activeElement).toBe(yes); // the keyboard lands on the confirmation
    fireEvent.click(yes);
    await vi.waitFor(() => expect(w.state.hangups).toEqual([CALL.call_id]));
    expect(liveRegion().getAttribute('aria-live')).toBe('polite');
    await vi.waitFor(() =>
      expect(liveRegion().textContent).toBe('Ending the call from +14155550100…'),
    );
    expect((await screen.findByText('Ending: waiting for the edge')).textContent).toBeTruthy();
    // Asked once: the button is gone while the edge ends the call.
    expect(screen.queryByRole('button', { name: 'End call from +14155550100' })).toBeNull();
  });

  it('keeps the call when the admin changes their mind', async () => {
    const w = worker([CALL]);
    render(w.respond);
    fireEvent.click(await screen.findByRole('button', { name: 'End call from +14155550100' }));
    fireEvent.click(screen.getByRole('button', { name: 'Keep call' }));
    expect(screen.queryByRole('button', { name: 'Yes, end call' })).toBeNull();
    expect(w.state.hangups).toEqual([]);
  });

  it('refreshes on its interval and announces when the call has ended, or could not be', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const w = worker([
      CALL,
      { ...CALL, call_id: 'second@x', caller: { e164: '+33612345678', kind: 'e164' } },
    ]);
    render(w.respond, 1000);
    fireEvent.click(await screen.findByRole('button', { name: 'End call from +14155550100' }));
    fireEvent.click(screen.getByRole('button', { name: 'Yes, end call' }));
    await vi.waitFor(() => expect(liveRegion().textContent).toMatch(/^Ending the call/));
    w.state.calls = w.state.calls.filter((c) => c.call_id !== CALL.call_id);
    await act(() => vi.advanceTimersByTimeAsync(1000));
    await vi.waitFor(() =>
      expect(liveRegion().textContent).toBe('The call from +14155550100 has been ended.'),
    );
    expect(screen.queryByText('+14155550100')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'End call from +33612345678' }));
    fireEvent.click(screen.getByRole('button', { name: 'Yes, end call' }));
    await vi.waitFor(() => expect(liveRegion().textContent).toMatch(/^Ending the call from \+336/));
    setHangup(w, {
      id: 'c2',
      status: 'failed',
      requested_by: 'zendesk_user:20010',
      requested_at: 'now',
      failure: 'kamailio_unreachable',
    });
    await act(() => vi.advanceTimersByTimeAsync(1000));
    await vi.waitFor(() =>
      expect(liveRegion().textContent).toBe(
        'The call from +33612345678 could not be ended: the proxy could not be reached.',
      ),
    );
    expect(screen.getByText('Not ended: the proxy could not be reached')).toBeTruthy();
  });

  it('does not ask the Worker while the tab is hidden, and asks at once when it is back', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const client = render(worker([CALL]).respond, 1000);
    await screen.findByRole('table');
    const lists = () =>
      client.requests.filter((r) => r.url.endsWith('/v1/console/calls/live')).length;
    const before = lists();
    const visibility = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    await act(() => vi.advanceTimersByTimeAsync(3000));
    expect(lists()).toBe(before);
    visibility.mockReturnValue('visible');
    act(() => {
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await vi.waitFor(() => expect(lists()).toBe(before + 1));
    visibility.mockRestore();
  });

  it('says precisely why the Worker refused a hang-up', async () => {
    const w = worker(
      [CALL],
      json(409, { error: 'call_not_live', message: 'This call has already ended.' }),
    );
    render(w.respond);
    fireEvent.click(await screen.findByRole('button', { name: 'End call from +14155550100' }));
    fireEvent.click(screen.getByRole('button', { name: 'Yes, end call' }));
    await vi.waitFor(() => expect(liveRegion().textContent).toBe('This call has already ended.'));
  });

  it('shows a refusal of the list with the console’s error sentences', async () => {
    render(() => json(403, { error: 'admin_required', message: 'Only Zendesk admins…' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/not an admin/);
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('says so when no call is in progress', async () => {
    render(worker([]).respond);
    expect(await screen.findByText(/No calls in progress/)).toBeTruthy();
  });
});

describe('clockDuration', () => {
  it('reads like a call clock', () => {
    expect([0, 65, 600, 3725].map(clockDuration)).toEqual(['0:00', '1:05', '10:00', '1:02:05']);
  });
});
