import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ZafRequestOptions } from 'zendesk_app_framework_sdk';
import { makeCall, RIVERAS } from '../../test/fixtures';
import { fakeClient, json, renderWithClient } from '../../test/render';
import TicketSideBar from './TicketSideBar';

const CALLS_URL = 'https://bridge.example.com/v1/tickets/1001/calls';
const calls = (...list: ReturnType<typeof makeCall>[]) =>
  json(200, { ticket_id: 1001, calls: list });
const phase = (container: HTMLElement) =>
  container.querySelector('main')?.getAttribute('data-phase');

afterEach(() => vi.restoreAllMocks());

describe('TicketSideBar', () => {
  it('asks the bridge through the ZAF proxy with a proxy-signed JWT, never the secret', async () => {
    const client = fakeClient(() => calls(makeCall()));
    const { container } = renderWithClient(<TicketSideBar />, client);
    await waitFor(() => expect(phase(container)).toBe('ready'));
    const request = client.requests.find((r) => r.url === CALLS_URL) as ZafRequestOptions;
    expect(request).toEqual({
      url: CALLS_URL,
      type: 'GET',
      secure: true,
      headers: {
        Authorization: 'Bearer {{jwt.token}}',
        'X-Zendesk-Agent-Token': 'Bearer {{setting.token}}',
      },
      jwt: {
        algorithm: 'HS256',
        secret_key: '{{setting.shared_secret}}',
        expiry: 300,
        claims: { aud: 'sip-bridge-api', sub: '20009' },
      },
      httpCompleteResponse: true,
      autoRetry: false,
    });
    expect(client.invokes.some((i) => i.name === 'resize')).toBe(true);
  });

  it('shows a skeleton while loading, then the calls newest first', async () => {
    const older = makeCall({ call_id: 'older@h' });
    const newer = makeCall({
      call_id: 'newer@h',
      timeline: { received_at: '2026-11-21T10:00:00.000Z' },
    });
    const client = fakeClient(() => calls(newer, older));
    const { container } = renderWithClient(<TicketSideBar />, client);
    expect(screen.getByRole('status', { name: 'Loading SIP calls…' })).toBeTruthy();
    await waitFor(() => expect(container.querySelectorAll('article')).toHaveLength(2));
    const ids = [...container.querySelectorAll('article')].map((a) =>
      a.getAttribute('data-call-id'),
    );
    expect(ids).toEqual(['newer@h', 'older@h']);
  });

  it('looks up the matched user name in Zendesk', async () => {
    const client = fakeClient((o) =>
      o.url === '/api/v2/users/20001.json'
        ? ({ user: { id: 20001, name: 'Ada Lovelace' } } as never)
        : calls(makeCall()),
    );
    renderWithClient(<TicketSideBar />, client);
    await waitFor(() => expect(screen.getByRole('link', { name: 'Ada Lovelace' })).toBeTruthy());
    fireEvent.click(screen.getByRole('link', { name: 'Ada Lovelace' }));
    expect(client.invokes).toContainEqual({ name: 'routeTo', args: ['user', 20001] });
  });

  it('says there is no SIP call on the ticket', async () => {
    renderWithClient(
      <TicketSideBar />,
      fakeClient(() => calls()),
    );
    await waitFor(() => expect(screen.getByText('No SIP call on this ticket')).toBeTruthy());
  });

  it('does not ask the bridge on a ticket that is not saved yet', async () => {
    const client = fakeClient(() => calls(), { 'ticket.id': null, 'currentUser.id': 1 });
    renderWithClient(<TicketSideBar />, client);
    await waitFor(() => expect(screen.getByText('No SIP call on this ticket')).toBeTruthy());
    expect(client.requests).toEqual([]);
  });

  it('401: points at the shared secret, and Retry asks again', async () => {
    let answer = json(401, { error: 'unauthorized', message: 'Missing or invalid credentials.' });
    const client = fakeClient(() => Promise.reject(answer));
    const { container } = renderWithClient(<TicketSideBar />, client);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('APP_JWT_SECRET'));
    answer = json(200, {});
    client.request = async (o) => (client.requests.push(o), calls(makeCall()));
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(phase(container)).toBe('ready'));
    expect(container.querySelectorAll('article')).toHaveLength(1);
  });

  it.each([
    [401, 'sign_in_required', 'sign_in', 'Sign in to Zendesk again'],
    [404, 'ticket_not_found', 'not_permitted', "You cannot see this ticket's calls"],
    [403, 'agent_required', 'not_permitted', "You cannot see this ticket's calls"],
  ])('%i %s: tells the agent, not the admin, what happened', async (status, error, kind, text) => {
    const client = fakeClient(() => Promise.reject(json(status, { error, message: 'x' })));
    const { container } = renderWithClient(<TicketSideBar />, client);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain(text));
    expect(container.querySelector('[data-state="error"]')?.getAttribute('data-error-kind')).toBe(
      kind,
    );
    expect(container.querySelectorAll('article')).toHaveLength(0);
  });

  it.each([
    ['no answer (status 0)', 0],
    ['a 502 from the proxy', 502],
    ['a 404 (not the bridge)', 404],
  ])('%s: points at the API URL', async (_name, status) => {
    const client = fakeClient(() => Promise.reject({ status, responseText: '' }));
    renderWithClient(<TicketSideBar />, client);
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toContain('Check the API URL setting'),
    );
    expect(screen.getByRole('button', { name: 'Retry' })).toBeTruthy();
  });

  it('says the app is not configured without an API URL', async () => {
    const client = fakeClient(() => calls());
    const { container } = renderWithClient(<TicketSideBar />, client, {});
    await waitFor(() =>
      expect(container.querySelector('[data-error-kind="not_configured"]')).toBeTruthy(),
    );
    expect(client.requests).toEqual([]);
  });

  it('shows the numbers as the bridge wrote them for people', async () => {
    const call = makeCall({
      caller: {
        e164: '+353861234567',
        display: '+353 86 123 4567',
        match: 'ambiguous',
        user_id: null,
        candidates: [
          {
            id: 20005,
            name: 'Sam Rivera',
            phone: '086 123 4567',
            phone_display: '+353 86 123 4567',
          },
        ],
      },
    });
    const { container } = renderWithClient(
      <TicketSideBar />,
      fakeClient(() => calls(call)),
    );
    await waitFor(() => expect(phase(container)).toBe('ready'));
    const part = (name: string) => container.querySelector(`[data-part="${name}"]`)?.textContent;
    expect(part('number')).toBe('+353 86 123 4567 (+353861234567)');
    expect(part('candidates')).toContain('Sam Rivera · +353 86 123 4567');
  });

  it.each([
    ['a body that is not the bridge’s', { hello: 1 }],
    ['a call without codecs', { ticket_id: 1001, calls: [{ ...makeCall(), codecs: undefined }] }],
    [
      'a caller whose display string is a number',
      { ticket_id: 1001, calls: [makeCall({ caller: { display: 14155550100 as never } })] },
    ],
    ['a call list that is an object', { ticket_id: 1001, calls: { 0: makeCall() } }],
  ])('shows the error state, not a crash, for %s', async (_name, answer) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { container } = renderWithClient(
      <TicketSideBar />,
      fakeClient(() => json(200, answer)),
    );
    await waitFor(() =>
      expect(container.querySelector('[data-error-kind="unexpected"]')).toBeTruthy(),
    );
    expect(screen.getByRole('alert').textContent).toBe(
      'Unexpected answer from the bridgeThe API answered with status 200. Check the API URL setting.',
    );
    expect(container.querySelectorAll('article')).toHaveLength(0);
    expect(warn).toHaveBeenCalledOnce();
  });

  it('re-polls while a call is in progress and stops when it has ended', async () => {
    const live = makeCall({ status: 'answered', timeline: { ended_at: null }, duration_s: null });
    const answers = [live, live, makeCall()];
    const client = fakeClient((o) =>
      o.url === CALLS_URL ? calls(answers.shift() ?? makeCall()) : json(404, {}),
    );
    const { container } = renderWithClient(<TicketSideBar polling={{ intervalMs: 20 }} />, client);
    await waitFor(() =>
      expect(container.querySelector('article')?.getAttribute('data-status')).toBe('completed'),
    );
    const polls = () => client.requests.filter((r) => r.url === CALLS_URL).length;
    expect(polls()).toBe(3);
    await new Promise((r) => setTimeout(r, 100));
    expect(polls()).toBe(3);
  });

  it('stops polling after maxPolls even if the call never ends', async () => {
    const live = makeCall({ status: 'ringing', timeline: { answered_at: null, ended_at: null } });
    const client = fakeClient(() => calls(live));
    const polls = () => client.requests.filter((r) => r.url === CALLS_URL).length;
    renderWithClient(<TicketSideBar polling={{ intervalMs: 10, maxPolls: 3 }} />, client);
    await waitFor(() => expect(polls()).toBe(4));
    await new Promise((r) => setTimeout(r, 80));
    expect(polls()).toBe(4);
  });

  it('keeps showing a live call when one re-poll fails', async () => {
    const live = makeCall({ status: 'answered', timeline: { ended_at: null }, duration_s: null });
    const answers: (() => unknown)[] = [
      () => calls(live),
      () => Promise.reject({ status: 0 }),
      () => calls(makeCall()),
    ];
    const client = fakeClient(() => (answers.shift() ?? (() => calls(makeCall())))() as never);
    const { container } = renderWithClient(<TicketSideBar polling={{ intervalMs: 10 }} />, client);
    await waitFor(() =>
      expect(container.querySelector('article')?.getAttribute('data-status')).toBe('completed'),
    );
    expect(container.querySelector('[data-state="error"]')).toBeNull();
  });

  it('sets a candidate as requester and records the choice with the bridge', async () => {
    const ambiguous = makeCall({
      caller: { match: 'ambiguous', user_id: null, candidates: RIVERAS },
    });
    const chosen = makeCall({ caller: { match: 'matched', user_id: 20006, candidates: RIVERAS } });
    const client = fakeClient((o) =>
      o.type === 'PUT'
        ? json(200, { call: chosen })
        : calls(client.sets.length ? chosen : ambiguous),
    );
    renderWithClient(<TicketSideBar />, client);
    fireEvent.click(await screen.findByRole('button', { name: 'Set as requester: Alex Rivera' }));
    await waitFor(() => expect(screen.getByRole('link', { name: 'Alex Rivera' })).toBeTruthy());
    expect(client.sets).toEqual([{ path: 'ticket.requester', value: { id: 20006 } }]);
    const put = client.requests.find((r) => r.type === 'PUT');
    expect(put).toMatchObject({
      url: 'https://bridge.example.com/v1/tickets/1001/calls/a84b4c76e66710%40198.51.100.7/caller',
      contentType: 'application/json',
      data: '{"user_id":20006}',
      secure: true,
      headers: {
        Authorization: 'Bearer {{jwt.token}}',
        'X-Zendesk-Agent-Token': 'Bearer {{setting.token}}',
      },
    });
  });
});
